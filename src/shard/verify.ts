// Corpus checks shared by `validate` and by everything that consumes a corpus (train, embed, eval,
// the pipeline's train stage): the files against the manifest, stats.json against the shard footers,
// and stats.json's derived mean/std against its own sums. Each problem is the line `validate` prints.
//   full:  sizes and sha256 of every shard (reads every byte once), footers, statistics;
//   cheap: sizes and footers (reads only the footers), statistics.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ShardError, ValidationError } from '../errors.js';
import { logger } from '../log/logger.js';
import { ITEMS_TABLE, MANIFEST_FILE, STATS_FILE, readManifest, readStats, type Manifest, type ManifestShard } from './manifest.js';
import { fileSize, openShard, type ShardFile } from './reader.js';
import { bandMoments, diffStats, emptyStats, mergeStats, type CorpusStats, type StatsJson } from './stats.js';

export type VerifyMode = 'full' | 'cheap';

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Shards on disk the manifest does not list, and unfinished temporary files. */
export function listingProblems(dir: string, manifest: Manifest): string[] {
  const out: string[] = [];
  const listed = new Set(manifest.shards.map((s) => s.file));
  const onDisk = existsSync(dir) ? readdirSync(dir) : [];
  for (const f of onDisk.sort()) {
    if (f.endsWith('.parquet') && !listed.has(f) && f !== ITEMS_TABLE) out.push(`extra shard ${f}: present in ${dir} but not listed in ${MANIFEST_FILE}`);
    if (f.endsWith('.tmp')) out.push(`unfinished file ${f}: a write was interrupted (delete it or rewrite the corpus)`);
  }
  const rows = manifest.shards.reduce((n, s) => n + s.rows, 0);
  if (manifest.tiles !== rows) out.push(`${MANIFEST_FILE}: tiles is ${manifest.tiles} but the shards' rows add up to ${rows}`);
  return out;
}

/** Size (and with `sha`, checksum) of one listed shard; `missing` when there is no file. */
export async function shardFileProblems(dir: string, entry: ManifestShard, sha: boolean): Promise<{ problems: string[]; missing: boolean }> {
  const path = join(dir, entry.file);
  const size = await fileSize(path);
  if (size === undefined) return { problems: [`missing shard ${entry.file}: listed in ${MANIFEST_FILE} but not found`], missing: true };
  const problems: string[] = [];
  if (size !== entry.bytes) problems.push(`${entry.file}: size ${size} bytes, ${MANIFEST_FILE} says ${entry.bytes} (truncated or rewritten)`);
  if (sha) {
    const h = await sha256File(path);
    if (h !== entry.sha256) problems.push(`${entry.file}: sha256 checksum mismatch (file ${h}, ${MANIFEST_FILE} ${entry.sha256})`);
  }
  return { problems, missing: false };
}

/** Row and row-group counts in a shard footer against the manifest. */
export function footerCountProblems(entry: ManifestShard, shard: ShardFile): string[] {
  const out: string[] = [];
  const numRows = Number(shard.metadata.num_rows);
  if (numRows !== entry.rows) out.push(`${entry.file}: has ${numRows} rows, ${MANIFEST_FILE} says ${entry.rows}`);
  if (entry.row_groups !== undefined && shard.rowGroups.length !== entry.row_groups) out.push(`${entry.file}: has ${shard.rowGroups.length} row groups, ${MANIFEST_FILE} says ${entry.row_groups}`);
  return out;
}

/** stats.json's derived mean/std against its own count, sum and sum_sq (a tampered mean or std is
 *  what a trainer normalises with). */
export function momentProblems(json: StatsJson): string[] {
  const out: string[] = [];
  const close = (a: number | null, b: number) => (a === null ? Number.isNaN(b) : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)));
  for (const [m, v] of Object.entries(json.modalities ?? {})) {
    (v.per_band ?? []).forEach((b, i) => {
      const want = bandMoments({ count: b.count, sum: b.sum, sumSq: b.sum_sq, min: 0, max: 0, below: 0, above: 0, hist: [] });
      const band = `${m}.${v.bands[i]}`;
      if (!close(b.mean, want.mean)) out.push(`${STATS_FILE}: ${band} mean ${b.mean} stored vs ${want.mean} from sum/count`);
      if (!close(b.std, want.std)) out.push(`${STATS_FILE}: ${band} std ${b.std} stored vs ${want.std} from sum, sum_sq and count`);
    });
  }
  return out;
}

/** stats.json against the shard footers' statistics merged in manifest order. */
export function statsVsFooterProblems(stored: CorpusStats, footers: CorpusStats[]): string[] {
  const merged = footers.reduce((a, b) => mergeStats(a, b), emptyStats());
  return diffStats(stored, merged, 1e-12).map((d) => `${STATS_FILE}: differs from the shard footers' statistics: ${d}`);
}

/** The checks a corpus consumer runs before its first step (see the file comment for the modes). */
export async function verifyCorpus(dir: string, mode: VerifyMode): Promise<string[]> {
  let manifest: Manifest;
  try {
    ({ manifest } = readManifest(dir));
  } catch (e) {
    return [e instanceof ShardError ? e.message : String(e)];
  }
  const problems = listingProblems(dir, manifest);
  let stats: { json: StatsJson; stats: CorpusStats } | undefined;
  try {
    stats = readStats(dir);
  } catch (e) {
    problems.push(e instanceof ShardError ? e.message : String(e));
  }
  const footers: CorpusStats[] = [];
  let allRead = true;
  for (const entry of manifest.shards) {
    const f = await shardFileProblems(dir, entry, mode === 'full');
    problems.push(...f.problems);
    if (f.missing) {
      allRead = false;
      continue;
    }
    let shard: ShardFile;
    try {
      shard = await openShard(join(dir, entry.file));
    } catch (e) {
      problems.push(`${entry.file}: not a readable shard: ${(e as Error).message}`);
      allRead = false;
      continue;
    }
    problems.push(...footerCountProblems(entry, shard));
    footers.push(shard.stats);
    await shard.close();
  }
  if (stats) {
    problems.push(...momentProblems(stats.json));
    if (allRead) problems.push(...statsVsFooterProblems(stats.stats, footers));
  }
  return problems;
}

/** Consumers' entry check: throws ValidationError (exit 5) with the list; `false` skips it, logged. */
export async function assertVerifiedCorpus(dir: string, mode: VerifyMode | false): Promise<void> {
  if (mode === false) {
    logger().warn(`corpus ${dir}: not verified (--no-verify); a corrupt or tampered shard would be trained on as it is`);
    return;
  }
  const problems = await verifyCorpus(dir, mode);
  if (problems.length) throw new ValidationError(dir, problems);
  logger().info(`corpus ${dir}: verified (${mode}: sizes${mode === 'full' ? ', sha256' : ''}, footers, statistics)`);
}
