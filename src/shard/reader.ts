// Reading a corpus back (the trainer's entry point, and validate's): corpus index, shard footers, and
// rows decoded into TileRecord-like objects one row group at a time, so memory is bounded by the largest
// row group however large the shard. Opens every readable schema version (v1 and v2); callers see the
// same TileRecord fields whichever version a file is.
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parquetMetadataAsync, parquetReadObjects, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { ShardError } from '../errors.js';
import { MODALITIES, type Modality, type TileRecord } from '../model/types.js';
import { readCompressors } from './codec.js';
import { layoutFromJson, type CorpusLayout } from './layout.js';
import { readManifest, readStats, type Manifest } from './manifest.js';
import { datetimeText, decodeRow, type ShardRow, type ShardTile } from './row-codec.js';
import { COLUMNS, KV_GEO, KV_STATS, KV_TERRAFM, QUICKLOOK_COLUMNS, SCHEMA_VERSION, columnsOf, type SchemaVersion } from './schema.js';
import { statsFromJson, type CorpusStats, type StatsJson } from './stats.js';

export interface Corpus {
  dir: string;
  manifest: Manifest;
  layout: CorpusLayout;
  /** Dataset statistics (merged over shards): per-band mean/std via bandMoments, class counts. */
  stats: CorpusStats;
  statsJson: StatsJson;
}

/** Reads manifest.json and stats.json of a corpus directory. */
export function openCorpus(dir: string): Corpus {
  const { manifest, layout } = readManifest(dir);
  const { json, stats } = readStats(dir);
  return { dir, manifest, layout, stats, statsJson: json };
}

/** An open shard file: footer parsed, file handle held until close(). */
export interface ShardFile {
  path: string;
  metadata: FileMetaData;
  layout: CorpusLayout;
  /** Schema version the file was written with (from its footer). */
  schemaVersion: SchemaVersion;
  /** The shard's own statistics from the footer. */
  stats: CorpusStats;
  /** Raw key-value metadata as strings. */
  kv: Record<string, string>;
  /** Row ranges [start, end) of each row group. */
  rowGroups: { start: number; end: number }[];
  file: AsyncBuffer;
  close(): Promise<void>;
}

/** Opens a shard and parses its footer; throws ShardError naming the file when it is not a readable shard. */
export async function openShard(path: string): Promise<ShardFile> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw new ShardError(`cannot open ${path}: ${(e as Error).message}`, e);
  }
  const size = (await handle.stat()).size;
  const h = handle;
  const file: AsyncBuffer = {
    byteLength: size,
    async slice(start: number, end?: number) {
      const stop = end ?? size;
      const buf = new Uint8Array(stop - start);
      let off = 0;
      while (off < buf.length) {
        const { bytesRead } = await h.read(buf, off, buf.length - off, start + off);
        if (bytesRead === 0) throw new ShardError(`${path}: unexpected end of file at byte ${start + off}`);
        off += bytesRead;
      }
      return buf.buffer;
    },
  };
  try {
    const metadata = await parquetMetadataAsync(file, { geoparquet: false });
    const kv: Record<string, string> = {};
    for (const { key, value } of metadata.key_value_metadata ?? []) kv[key] = value ?? '';
    for (const key of [KV_TERRAFM, KV_STATS, KV_GEO]) if (!(key in kv)) throw new ShardError(`${path}: file metadata key "${key}" is missing`);
    const parse = (key: string) => {
      try {
        return JSON.parse(kv[key]);
      } catch (e) {
        throw new ShardError(`${path}: file metadata "${key}" is not valid JSON`, e);
      }
    };
    const layout = layoutFromJson(parse(KV_TERRAFM), path);
    const stats = statsFromJson(parse(KV_STATS), `${path} (${KV_STATS})`);
    const rowGroups: { start: number; end: number }[] = [];
    let start = 0;
    for (const rg of metadata.row_groups) {
      const n = Number(rg.num_rows);
      rowGroups.push({ start, end: start + n });
      start += n;
    }
    return { path, metadata, layout, schemaVersion: layout.schemaVersion ?? SCHEMA_VERSION, stats, kv, rowGroups, file, close: () => h.close() };
  } catch (e) {
    await h.close();
    if (e instanceof ShardError) throw e;
    throw new ShardError(`${path}: cannot read the Parquet footer: ${(e as Error).message}`, e);
  }
}

export interface ReadOptions {
  /** Row-group indices to read (default all, in order). */
  rowGroups?: number[];
  /** Schema columns to read (default all); `tile_id` is always included. See modalityColumns(). */
  columns?: string[];
}

/** The schema columns of some modalities (plus the tile's own fields), for ReadOptions.columns. */
export function columnsFor(modalities: Modality[], extra: string[] = ['landcover', 'class_histogram', 'sample_weight']): string[] {
  return ['tile_id', ...COLUMNS.filter((c) => c.modality && modalities.includes(c.modality)).map((c) => c.name), ...extra];
}

const RAW_TIMESTAMPS = { timestampFromMicroseconds: (us: bigint) => us };

/**
 * Rows of one open shard as decoded tiles, one row group in memory at a time. With `columns`, fields
 * whose columns were not read are absent.
 */
export async function* readShardRows(shard: ShardFile, opts: ReadOptions = {}): AsyncGenerator<ShardTile> {
  const name = shard.path.split('/').pop() ?? shard.path;
  for await (const { row, rowIndex } of readRawRows(shard, opts)) {
    const t = decodeRow(row, shard.layout, `${name} row ${rowIndex}`);
    yield { ...(t as TileRecord), shard: name, rowIndex };
  }
}

/** Undecoded rows (column name -> hyparquet value), one row group in memory at a time. */
async function* readRawRows(shard: ShardFile, opts: ReadOptions): AsyncGenerator<{ row: ShardRow; rowIndex: number }> {
  const names = columnsOf(shard.schemaVersion).map((c) => c.name);
  const columns = opts.columns ? [...new Set(['tile_id', ...opts.columns])] : names;
  const unknown = columns.filter((c) => !names.includes(c));
  if (unknown.length) throw new ShardError(`unknown column(s) ${unknown.join(', ')}; schema v${shard.schemaVersion} has ${names.join(', ')}`);
  const groups = opts.rowGroups ?? shard.rowGroups.map((_, i) => i);
  const name = shard.path.split('/').pop() ?? shard.path;
  for (const g of groups) {
    const rg = shard.rowGroups[g];
    if (!rg) throw new ShardError(`${name}: row group ${g} does not exist (the file has ${shard.rowGroups.length})`);
    let rows: ShardRow[];
    try {
      rows = (await parquetReadObjects({
        file: shard.file,
        metadata: shard.metadata,
        columns,
        rowStart: rg.start,
        rowEnd: rg.end,
        compressors: readCompressors(),
        utf8: false,
        geoparquet: false,
        // acquisition times as bigint microseconds: a Date would drop the microseconds STAC datetimes carry
        parsers: RAW_TIMESTAMPS,
      })) as ShardRow[];
    } catch (e) {
      if (e instanceof ShardError) throw new ShardError(`${name}: row group ${g}: ${e.message}`, e);
      throw new ShardError(`${name}: cannot decode row group ${g}: ${(e as Error).message}`, e);
    }
    for (let i = 0; i < rows.length; i++) yield { row: rows[i], rowIndex: rg.start + i };
  }
}

/** A tile's descriptive fields without its pixels: what catalogs (STAC items, footprints) are made of. */
export interface TileMetadata {
  tileId: string;
  cellId: string;
  epsg: number;
  geotransform: TileRecord['geotransform'];
  width: number;
  height: number;
  footprint: [number, number][];
  cloudFraction: number | null;
  sampleWeight: number;
  classHistogram: number[];
  /** Per modality present in the tile: acquisition time (canonical UTC text) and source item ids. */
  modalities: Partial<Record<Modality, { datetime: string; itemIds: string[] }>>;
  shard: string;
  rowIndex: number;
}

/** Every tile of one open shard as TileMetadata: the pixel columns are never read. */
export async function* readTileMetadata(shard: ShardFile): AsyncGenerator<TileMetadata> {
  const perModality = (m: Modality) => [`${m}_datetime`, `${m}_item_ids`];
  const columns = ['tile_id', 'cell_id', 'epsg', 'geotransform', 'width', 'height', 'cloud_fraction', 'sample_weight', 'class_histogram', 'geometry', ...MODALITIES.flatMap(perModality)];
  const name = shard.path.split('/').pop() ?? shard.path;
  for await (const { row, rowIndex } of readRawRows(shard, { columns })) {
    const t = decodeRow(row, shard.layout, `${name} row ${rowIndex}`) as TileRecord;
    const modalities: TileMetadata['modalities'] = {};
    for (const m of MODALITIES) {
      const ids = row[`${m}_item_ids`] as string[] | null;
      if (ids != null) modalities[m] = { datetime: datetimeText(row[`${m}_datetime`]), itemIds: ids };
    }
    yield {
      tileId: t.tileId, cellId: t.cellId, epsg: t.epsg, geotransform: t.geotransform, width: t.width, height: t.height, footprint: t.footprint,
      cloudFraction: t.cloudFraction, sampleWeight: t.sampleWeight, classHistogram: t.classHistogram, modalities, shard: name, rowIndex,
    };
  }
}

/** The stored PNG quicklooks of every tile of one open shard (schema v2; v1 shards have none: ShardError). */
export async function* readQuicklooks(shard: ShardFile): AsyncGenerator<{ tileId: string; s2: Uint8Array | null; s1: Uint8Array | null }> {
  if (shard.schemaVersion < 2) throw new ShardError(`${shard.path}: schema v${shard.schemaVersion} has no quicklook columns (added in v2)`);
  const columns = ['tile_id', QUICKLOOK_COLUMNS.s2, QUICKLOOK_COLUMNS.s1];
  for await (const { row } of readRawRows(shard, { columns })) {
    yield { tileId: row.tile_id as string, s2: (row[QUICKLOOK_COLUMNS.s2] as Uint8Array | null) ?? null, s1: (row[QUICKLOOK_COLUMNS.s1] as Uint8Array | null) ?? null };
  }
}

/** Reads a shard file by path (opens, yields, closes). */
export async function* readShardFile(path: string, opts: ReadOptions = {}): AsyncGenerator<ShardTile> {
  const shard = await openShard(path);
  try {
    yield* readShardRows(shard, opts);
  } finally {
    await shard.close();
  }
}

export interface IterateOptions {
  columns?: string[];
  /** Only these shard files (names as in the manifest), e.g. one subset per data-loader worker. */
  shards?: string[];
}

/** Every tile of a corpus in manifest order, one row group in memory at a time. */
export async function* iterateTiles(dir: string, opts: IterateOptions = {}): AsyncGenerator<ShardTile> {
  const { manifest } = readManifest(dir);
  const wanted = opts.shards ? new Set(opts.shards) : undefined;
  for (const s of manifest.shards) {
    if (wanted && !wanted.has(s.file)) continue;
    yield* readShardFile(join(dir, s.file), { columns: opts.columns });
  }
}

/** File size, or undefined when the file does not exist. */
export async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

/** One row group of one shard: the unit a data loader can shuffle and hand to workers. */
export interface RowGroupRef {
  file: string;
  rowGroup: number;
  rows: number;
}

/** Every row group of a corpus (reads each shard's footer only), in manifest order. */
export async function listRowGroups(dir: string): Promise<RowGroupRef[]> {
  const { manifest } = readManifest(dir);
  const out: RowGroupRef[] = [];
  for (const s of manifest.shards) {
    const shard = await openShard(join(dir, s.file));
    try {
      shard.rowGroups.forEach((g, i) => out.push({ file: s.file, rowGroup: i, rows: g.end - g.start }));
    } finally {
      await shard.close();
    }
  }
  return out;
}
