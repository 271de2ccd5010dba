// `--sample-from`: a sample table drawn once over every cell and handed to partitioned runs (a draw
// over one partition's cells would not be the draw over all of them). The runner checks the file
// before any stage runs; with a `sampling:` section the sample stage copies it in instead of drawing,
// without one the tile stage reads it directly. Both find the table to use through sampleTableOf.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { SAMPLE_TABLE } from './layout.js';

/** Throws a UsageError when a given `--sample-from` table does not exist. */
export function checkSampleFrom(sampleFrom: string | undefined): void {
  if (sampleFrom !== undefined && !existsSync(sampleFrom)) {
    throw new UsageError(`--sample-from: ${sampleFrom} does not exist; expected the sample/sample.parquet of an unpartitioned run`);
  }
}

/** The given table's bytes (sha256), for fingerprints: replacing the file redoes what read it. */
export function sampleFromDigest(sampleFrom: string | undefined): string | null {
  if (sampleFrom === undefined) return null;
  return existsSync(sampleFrom) ? createHash('sha256').update(readFileSync(sampleFrom)).digest('hex') : sampleFrom;
}

/** The sample table the tile stage keeps cells of: the sample stage's output when the pipeline samples, else the given one (or none). */
export function sampleTableOf(runDir: string, sampling: boolean, sampleFrom: string | undefined): string | undefined {
  return sampling ? join(runDir, SAMPLE_TABLE) : sampleFrom;
}
