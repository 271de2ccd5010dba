// One shard file: buffers at most one row group of encoded rows (they reference the tiles' own typed
// arrays, no copies), writes it through hyparquet-writer, accumulates the shard's statistics, and on
// close writes the footer (layout, statistics, GeoParquet metadata) and commits the file atomically.
import { basename } from 'node:path';
import { ParquetWriter } from 'hyparquet-writer';
import type { ColumnSource } from 'hyparquet-writer';
import { ShardError } from '../errors.js';
import { MODALITIES, type TileRecord } from '../model/types.js';
import type { ShardConfig } from '../config/sections/shard.js';
import { AheadCompressor, parquetCodec, writeCompressors } from './codec.js';
import { HashingFileOutput } from './file-output.js';
import { layoutToJson, type CorpusLayout } from './layout.js';
import { encodeRow, tilePayloadBytes, type ShardRow } from './row-codec.js';
import { COLUMNS, CREATED_BY, KV_GEO, KV_STATS, KV_TERRAFM, QUICKLOOK_COLUMNS, geoMetadata, parquetSchema } from './schema.js';
import { tileQuicklookPngs } from '../image/quicklook.js';
import { addLandcover, addTensor, defaultHistogramRange, emptyModalityStats, emptyStats, statsToJson, type CorpusStats } from './stats.js';
import { extendBBox, type BBoxArray, type BBoxStruct } from '../parquet/geo.js';

/** What the manifest records about a finished shard. */
export interface ShardEntry {
  file: string;
  rows: number;
  bytes: number;
  sha256: string;
  /** Smallest and largest tile id (string order). */
  tileIdMin: string;
  tileIdMax: string;
  rowGroups: number;
  /** Uncompressed tensor payload, for throughput figures. */
  payloadBytes: number;
  stats: CorpusStats;
}

/**
 * Most bytes the quicklooks can add to one row: two PNGs of px x px RGB, stored (deflate never grows data
 * by more than a few bytes per 16 KiB block) plus chunk headers. The sink counts it before adding a tile,
 * so shards still end at or below max_bytes.
 */
export function quicklookAllowance(cfg: Pick<ShardConfig, 'quicklooks' | 'quicklookPx'>): number {
  return cfg.quicklooks ? 2 * (cfg.quicklookPx * (cfg.quicklookPx * 3 + 1) + 1024) : 0;
}

/** Target uncompressed page size: a tensor larger than this is one page of its own. */
const PAGE_SIZE = 1024 * 1024;

export class ShardFileWriter {
  private readonly out: HashingFileOutput;
  private readonly pw: ParquetWriter;
  /** zstd pages of large blobs compressed on other threads while the main thread computes statistics. */
  private readonly ahead: AheadCompressor | undefined;
  private buffered: ShardRow[] = [];
  private bufferedPayload = 0;
  private readonly stats: CorpusStats = emptyStats();
  private bbox: BBoxArray | undefined;
  private idMin: string | undefined;
  private idMax: string | undefined;
  private rowGroups = 0;
  rows = 0;
  payloadBytes = 0;

  constructor(
    readonly path: string,
    private readonly cfg: ShardConfig,
    /** Shared with the sink: locked by the first tile with each modality, checked for every later one. */
    private readonly layout: CorpusLayout,
  ) {
    this.out = new HashingFileOutput(path);
    this.ahead = cfg.compression === 'zstd' ? new AheadCompressor(cfg.compressionLevel) : undefined;
    this.pw = new ParquetWriter({
      writer: this.out,
      // hyparquet-writer bundles its own hyparquet copy; the SchemaElement shapes are the same
      schema: parquetSchema() as ConstructorParameters<typeof ParquetWriter>[0]['schema'],
      codec: parquetCodec(cfg.compression),
      compressors: this.ahead ? { ZSTD: this.ahead.compress } : writeCompressors(cfg.compression, cfg.compressionLevel),
      statistics: true,
      createdBy: CREATED_BY,
    });
  }

  /** Bytes already in the file plus tiles still buffered at their uncompressed size (an upper bound). */
  get sizeEstimate(): number {
    return this.out.offset + this.bufferedPayload;
  }

  /** Adds a tile; resolves once its row group (if this tile completed one) is in the file. */
  async add(tile: TileRecord): Promise<void> {
    const { row, classCounts } = encodeRow(tile, this.layout);
    const ql = this.cfg.quicklooks ? tileQuicklookPngs(tile.modalities, this.cfg.quicklookPx) : {};
    row[QUICKLOOK_COLUMNS.s2] = ql.s2 ?? null;
    row[QUICKLOOK_COLUMNS.s1] = ql.s1 ?? null;
    if (this.ahead) {
      // only values larger than a page are alone in their page; smaller ones share pages, compressed later
      for (const c of COLUMNS) {
        const v = row[c.name];
        if (c.blob && v instanceof Uint8Array && v.byteLength + 4 > PAGE_SIZE) this.ahead.prepare(v);
      }
    }
    addLandcover(this.stats, classCounts);
    for (const m of MODALITIES) {
      const x = tile.modalities[m];
      if (!x) continue;
      let ms = this.stats.modalities[m];
      if (!ms) {
        const [lo, hi] = this.cfg.histogramRanges[m] ?? defaultHistogramRange(x.dtype);
        ms = this.stats.modalities[m] = emptyModalityStats(x.dtype, x.bands, lo, hi, this.cfg.histogramBins);
      }
      addTensor(ms, x.data, x.nodata);
    }
    this.bbox = extendBBox(this.bbox, row.bbox as BBoxStruct);
    if (this.idMin === undefined || tile.tileId < this.idMin) this.idMin = tile.tileId;
    if (this.idMax === undefined || tile.tileId > this.idMax) this.idMax = tile.tileId;
    const payload = tilePayloadBytes(tile);
    const previews = ((row[QUICKLOOK_COLUMNS.s2] as Uint8Array | null)?.byteLength ?? 0) + ((row[QUICKLOOK_COLUMNS.s1] as Uint8Array | null)?.byteLength ?? 0);
    this.buffered.push(row);
    this.bufferedPayload += payload + previews;
    this.payloadBytes += payload;
    this.rows++;
    if (this.buffered.length >= this.cfg.rowGroupRows || this.bufferedPayload >= this.cfg.rowGroupBytes) await this.flushRowGroup();
  }

  private async flushRowGroup(): Promise<void> {
    if (this.buffered.length === 0) return;
    await this.ahead?.settle();
    const rows = this.buffered;
    const columnData: ColumnSource[] = COLUMNS.map((c) => ({
      name: c.name,
      data: rows.map((r) => r[c.name]) as ColumnSource['data'],
      // blobs: PLAIN (a dictionary never pays off) and no min/max (they would copy pixel bytes into the footer)
      ...(c.blob ? { encoding: 'PLAIN' as const, statistics: false } : {}),
    }));
    try {
      this.pw.write({ columnData, rowGroupSize: rows.length, pageSize: PAGE_SIZE });
    } catch (e) {
      if (e instanceof ShardError) throw e;
      throw new ShardError(`${basename(this.path)}: writing row group ${this.rowGroups} failed: ${(e as Error).message}`, e);
    }
    this.ahead?.clear();
    this.rowGroups++;
    this.buffered = [];
    this.bufferedPayload = 0;
  }

  /** Writes the last row group and the footer, fsyncs and renames; returns the manifest entry. */
  async close(): Promise<ShardEntry> {
    await this.flushRowGroup();
    const geo = geoMetadata(this.bbox);
    this.pw.kvMetadata = [
      { key: KV_TERRAFM, value: JSON.stringify(layoutToJson(this.layout)) },
      { key: KV_STATS, value: JSON.stringify(statsToJson(this.stats)) },
      { key: KV_GEO, value: JSON.stringify(geo) },
    ];
    this.pw.finish();
    const bytes = this.out.offset;
    const sha256 = this.out.commit();
    return {
      file: basename(this.path),
      rows: this.rows,
      bytes,
      sha256,
      tileIdMin: this.idMin ?? '',
      tileIdMax: this.idMax ?? '',
      rowGroups: this.rowGroups,
      payloadBytes: this.payloadBytes,
      stats: this.stats,
    };
  }

  /** Drops the unfinished file. */
  abort(): void {
    this.out.discard();
  }
}
