// The tile stage's shard sink with its journal: each finished shard is journalled
// (state/tile-journal.jsonl) with where in the plan the next shard starts and the failures met so far.
// Tiles come in plan order (sorted by tile id) and the sink cuts shards by rows/bytes only, so after a
// crash the kept shards are a prefix of what an uninterrupted run writes, and going on from the
// journalled plan position writes the rest identically: same shard files, byte for byte.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { canonicalJson } from '../canonical-json.js';
import type { PipelineConfig } from '../config/pipeline.js';
import { openShardSink, type ShardSink } from '../shard/index.js';
import { appendJournal, journalShard } from '../shard/journal.js';
import { prepareResume } from '../shard/resume.js';
import type { TileFailure } from './failure.js';
import type { TilePlan } from './plan.js';

/** What the tile stage keeps in each journal line beside the shard itself. */
interface TileProgress {
  /** Index in the plan of the first tile not accounted for by this and earlier shards. */
  nextIndex: number;
  nextTileId: string | null;
  /** Failure and skip rows of plan tiles before nextIndex not reported by earlier lines. */
  failures: TileFailure[];
}

export interface TileSink {
  sink: ShardSink;
  /** Plan position to go on from (0 on a fresh start). */
  start: number;
  resumedShards: number;
  resumedTiles: number;
  /** Shards the journal listed that no longer matched their files (redone). */
  droppedShards: number;
  /** Unfinished files the reopening removed. */
  deletedFiles: number;
  /** Records a failure or skip row; it is journalled with the next shard that closes. */
  fail(f: TileFailure): void;
  /** Every failure and skip row so far, earlier attempts' included, in plan order (call after the sink closed). */
  failures(): TileFailure[];
}

/** Tile and shard settings that change the corpus bytes (GDAL threads, cache, HTTP retries do not). */
export function tileOutputConfig(config: Pick<PipelineConfig, 'tile' | 'shard'>): unknown {
  const { concurrency: _c, gdalCacheMb: _m, gdalThreads: _t, http: _h, ...tile } = config.tile;
  return { tile, shard: config.shard };
}

/** Journal key: the plan (every job: grid, hrefs, weights) and the output settings (pure). */
export function planKey(plan: TilePlan, config: Pick<PipelineConfig, 'tile' | 'shard'>): string {
  const h = createHash('sha256').update(canonicalJson(tileOutputConfig(config)));
  for (const t of plan.tiles) h.update('\n').update(canonicalJson(t));
  return h.digest('hex');
}

/**
 * Opens the corpus sink for `plan`. With a `journal` path, finished shards of an earlier attempt that
 * still match are kept and the run goes on after them; without one, the corpus is written afresh.
 */
export function openTileSink(corpusDir: string, config: Pick<PipelineConfig, 'tile' | 'shard'>, plan: TilePlan, journal?: string): TileSink {
  const failures: TileFailure[] = [];
  let pending: TileFailure[] = [];
  const base = { fail: (f: TileFailure) => void pending.push(f), failures: () => [...failures, ...pending] };
  if (journal === undefined) {
    return { ...base, sink: openShardSink(corpusDir, config.shard, { overwrite: true }), start: 0, resumedShards: 0, resumedTiles: 0, droppedShards: 0, deletedFiles: 0 };
  }
  mkdirSync(dirname(journal), { recursive: true });
  const rp = prepareResume(corpusDir, journal, config.shard, planKey(plan, config));
  for (const j of rp.kept) failures.push(...(j.progress as TileProgress).failures);
  const indexOf = new Map(plan.tiles.map((t, i) => [t.tileId, i]));
  const sink = openShardSink(corpusDir, config.shard, {
    resume: { entries: rp.entries, layout: rp.layout, tileIds: rp.kept.flatMap((j) => j.tileIds) },
    onShardClosed: (entry, info) => {
      const nextIndex = info.nextTileId === null ? plan.tiles.length : indexOf.get(info.nextTileId)!;
      const progress: TileProgress = { nextIndex, nextTileId: info.nextTileId, failures: pending };
      failures.push(...pending);
      pending = [];
      appendJournal(journal, journalShard(info.seq, entry, info.layout, info.tileIds, progress));
    },
  });
  return {
    ...base,
    sink,
    start: (rp.kept.at(-1)?.progress as TileProgress | undefined)?.nextIndex ?? 0,
    resumedShards: rp.kept.length,
    resumedTiles: rp.kept.reduce((n, j) => n + j.rows, 0),
    droppedShards: rp.dropped.length,
    deletedFiles: rp.deleted.length,
  };
}
