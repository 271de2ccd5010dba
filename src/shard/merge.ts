// Merging the corpora of partitioned runs into one, without rewriting any pixel: shard files are
// hard-linked (or copied across file systems) under new sequential names, the manifest lists them
// input by input, and the dataset statistics are the per-shard footer statistics merged in manifest
// order, the same order `validate` recomputes them in. A shard file's bytes do not depend on its name,
// so checksums carry over. Inputs with no tiles (a partition that got no cells) are fine.
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ShardError } from '../errors.js';
import { CORPUS_DIR, TILE_FAILURES } from '../pipeline/layout.js';
import { MODALITIES } from '../model/types.js';
import { layoutMismatch, layoutToJson, type CorpusLayout } from './layout.js';
import { MANIFEST_FILE, STATS_FILE, readManifest, writeCorpusFile, writeManifest, writeStats, type Manifest, type ManifestShard } from './manifest.js';
import { openShard } from './reader.js';
import { SCHEMA_VERSION } from './schema.js';
import { emptyStats, mergeStats, statsToJson } from './stats.js';

export const MERGE_RECORD = 'merge.json';
export const MERGE_PLAN = 'merge-plan.tsv';

/** A run directory (with corpus/) or a corpus directory (with manifest.json). */
export function corpusDirOf(dir: string): string {
  if (existsSync(join(dir, MANIFEST_FILE))) return dir;
  if (existsSync(join(dir, CORPUS_DIR, MANIFEST_FILE))) return join(dir, CORPUS_DIR);
  throw new ShardError(`${dir}: no finished corpus (expected ${MANIFEST_FILE} or ${CORPUS_DIR}/${MANIFEST_FILE}); did its run finish the tile stage?`);
}

/** Union of the inputs' layouts; the same modality must have the same layout everywhere (pure). */
export function mergeLayouts(layouts: { layout: CorpusLayout; where: string }[]): CorpusLayout {
  const out: CorpusLayout = { modalities: {} };
  for (const { layout, where } of layouts) {
    const version = layout.schemaVersion ?? SCHEMA_VERSION;
    if (out.schemaVersion !== undefined && out.schemaVersion !== version) {
      throw new ShardError(`${where}: shard schema v${version}, the other inputs are v${out.schemaVersion}; partitions of one corpus must be written by the same version`);
    }
    out.schemaVersion = version;
    for (const m of MODALITIES) {
      const x = layout.modalities[m];
      if (!x) continue;
      const have = out.modalities[m];
      if (!have) out.modalities[m] = x;
      else {
        const why = layoutMismatch(have, x);
        if (why) throw new ShardError(`${where}: ${m} layout has ${why}; partitions of one corpus must come from the same pipeline`);
      }
    }
    if (layout.landcoverShape) {
      if (out.landcoverShape && out.landcoverShape.join('x') !== layout.landcoverShape.join('x')) {
        throw new ShardError(`${where}: land-cover shape ${layout.landcoverShape.join('x')}, expected ${out.landcoverShape.join('x')}`);
      }
      out.landcoverShape ??= layout.landcoverShape;
    }
  }
  return out;
}

export interface MergeOptions {
  /** Move shard files instead of linking/copying them (the inputs are consumed). Default false. */
  move?: boolean;
  /**
   * Write only the index (manifest, stats, merge.json) and merge-plan.tsv (source path, new name) and
   * leave the shard files where they are: for object storage, where the copies are made server-side
   * from the plan (`aws s3 cp`, `gsutil cp`). Default false.
   */
  planOnly?: boolean;
  /** Replace a corpus already in `out`. Default false: refuse. */
  overwrite?: boolean;
  prefix?: string;
}

export interface MergeResult {
  manifest: Manifest;
  inputs: { dir: string; shards: number; tiles: number }[];
  failures: number;
}

export async function mergeCorpora(out: string, inputs: string[], opts: MergeOptions = {}): Promise<MergeResult> {
  if (inputs.length === 0) throw new ShardError('merge: no input directories; expected one or more partition run directories');
  const outAbs = resolve(out);
  const dirs = inputs.map(corpusDirOf);
  if (dirs.some((d) => resolve(d) === outAbs)) throw new ShardError(`merge: output ${out} is also an input; write the merged corpus to another directory`);
  const seenIn = new Map<string, string>();
  for (const d of dirs) {
    const k = resolve(d);
    if (seenIn.has(k)) throw new ShardError(`merge: ${d} is given twice; each partition must be merged once`);
    seenIn.set(k, d);
  }
  mkdirSync(out, { recursive: true });
  const prefix = opts.prefix ?? 'shard';
  const existing = readdirSync(out).filter((f) => f === MANIFEST_FILE || f === STATS_FILE || f.endsWith('.parquet') || f.endsWith('.tmp'));
  if (existing.length) {
    if (!opts.overwrite) throw new ShardError(`merge: ${out} already holds a corpus (${existing.slice(0, 3).join(', ')}); use an empty directory or --overwrite`);
    for (const f of existing) rmSync(join(out, f), { force: true });
  }

  const read = dirs.map((d) => ({ dir: d, ...readManifest(d) }));
  const layout = mergeLayouts(read.map((r) => ({ layout: r.layout, where: r.dir })));
  // Tile ids must not repeat across inputs: the same partition twice, or overlapping partitionings.
  const idRanges = new Map<string, string>();
  const shards: ManifestShard[] = [];
  let stats = emptyStats();
  const summary: MergeResult['inputs'] = [];
  const plan: string[] = [];
  for (const r of read) {
    for (const s of r.manifest.shards) {
      const src = join(r.dir, s.file);
      const shard = await openShard(src);
      try {
        stats = mergeStats(stats, shard.stats);
      } finally {
        await shard.close();
      }
      const name = `${prefix}-${String(shards.length).padStart(5, '0')}.parquet`;
      const dest = join(out, name);
      const tmp = `${dest}.tmp`;
      if (opts.planOnly) plan.push(`${src}\t${name}`);
      else if (opts.move) renameSync(src, tmp);
      else {
        try {
          linkSync(src, tmp);
        } catch {
          copyFileSync(src, tmp);
        }
      }
      if (!opts.planOnly) renameSync(tmp, dest);
      const key = `${s.tile_id_min}..${s.tile_id_max}`;
      if (idRanges.has(key)) throw new ShardError(`merge: ${r.dir}/${s.file} has the same tile id range (${key}) as ${idRanges.get(key)}; is a partition given twice?`);
      idRanges.set(key, `${r.dir}/${s.file}`);
      shards.push({ ...s, file: name });
    }
    summary.push({ dir: r.dir, shards: r.manifest.shards.length, tiles: r.manifest.tiles });
  }
  const manifest: Manifest = {
    format: 'terrafm-shard',
    schema_version: layout.schemaVersion ?? SCHEMA_VERSION,
    tiles: shards.reduce((n, s) => n + s.rows, 0),
    bytes: shards.reduce((n, s) => n + s.bytes, 0),
    layout: layoutToJson(layout),
    shards,
  };
  // Failures tables of run directories, merged in tile order.
  const rows: { tileId: string; line: string }[] = [];
  for (const d of inputs) {
    const f = join(d, TILE_FAILURES);
    if (!existsSync(f)) continue;
    for (const line of readFileSync(f, 'utf8').split('\n')) if (line.trim()) rows.push({ tileId: (JSON.parse(line) as { tileId: string }).tileId, line });
  }
  rows.sort((a, b) => (a.tileId < b.tileId ? -1 : a.tileId > b.tileId ? 1 : 0));
  writeCorpusFile(join(out, TILE_FAILURES), rows.map((r) => `${r.line}\n`).join(''));
  if (opts.planOnly) writeCorpusFile(join(out, MERGE_PLAN), plan.map((l) => `${l}\n`).join(''));
  writeStats(out, statsToJson(stats));
  writeManifest(out, manifest);
  writeCorpusFile(join(out, MERGE_RECORD), `${JSON.stringify({ inputs: summary, tiles: manifest.tiles, shards: shards.length, failures: rows.length }, null, 2)}\n`);
  return { manifest, inputs: summary, failures: rows.length };
}
