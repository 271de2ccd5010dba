// The scenes table: one Parquet row per kept cell, written in row groups as discovery streams, so a
// global run never holds the whole table. Flat columns are for people and SQL (DuckDB); the
// `<source>_items` JSON columns hold the chosen SceneItems in full, so `readScenesTable` gives the
// tile stage back exactly the CellScenes that discovery produced.

import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { ParquetWriter, fileWriter, schemaFromColumnData, type ColumnSource } from 'hyparquet-writer';
import type { BasicType } from 'hyparquet-writer';
import { StageError } from '../errors.js';
import type { SceneItem, SourceName } from '../model/types.js';
import type { CellScenes, MissingReason } from './types.js';

export const TABLE_SOURCES: readonly SourceName[] = ['s2_l2a', 's2_l1c', 's1', 'landcover'];

type Row = Record<string, string | number | boolean | null>;

/** Column names and Parquet types, in table order. */
export const SCENES_COLUMNS: readonly [string, BasicType][] = [
  ['cell_id', 'STRING'],
  ['row', 'INT32'],
  ['col', 'INT32'],
  ['lon', 'DOUBLE'],
  ['lat', 'DOUBLE'],
  ['epsg', 'INT32'],
  ['extent_minx', 'DOUBLE'],
  ['extent_miny', 'DOUBLE'],
  ['extent_maxx', 'DOUBLE'],
  ['extent_maxy', 'DOUBLE'],
  ['resolution_m', 'DOUBLE'],
  ['size_px', 'INT32'],
  ['complete', 'BOOLEAN'],
  ['missing', 'STRING'],
  ...TABLE_SOURCES.flatMap((s): [string, BasicType][] => [
    [`${s}_ids`, 'JSON'],
    [`${s}_datetime`, 'STRING'],
    [`${s}_coverage`, 'DOUBLE'],
    [`${s}_cloud_cover`, 'DOUBLE'],
    [`${s}_processing_baseline`, 'STRING'],
    [`${s}_orbit_state`, 'STRING'],
    [`${s}_hrefs`, 'JSON'],
    [`${s}_items`, 'JSON'],
  ]),
  ['s1_gap_days', 'DOUBLE'],
];

/** One table row of a cell (flat values; JSON columns as objects). */
export function sceneRow(c: CellScenes): Row {
  const [minx, miny, maxx, maxy] = c.cell.extent;
  const row: Row = {
    cell_id: c.cell.id,
    row: c.cell.row,
    col: c.cell.col,
    lon: c.cell.lon,
    lat: c.cell.lat,
    epsg: c.cell.epsg,
    extent_minx: minx,
    extent_miny: miny,
    extent_maxx: maxx,
    extent_maxy: maxy,
    resolution_m: c.cell.resolution,
    size_px: c.cell.sizePx,
    complete: c.complete,
    missing: c.missing.join(','),
    s1_gap_days: c.s1GapDays,
  };
  for (const s of TABLE_SOURCES) {
    const items = c.scenes[s];
    const first = items?.[0];
    row[`${s}_ids`] = items ? (items.map((i) => i.id) as never) : null;
    row[`${s}_datetime`] = first?.datetime ?? null;
    row[`${s}_coverage`] = c.coverage[s] ?? null;
    row[`${s}_cloud_cover`] = first?.cloudCover ?? null;
    row[`${s}_processing_baseline`] = first?.processingBaseline ?? null;
    row[`${s}_orbit_state`] = first?.orbitState ?? null;
    row[`${s}_hrefs`] = items ? (hrefsByBand(items) as never) : null;
    row[`${s}_items`] = items ? (items as never) : null;
  }
  return row;
}

/** Band -> hrefs of that band in mosaic order. */
function hrefsByBand(items: SceneItem[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const it of items) for (const [band, a] of Object.entries(it.assets)) (out[band] ??= []).push(a.href);
  return out;
}

/** Streams CellScenes into a Parquet file, one row group per `rowGroupSize` rows. */
export class ScenesTableWriter {
  private writer: ParquetWriter | undefined;
  private pending: Row[] = [];
  private rows = 0;
  constructor(
    readonly path: string,
    private readonly rowGroupSize = 10_000,
  ) {}

  append(cells: CellScenes[]): void {
    for (const c of cells) this.pending.push(sceneRow(c));
    if (this.pending.length >= this.rowGroupSize) this.flush();
  }

  /** Writes what is pending and the footer; returns the number of rows. An empty table still gets its schema. */
  finish(): number {
    if (!this.writer || this.pending.length) this.flush();
    this.writer!.finish();
    return this.rows;
  }

  private flush(): void {
    const columnData: ColumnSource[] = SCENES_COLUMNS.map(([name, type]) => ({
      name,
      type,
      nullable: true,
      data: this.pending.map((r) => r[name] ?? null),
    }));
    if (!this.writer) {
      try {
        this.writer = new ParquetWriter({ writer: fileWriter(this.path), schema: schemaFromColumnData({ columnData }) });
      } catch (e) {
        throw new StageError('discover', `cannot create the scenes table ${this.path}: ${(e as Error).message}`, e);
      }
    }
    if (this.pending.length) this.writer.write({ columnData, rowGroupSize: this.pending.length });
    this.rows += this.pending.length;
    this.pending = [];
  }
}

/** Reads a scenes table back into CellScenes (the tile stage's input when it runs on its own). */
export async function readScenesTable(path: string): Promise<CellScenes[]> {
  let rows: Record<string, unknown>[];
  try {
    rows = (await parquetReadObjects({ file: await asyncBufferFromFile(path) })) as Record<string, unknown>[];
  } catch (e) {
    throw new StageError('discover', `cannot read the scenes table ${path}: ${(e as Error).message}; expected the scenes.parquet written by \`terrafm discover\``, e);
  }
  return rows.map((r) => {
    const scenes: CellScenes['scenes'] = {};
    const coverage: CellScenes['coverage'] = {};
    for (const s of TABLE_SOURCES) {
      const items = parseJson(r[`${s}_items`]);
      if (Array.isArray(items)) scenes[s] = items as SceneItem[];
      if (typeof r[`${s}_coverage`] === 'number') coverage[s] = r[`${s}_coverage`] as number;
    }
    const missing = String(r.missing ?? '');
    return {
      cell: {
        id: String(r.cell_id),
        row: Number(r.row),
        col: Number(r.col),
        lon: Number(r.lon),
        lat: Number(r.lat),
        epsg: Number(r.epsg),
        extent: [Number(r.extent_minx), Number(r.extent_miny), Number(r.extent_maxx), Number(r.extent_maxy)],
        resolution: Number(r.resolution_m),
        sizePx: Number(r.size_px),
      },
      scenes,
      coverage,
      missing: (missing ? missing.split(',') : []) as MissingReason[],
      s1GapDays: typeof r.s1_gap_days === 'number' ? r.s1_gap_days : null,
      complete: Boolean(r.complete),
    };
  });
}

function parseJson(v: unknown): unknown {
  if (typeof v === 'string') return JSON.parse(v);
  return v ?? null;
}
