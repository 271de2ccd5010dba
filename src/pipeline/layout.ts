// The run directory: every file and folder name a stage reads or writes under <run>/, in one place,
// so one stage finds another's output without importing that stage. Paths are relative to the run
// directory unless a function takes it.
import { join } from 'node:path';

/** discover: the cells kept and their chosen scenes (GeoParquet). */
export const SCENES_TABLE = 'scenes.parquet';
/** discover: counts, reasons and request statistics of the searches. */
export const DISCOVER_SUMMARY = 'discover-summary.json';
/** sample: the land-cover pass (landcover.parquet, class-frequencies.json). */
export const LANDCOVER_DIR = 'landcover';
export const LANDCOVER_TABLE = 'landcover.parquet';
export const CLASS_FREQUENCIES = 'class-frequencies.json';
/** sample: the drawn sample and its report (file names also used by `terrafm sample --out`). */
export const SAMPLE_DIR = 'sample';
export const SAMPLE_FILE = 'sample.parquet';
export const REPORT_FILE = 'report.json';
export const SAMPLE_TABLE = join(SAMPLE_DIR, SAMPLE_FILE);
export const SAMPLE_REPORT = join(SAMPLE_DIR, REPORT_FILE);
/** tile: the shard corpus (shards, manifest.json, stats.json) and, beside it, the failed tiles. */
export const CORPUS_DIR = 'corpus';
export const TILE_FAILURES = 'tile-failures.jsonl';
/** train: checkpoints, the encoder and the evaluation reports. */
export const TRAIN_DIR = 'train';
/** discover: the on-disk STAC response cache (discover.cache). */
export const STAC_CACHE_DIR = join('cache', 'stac');
/** The runner's record of the whole run. */
export const RUN_RECORD = 'run.json';
/** What a run remembers between attempts: done markers, the run lock, the tile journal. */
export const STATE_DIR = 'state';
export const TILE_JOURNAL = 'tile-journal.jsonl';

export function stateDir(runDir: string): string {
  return join(runDir, STATE_DIR);
}
