// The tile stage as `terrafm run` sees it: the cells discovery kept (or the sampler chose) are planned,
// warped with GDAL and streamed straight into the Parquet shard writer: no temporary rasters on the
// hot path, at most `concurrency + 1` tiles in memory. Failed tiles go to tile-failures.jsonl and
// make the stage `partial`; the corpus (shards, stats.json, manifest.json) lands in <run>/corpus/.
//
// Resumable: each finished shard is journalled (state/tile-journal.jsonl) with where in the plan the
// next shard starts and the failures met so far. Tiles come in plan order (sorted by tile id) and the
// sink cuts shards by rows/bytes only, so after a crash the kept shards are a prefix of what an
// uninterrupted run writes, and going on from the journalled plan position writes the rest
// identically: same shard files, byte for byte.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readScenesTable } from '../discover/scenes-table.js';
import { SCENES_TABLE } from '../discover/stage.js';
import { assetAccessFor, assetPatcherFor } from '../net/link-access.js';
import type { PipelineConfig } from '../config/pipeline.js';
import { MODALITIES, type Modality } from '../model/types.js';
import { StageError, UsageError } from '../errors.js';
import type { Stage } from '../pipeline/stage.js';
import { canonicalJson, stateDir } from '../pipeline/state.js';
import { readSampleWeights } from '../sample/outputs.js';
import { SAMPLE_TABLE } from '../sample/pipeline-stage.js';
import { openShardSink, type ShardSink } from '../shard/index.js';
import { appendJournal, journalShard } from '../shard/journal.js';
import { prepareResume } from '../shard/resume.js';
import { failuresJsonLines, planTiles, runTiles, type BandReader, type TileFailure, type TilePlan } from './index.js';

export const CORPUS_DIR = 'corpus';
export const TILE_FAILURES = 'tile-failures.jsonl';
export const TILE_JOURNAL = 'tile-journal.jsonl';

/** What the tile stage keeps in each journal line beside the shard itself. */
interface TileProgress {
  /** Index in the plan of the first tile not accounted for by this and earlier shards. */
  nextIndex: number;
  nextTileId: string | null;
  /** Failure and skip rows of plan tiles before nextIndex not reported by earlier lines. */
  failures: TileFailure[];
}

/** Folder of each modality's local static catalog: the corpus records hrefs relative to it. */
function localCatalogDirs(config: PipelineConfig): Partial<Record<Modality, string>> {
  const out: Partial<Record<Modality, string>> = {};
  for (const m of MODALITIES) {
    const catalog = config.sources[m]?.catalog;
    if (config.sources[m]?.provider === 'static' && catalog && !/^[a-z][a-z0-9+.-]*:\/\//i.test(catalog)) out[m] = dirname(catalog);
  }
  return out;
}

/** Tile and shard settings that change the corpus bytes (GDAL threads, cache, HTTP retries do not). */
function outputConfig(config: PipelineConfig): unknown {
  const { concurrency: _c, gdalCacheMb: _m, gdalThreads: _t, http: _h, ...tile } = config.tile;
  return { tile, shard: config.shard };
}

/** Journal key: the plan (every job: grid, hrefs, weights) and the output settings (pure). */
export function planKey(plan: TilePlan, config: PipelineConfig): string {
  const h = createHash('sha256').update(canonicalJson(outputConfig(config)));
  for (const t of plan.tiles) h.update('\n').update(canonicalJson(t));
  return h.digest('hex');
}

/** Test hook: a BandReader used instead of GDAL (fault injection). */
let readerOverride: BandReader | undefined;
export function setTileReaderForTests(r: BandReader | undefined): void {
  readerOverride = r;
}

export const tileStage: Stage = {
  name: 'tile',
  description: 'Warp every modality and the land-cover map onto each cell grid (GDAL) and stream the tiles into Parquet shards',
  enabled: () => true,
  // without a sampling section, a --sample-from table is read here directly (with one, the sample stage copies it in)
  configParts: (config, { sampleFrom }) => ({ output: outputConfig(config), sampleFrom: config.sampling ? null : (sampleFrom ?? null) }),
  async run(ctx) {
    const { config, runDir } = ctx;
    let cells = await readScenesTable(join(runDir, SCENES_TABLE));
    let sampleWeights: Map<string, number> | undefined;
    const sampleTable = config.sampling ? join(runDir, SAMPLE_TABLE) : ctx.sampleFrom;
    if (ctx.sampleFrom !== undefined && !existsSync(ctx.sampleFrom)) throw new UsageError(`--sample-from: ${ctx.sampleFrom} does not exist; expected the sample/sample.parquet of an unpartitioned run`);
    if (sampleTable !== undefined && existsSync(sampleTable)) {
      sampleWeights = await readSampleWeights(sampleTable);
      cells = cells.filter((c) => sampleWeights!.has(c.cell.id));
    }
    const plan = planTiles(cells, config.tile, { sampleWeights, access: assetAccessFor(config.sources), hrefRoots: localCatalogDirs(config) });
    const corpusDir = join(runDir, CORPUS_DIR);
    const failures: TileFailure[] = [];
    let pending: TileFailure[] = [];
    let start = 0;
    let resumedTiles = 0;
    let resumedShards = 0;
    let sink: ShardSink;
    if (ctx.resumable) {
      mkdirSync(stateDir(runDir), { recursive: true });
      const journal = join(stateDir(runDir), TILE_JOURNAL);
      const rp = prepareResume(corpusDir, journal, config.shard, planKey(plan, config));
      for (const j of rp.kept) failures.push(...(j.progress as TileProgress).failures);
      start = (rp.kept.at(-1)?.progress as TileProgress | undefined)?.nextIndex ?? 0;
      resumedShards = rp.kept.length;
      resumedTiles = rp.kept.reduce((n, j) => n + j.rows, 0);
      if (rp.kept.length || rp.deleted.length) {
        ctx.log.info(`tile: resuming after ${resumedShards} finished shard(s) (${resumedTiles} tiles, plan position ${start}/${plan.tiles.length}); removed ${rp.deleted.length} unfinished file(s)${rp.dropped.length ? `; ${rp.dropped.length} journalled shard(s) no longer matched and are redone` : ''}`);
      }
      const indexOf = new Map(plan.tiles.map((t, i) => [t.tileId, i]));
      sink = openShardSink(corpusDir, config.shard, {
        resume: { entries: rp.entries, layout: rp.layout, tileIds: rp.kept.flatMap((j) => j.tileIds) },
        onShardClosed: (entry, info) => {
          const nextIndex = info.nextTileId === null ? plan.tiles.length : indexOf.get(info.nextTileId)!;
          const progress: TileProgress = { nextIndex, nextTileId: info.nextTileId, failures: pending };
          failures.push(...pending);
          pending = [];
          appendJournal(journal, journalShard(info.seq, entry, info.layout, info.tileIds, progress));
        },
      });
    } else {
      sink = openShardSink(corpusDir, config.shard, { overwrite: true });
    }

    const todo: TilePlan = { tiles: plan.tiles.slice(start) };
    const progress = ctx.log.progress('tile', plan.tiles.length, 'tiles');
    for (let i = 0; i < start; i++) progress.tick();
    let ok = resumedTiles;
    try {
      for await (const r of runTiles(todo, { config: config.tile, reader: readerOverride, sign: assetPatcherFor(config.sources) })) {
        if ('stage' in r) {
          pending.push(r);
          if (r.kind === 'failure' && ctx.failFast) {
            throw new StageError('tile', `tile ${r.tileId} failed at ${r.stage}${r.href ? ` (${r.href})` : ''}: ${r.error}; stopping (fail-fast); finished shards are kept and a rerun goes on from them`);
          }
        } else {
          await sink.write(r);
          ok++;
        }
        progress.tick();
      }
    } catch (e) {
      await sink.abort();
      throw e;
    }
    const corpus = await sink.close();
    failures.push(...pending); // rows after the last shard (only when no shard was open to carry them)
    pending = [];
    const failed = failures.filter((f) => f.kind === 'failure').length;
    const skipped = failures.length - failed;
    progress.done(`${ok} tiles, ${failed} failed, ${skipped} skipped`);
    await writeFile(join(runDir, TILE_FAILURES), failuresJsonLines(failures));
    for (const f of failures.filter((x) => x.kind !== 'skipped').slice(0, 10)) {
      ctx.log.warn(`tile ${f.tileId} failed at ${f.stage}${f.href ? ` (${f.href})` : ''}: ${f.error}`);
    }
    return {
      status: failed > 0 ? 'partial' : 'ok',
      failures: failed,
      summary: {
        planned: plan.tiles.length,
        tiles: ok,
        failed,
        skipped,
        resumedShards,
        resumedTiles,
        corpus: corpusDir,
        shards: corpus.manifest.shards.length,
        bytes: corpus.manifest.bytes,
        failuresTable: join(runDir, TILE_FAILURES),
      },
    };
  },
};
