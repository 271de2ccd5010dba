// The scenes table: one Parquet row per kept cell, written in row groups as discovery streams, so a
// global run never holds the whole table. It is GeoParquet 1.1 (cell footprint as WKB `geometry` with a
// `bbox` covering column), acquisition times are UTC timestamps, ids, bands and hrefs are list columns, so
// DuckDB, GeoPandas or QGIS filter it directly. `<source>_items` (JSON) holds the chosen SceneItems in
// full, so `readScenesTable` gives the tile stage back exactly the CellScenes that discovery produced.

import { asyncBufferFromFile, parquetReadObjects, type SchemaElement } from 'hyparquet';
import { ParquetWriter, fileWriter, type ColumnSource } from 'hyparquet-writer';
import { StageError } from '../errors.js';
import type { SceneItem, SourceName } from '../model/types.js';
import { BBOX_COLUMN, GEOMETRY_COLUMN, bboxSchemaElements, bboxStruct, extendBBox, geoMetadata, type BBoxArray, type BBoxStruct } from '../parquet/geo.js';
import { isoToMicros } from '../parquet/timestamps.js';
import { polygonToWkb } from '../parquet/wkb.js';
import { extentRing } from '../grid/index.js';
import type { CellScenes, MissingReason } from './types.js';

export const TABLE_SOURCES: readonly SourceName[] = ['s2_l2a', 's2_l1c', 's1', 'landcover'];

type Row = Record<string, unknown>;
type Kind = 'string' | 'int32' | 'double' | 'boolean' | 'timestamp' | 'json' | 'list<string>' | 'wkb' | 'bbox';

/** Column names and kinds, in table order. */
export const SCENES_COLUMNS: readonly [string, Kind][] = [
  ['cell_id', 'string'],
  ['row', 'int32'],
  ['col', 'int32'],
  ['lon', 'double'],
  ['lat', 'double'],
  ['epsg', 'int32'],
  ['extent_minx', 'double'],
  ['extent_miny', 'double'],
  ['extent_maxx', 'double'],
  ['extent_maxy', 'double'],
  ['resolution_m', 'double'],
  ['size_px', 'int32'],
  ['complete', 'boolean'],
  ['missing', 'list<string>'],
  ...TABLE_SOURCES.flatMap((s): [string, Kind][] => [
    [`${s}_ids`, 'list<string>'],
    [`${s}_datetime`, 'timestamp'],
    [`${s}_coverage`, 'double'],
    [`${s}_cloud_cover`, 'double'],
    [`${s}_processing_baseline`, 'string'],
    [`${s}_orbit_state`, 'string'],
    [`${s}_bands`, 'list<string>'],
    [`${s}_hrefs`, 'list<string>'],
    [`${s}_items`, 'json'],
  ]),
  ['s1_gap_days', 'double'],
  [GEOMETRY_COLUMN, 'wkb'],
  [BBOX_COLUMN, 'bbox'],
];

/** Parquet schema of the table: scalars nullable, lists 3-level, geometry and bbox required. */
function scenesSchema(): SchemaElement[] {
  const out: SchemaElement[] = [{ name: 'root', num_children: SCENES_COLUMNS.length }];
  const opt = 'OPTIONAL' as const;
  for (const [name, kind] of SCENES_COLUMNS) {
    switch (kind) {
      case 'string': out.push({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type: opt }); break;
      case 'json': out.push({ name, type: 'BYTE_ARRAY', converted_type: 'JSON', logical_type: { type: 'JSON' }, repetition_type: opt }); break;
      case 'int32': out.push({ name, type: 'INT32', repetition_type: opt }); break;
      case 'double': out.push({ name, type: 'DOUBLE', repetition_type: opt }); break;
      case 'boolean': out.push({ name, type: 'BOOLEAN', repetition_type: opt }); break;
      case 'timestamp': out.push({ name, type: 'INT64', converted_type: 'TIMESTAMP_MICROS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' }, repetition_type: opt }); break;
      case 'list<string>':
        out.push({ name, repetition_type: opt, converted_type: 'LIST', logical_type: { type: 'LIST' }, num_children: 1 });
        out.push({ name: 'list', repetition_type: 'REPEATED', num_children: 1 });
        out.push({ name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type: 'REQUIRED' });
        break;
      case 'wkb': out.push({ name, type: 'BYTE_ARRAY', repetition_type: 'REQUIRED' }); break;
      case 'bbox': out.push(...bboxSchemaElements()); break;
    }
  }
  return out;
}

/** Acquisition time of a scene as microseconds; the error names the cell and source. */
function micros(c: CellScenes, s: SourceName, datetime: string | undefined): bigint | null {
  if (!datetime) return null;
  try {
    return isoToMicros(datetime);
  } catch (e) {
    throw new StageError('discover', `cell ${c.cell.id}: ${s} ${(e as Error).message}`, e);
  }
}

/** One table row of a cell. */
export function sceneRow(c: CellScenes): Row {
  const [minx, miny, maxx, maxy] = c.cell.extent;
  const ring = extentRing(c.cell);
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
    missing: [...c.missing],
    s1_gap_days: c.s1GapDays,
    [GEOMETRY_COLUMN]: polygonToWkb(ring),
    [BBOX_COLUMN]: bboxStruct(ring),
  };
  for (const s of TABLE_SOURCES) {
    const items = c.scenes[s];
    const first = items?.[0];
    const assets = items ? assetList(items) : null;
    row[`${s}_ids`] = items ? items.map((i) => i.id) : null;
    row[`${s}_datetime`] = micros(c, s, first?.datetime);
    row[`${s}_coverage`] = c.coverage[s] ?? null;
    row[`${s}_cloud_cover`] = first?.cloudCover ?? null;
    row[`${s}_processing_baseline`] = first?.processingBaseline ?? null;
    row[`${s}_orbit_state`] = first?.orbitState ?? null;
    row[`${s}_bands`] = assets ? assets.map(([band]) => band) : null;
    row[`${s}_hrefs`] = assets ? assets.map(([, href]) => href) : null;
    row[`${s}_items`] = items ?? null;
  }
  return row;
}

/** [band, href] of every asset, items in mosaic order: `<s>_bands[k]` is the band of `<s>_hrefs[k]`. */
function assetList(items: SceneItem[]): [string, string][] {
  return items.flatMap((it) => Object.entries(it.assets).map(([band, a]): [string, string] => [band, a.href]));
}

/** Streams CellScenes into a Parquet file, one row group per `rowGroupSize` rows. */
export class ScenesTableWriter {
  private writer: ParquetWriter | undefined;
  private pending: Row[] = [];
  private rows = 0;
  private bbox: BBoxArray | undefined;
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
    this.writer!.kvMetadata = [{ key: 'geo', value: JSON.stringify(geoMetadata(['Polygon'], this.bbox)) }];
    this.writer!.finish();
    return this.rows;
  }

  private flush(): void {
    const columnData: ColumnSource[] = SCENES_COLUMNS.map(([name]) => ({
      name,
      data: this.pending.map((r) => r[name] ?? null) as ColumnSource['data'],
      ...(name === GEOMETRY_COLUMN ? { statistics: false } : {}),
    }));
    if (!this.writer) {
      try {
        this.writer = new ParquetWriter({ writer: fileWriter(this.path), schema: scenesSchema() as ConstructorParameters<typeof ParquetWriter>[0]['schema'] });
      } catch (e) {
        throw new StageError('discover', `cannot create the scenes table ${this.path}: ${(e as Error).message}`, e);
      }
    }
    if (this.pending.length) this.writer.write({ columnData, rowGroupSize: this.pending.length });
    for (const r of this.pending) this.bbox = extendBBox(this.bbox, r[BBOX_COLUMN] as BBoxStruct);
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
    const missing = Array.isArray(r.missing) ? (r.missing as string[]) : [];
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
      missing: missing as MissingReason[],
      s1GapDays: typeof r.s1_gap_days === 'number' ? r.s1_gap_days : null,
      complete: Boolean(r.complete),
    };
  });
}

function parseJson(v: unknown): unknown {
  if (typeof v === 'string') return JSON.parse(v);
  return v ?? null;
}
