// ShardSink: where the tile stage (and `terrafm run`) streams finished tiles. The directory sink cuts
// shards by rows or bytes, rejects duplicate tile ids, and on close writes stats.json then manifest.json.
// Only local directories are supported; writing straight to object storage is out of scope (sync the
// finished directory instead: files are immutable once renamed, so a copy is consistent).
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ShardError } from '../errors.js';
import type { TileRecord } from '../model/types.js';
import type { ShardConfig } from '../config/sections/shard.js';
import { layoutToJson, type CorpusLayout } from './layout.js';
import { MANIFEST_FILE, STATS_FILE, writeManifest, writeStats, type Manifest } from './manifest.js';
import { tilePayloadBytes } from './row-codec.js';
import { SCHEMA_VERSION } from './schema.js';
import { ShardFileWriter, quicklookAllowance, type ShardEntry } from './shard-file-writer.js';
import { emptyStats, mergeStats, statsToJson, type CorpusStats } from './stats.js';

export interface ShardSink {
  /** Adds one tile; may finish a shard file. Throws ShardError for a bad or duplicate tile. */
  write(tile: TileRecord): Promise<void>;
  /** Finishes the open shard, writes stats.json and manifest.json; returns the manifest. */
  close(): Promise<CorpusResult>;
  /** Deletes the unfinished shard (finished shards stay, but no manifest is written). */
  abort(): Promise<void>;
}

export interface CorpusResult {
  manifest: Manifest;
  stats: CorpusStats;
  shards: ShardEntry[];
}

export interface OpenSinkOptions {
  /** Remove an existing corpus (manifest, stats, shards with this prefix) first. Default false: refuse. */
  overwrite?: boolean;
  /** Layout known up front (e.g. from the tile config); otherwise the first tiles fix it. */
  layout?: CorpusLayout;
  /**
   * Go on after the shards an earlier attempt finished (from prepareResume, which has already removed
   * every other corpus file): they stay, numbering continues after them, their tile ids count as
   * written, and their statistics enter the dataset statistics in order.
   */
  resume?: { entries: ShardEntry[]; layout: CorpusLayout; tileIds: Iterable<string> };
  /**
   * Called once a shard file is complete under its final name, with the corpus layout so far, the
   * shard's tile ids and the id of the tile that made the sink cut it (null when `close` did): the
   * hook for a journal. Awaited before the next tile goes in.
   */
  onShardClosed?: (entry: ShardEntry, info: { seq: number; layout: CorpusLayout; tileIds: string[]; nextTileId: string | null }) => void | Promise<void>;
}

const shardName = (prefix: string, n: number) => `${prefix}-${String(n).padStart(5, '0')}.parquet`;

/** Opens a directory as a new corpus. */
export function openShardSink(dir: string, cfg: ShardConfig, opts: OpenSinkOptions = {}): ShardSink {
  mkdirSync(dir, { recursive: true });
  const given = opts.resume?.layout ?? opts.layout;
  if (given?.schemaVersion !== undefined && given.schemaVersion !== SCHEMA_VERSION) {
    throw new ShardError(`${dir}: its shards are schema v${given.schemaVersion}; this writer writes v${SCHEMA_VERSION} and cannot add to them (rewrite the corpus, e.g. run the tile stage with --fresh)`);
  }
  if (opts.resume) return new DirectoryShardSink(dir, cfg, opts.resume.layout, opts);
  const ours = (f: string) => f === MANIFEST_FILE || f === STATS_FILE || (f.startsWith(`${cfg.namePrefix}-`) && (f.endsWith('.parquet') || f.endsWith('.parquet.tmp')));
  const existing = readdirSync(dir).filter(ours);
  if (existing.length) {
    if (!opts.overwrite) throw new ShardError(`${dir} already holds a corpus (${existing.slice(0, 3).join(', ')}${existing.length > 3 ? ', ...' : ''}); use an empty directory or overwrite`);
    for (const f of existing) rmSync(join(dir, f), { force: true });
  }
  return new DirectoryShardSink(dir, cfg, opts.layout ?? { modalities: {} }, opts);
}

class DirectoryShardSink implements ShardSink {
  private current: ShardFileWriter | undefined;
  private readonly entries: ShardEntry[] = [];
  private readonly seen = new Map<string, string>();
  /** Tile ids of the open shard, in write order (for the journal). */
  private currentIds: string[] = [];
  private closed = false;

  constructor(
    private readonly dir: string,
    private readonly cfg: ShardConfig,
    private readonly layout: CorpusLayout,
    private readonly opts: OpenSinkOptions,
  ) {
    const r = opts.resume;
    if (r) {
      this.entries.push(...r.entries);
      for (const id of r.tileIds) this.seen.set(id, 'a shard finished before the resume');
    }
  }

  /** Finishes the open shard and tells the journal hook. */
  private async finishCurrent(nextTileId: string | null): Promise<void> {
    const cur = this.current!;
    let entry: ShardEntry;
    try {
      entry = await cur.close();
    } catch (e) {
      cur.abort(); // e.g. ENOSPC on the footer: leave no .tmp behind
      this.current = undefined;
      throw e;
    }
    this.current = undefined;
    this.entries.push(entry);
    const ids = this.currentIds;
    this.currentIds = [];
    await this.opts.onShardClosed?.(entry, { seq: this.entries.length - 1, layout: this.layout, tileIds: ids, nextTileId });
  }

  async write(tile: TileRecord): Promise<void> {
    if (this.closed) throw new ShardError(`sink for ${this.dir} is already closed`);
    const first = this.seen.get(tile.tileId);
    if (first !== undefined) throw new ShardError(`duplicate tile id ${JSON.stringify(tile.tileId)}: already written to ${first}`);
    const size = tilePayloadBytes(tile) + quicklookAllowance(this.cfg);
    const cur = this.current;
    if (cur && cur.rows > 0 && (cur.rows >= this.cfg.maxRows || cur.sizeEstimate + size > this.cfg.maxBytes)) {
      await this.finishCurrent(tile.tileId);
    }
    this.current ??= new ShardFileWriter(join(this.dir, shardName(this.cfg.namePrefix, this.entries.length)), this.cfg, this.layout);
    await this.current.add(tile);
    this.currentIds.push(tile.tileId);
    this.seen.set(tile.tileId, shardName(this.cfg.namePrefix, this.entries.length));
  }

  async close(): Promise<CorpusResult> {
    if (this.closed) throw new ShardError(`sink for ${this.dir} is already closed`);
    this.closed = true;
    if (this.current) await this.finishCurrent(null);
    // merged in manifest order, the same order validate uses, so the totals are reproducible bit for bit
    const stats = this.entries.reduce((acc, e) => mergeStats(acc, e.stats), emptyStats());
    const manifest: Manifest = {
      format: 'terrafm-shard',
      schema_version: SCHEMA_VERSION,
      tiles: this.entries.reduce((n, e) => n + e.rows, 0),
      bytes: this.entries.reduce((n, e) => n + e.bytes, 0),
      layout: layoutToJson(this.layout),
      shards: this.entries.map((e) => ({ file: e.file, rows: e.rows, bytes: e.bytes, sha256: e.sha256, tile_id_min: e.tileIdMin, tile_id_max: e.tileIdMax, row_groups: e.rowGroups })),
    };
    writeStats(this.dir, statsToJson(stats));
    writeManifest(this.dir, manifest);
    return { manifest, stats, shards: this.entries };
  }

  async abort(): Promise<void> {
    this.closed = true;
    this.current?.abort();
    this.current = undefined;
  }
}

/**
 * Streams tiles (from the tile stage, or any iterable) into a new corpus and closes it; on failure the
 * unfinished shard is deleted and no manifest is written, so a rerun starts clean.
 */
export async function writeCorpusFrom(tiles: AsyncIterable<TileRecord> | Iterable<TileRecord>, dir: string, cfg: ShardConfig, opts: OpenSinkOptions = {}): Promise<CorpusResult> {
  const sink = openShardSink(dir, cfg, opts);
  try {
    for await (const t of tiles) await sink.write(t);
  } catch (e) {
    await sink.abort();
    throw e;
  }
  return sink.close();
}
