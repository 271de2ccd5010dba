// The tile stage over a run directory: the cells discovery kept (or the sampler chose) are planned,
// warped with GDAL and streamed straight into the Parquet shard writer: no temporary rasters on the
// hot path, at most `concurrency + 1` tiles in memory. Failed tiles go to tile-failures.jsonl; the
// corpus (shards, stats.json, manifest.json) lands in <run>/corpus/. Resumable through the shard
// journal (resumable-sink.ts). `terrafm run` reaches it through adapter.ts.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import type { PipelineConfig } from '../config/pipeline.js';
import { readScenesTable } from '../discover/scenes-table.js';
import { assetAccessFor, assetPatcherFor } from '../net/link-access.js';
import { StageError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { MODALITIES, type Modality } from '../model/types.js';
import { CORPUS_DIR, SCENES_TABLE, stateDir, TILE_FAILURES, TILE_JOURNAL } from '../pipeline/layout.js';
import { sampleTableOf } from '../pipeline/sample-from.js';
import { readSampleWeights } from '../sample/outputs.js';
import { failuresJsonLines } from './failures-table.js';
import { planTiles, type TilePlan } from './plan.js';
import { openTileSink } from './resumable-sink.js';
import { runTiles } from './run-tiles.js';
import type { BandReader } from './warp.js';

export interface TileRunDirOptions {
  log: Logger;
  /** Journal finished shards so a killed run resumes; false writes the corpus afresh. */
  resumable: boolean;
  /** Stop at the first failed tile (StageError) instead of recording it and going on. */
  failFast: boolean;
  /** `--sample-from` table (read here when the pipeline has no sampling section). */
  sampleFrom?: string;
  /** Pixel source instead of GDAL (fault injection in tests). */
  reader?: BandReader;
}

export interface TileRunDirResult {
  planned: number;
  tiles: number;
  failed: number;
  skipped: number;
  resumedShards: number;
  resumedTiles: number;
  corpus: string;
  shards: number;
  bytes: number;
  failuresTable: string;
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

/** The tile plan of a run directory: kept cells, narrowed to the sample when there is one. */
async function planOfRunDir(config: PipelineConfig, runDir: string, sampleFrom: string | undefined): Promise<TilePlan> {
  let cells = await readScenesTable(join(runDir, SCENES_TABLE));
  let sampleWeights: Map<string, number> | undefined;
  const sampleTable = sampleTableOf(runDir, config.sampling !== undefined, sampleFrom);
  if (sampleTable !== undefined && existsSync(sampleTable)) {
    sampleWeights = await readSampleWeights(sampleTable);
    cells = cells.filter((c) => sampleWeights!.has(c.cell.id));
  }
  return planTiles(cells, config.tile, { sampleWeights, access: assetAccessFor(config.sources), hrefRoots: localCatalogDirs(config) });
}

export async function tileRunDir(config: PipelineConfig, runDir: string, opts: TileRunDirOptions): Promise<TileRunDirResult> {
  const { log } = opts;
  const plan = await planOfRunDir(config, runDir, opts.sampleFrom);
  const corpusDir = join(runDir, CORPUS_DIR);
  const out = openTileSink(corpusDir, config, plan, opts.resumable ? join(stateDir(runDir), TILE_JOURNAL) : undefined);
  const { sink, start, resumedShards, resumedTiles } = out;
  if (resumedShards || out.deletedFiles) {
    log.info(`tile: resuming after ${resumedShards} finished shard(s) (${resumedTiles} tiles, plan position ${start}/${plan.tiles.length}); removed ${out.deletedFiles} unfinished file(s)${out.droppedShards ? `; ${out.droppedShards} journalled shard(s) no longer matched and are redone` : ''}`);
  }

  const todo: TilePlan = { tiles: plan.tiles.slice(start) };
  const progress = log.progress('tile', plan.tiles.length, 'tiles');
  for (let i = 0; i < start; i++) progress.tick();
  let ok = resumedTiles;
  try {
    for await (const r of runTiles(todo, { config: config.tile, reader: opts.reader, sign: assetPatcherFor(config.sources) })) {
      if ('stage' in r) {
        out.fail(r);
        if (r.kind === 'failure' && opts.failFast) {
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
  // rows after the last shard are included (only when no shard was open to carry them)
  const failures = out.failures();
  const failed = failures.filter((f) => f.kind === 'failure').length;
  const skipped = failures.length - failed;
  progress.done(`${ok} tiles, ${failed} failed, ${skipped} skipped`);
  const failuresTable = join(runDir, TILE_FAILURES);
  writeFileAtomic(failuresTable, failuresJsonLines(failures));
  for (const f of failures.filter((x) => x.kind !== 'skipped').slice(0, 10)) {
    log.warn(`tile ${f.tileId} failed at ${f.stage}${f.href ? ` (${f.href})` : ''}: ${f.error}`);
  }
  return {
    planned: plan.tiles.length,
    tiles: ok,
    failed,
    skipped,
    resumedShards,
    resumedTiles,
    corpus: corpusDir,
    shards: corpus.manifest.shards.length,
    bytes: corpus.manifest.bytes,
    failuresTable,
  };
}
