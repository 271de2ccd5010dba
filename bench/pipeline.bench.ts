// The whole demo pipeline end to end (discover -> sample -> tile + shard), as `terrafm run` child
// processes: tiles/s with 1 worker and with 2 workers (partitions 0/2 and 1/2 side by side, given the
// sample drawn once), and the cost of resumability bookkeeping (done markers + shard journal + resume
// check) compared with the same tile stage run without it.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchContext } from './harness.js';
import { loadPipelineFile } from '../src/config/load.js';
import { Logger, setLogger } from '../src/log/logger.js';
import { runPipeline } from '../src/runner/run.js';
import { STAGES as PIPELINE_STAGES } from '../src/runner/stages.js';
import { prepareResume } from '../src/shard/resume.js';
import { appendJournal, journalShard } from '../src/shard/journal.js';
import { openShardSink } from '../src/shard/sink.js';
import { syntheticTile } from '../src/shard/synthetic.js';
import { normalise as normaliseShard } from '../src/config/sections/shard.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DEMO = join(root, 'pipelines', 'demo.yaml');
const BIN = join(root, 'bin', 'terrafm.mjs');

function terrafm(args: string[]): Promise<void> {
  return new Promise((ok, fail) => {
    const p = spawn(process.execPath, [BIN, ...args, '--quiet'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.on('close', (code) => (code === 0 ? ok() : fail(new Error(`terrafm ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`))));
  });
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

const tilesOf = (runDir: string): number => JSON.parse(readFileSync(join(runDir, 'corpus', 'manifest.json'), 'utf8')).tiles;

export default async function (ctx: BenchContext): Promise<void> {
  const reps = ctx.quick ? 1 : 3;
  const base = join(ctx.tmpDir, 'base');
  const STAGES = ['--stages', 'discover,sample,tile']; // the demo's train stage is benchmarked by train.bench.ts
  await terrafm(['run', DEMO, '--out', base, ...STAGES]); // warms the demo world and page cache; gives the sample
  const tiles = tilesOf(base);
  const sample = join(base, 'sample', 'sample.parquet');

  const one: number[] = [];
  const two: number[] = [];
  for (let r = 0; r < reps; r++) {
    const a = join(ctx.tmpDir, `one-${r}`);
    one.push(tiles / (await timed(() => terrafm(['run', DEMO, '--out', a, ...STAGES]))));
    rmSync(a, { recursive: true, force: true });
    const parts = [0, 1].map((i) => join(ctx.tmpDir, `two-${r}-${i}`));
    const s = await timed(() => Promise.all(parts.map((p, i) => terrafm(['run', DEMO, '--out', p, ...STAGES, '--partition', `${i}/2`, '--sample-from', sample]))));
    const got = parts.reduce((n, p) => n + tilesOf(p), 0);
    if (got !== tiles) throw new Error(`2 partitions wrote ${got} tiles, the single run ${tiles}`);
    two.push(tiles / s);
    for (const p of parts) rmSync(p, { recursive: true, force: true });
  }
  const note = `demo world, ${tiles} tiles of 256 px (12+12+2 channels + land cover), process start + discover + sample + tile + shard, tile concurrency 2, 2 cores`;
  ctx.record({ name: 'demo pipeline end to end, 1 worker process', unit: 'tiles/s', values: one, note });
  ctx.record({ name: 'demo pipeline end to end, 2 worker processes (--partition 0/2, 1/2)', unit: 'tiles/s', values: two, note: `${note}; sample drawn once and given with --sample-from` });

  // Bookkeeping overhead: the tile stage alone, in this process, same inputs, one shard per 2 tiles so
  // the journal has work to do; with vs without markers/journal.
  setLogger(new Logger({ stream: { write: () => true } as unknown as NodeJS.WritableStream, level: 'error' }));
  const loaded = loadPipelineFile(DEMO, { outDir: base });
  const config = { ...loaded, shard: { ...loaded.shard, maxRows: 2, rowGroupRows: 2 } };
  const withJ: number[] = [];
  const without: number[] = [];
  for (let r = 0; r < reps + 1; r++) {
    // first pair is a warm-up for GDAL's caches; the order alternates so drift hits both alike
    const runWith = () => timed(() => runPipeline({ config, registry: PIPELINE_STAGES, stages: ['tile'], resumable: true, fresh: true }));
    const runWithout = () => timed(() => runPipeline({ config, registry: PIPELINE_STAGES, stages: ['tile'], resumable: false }));
    let t1: number;
    let t0: number;
    if (r % 2 === 0) {
      t1 = await runWith();
      t0 = await runWithout();
    } else {
      t0 = await runWithout();
      t1 = await runWith();
    }
    if (r > 0) {
      withJ.push(t1);
      without.push(t0);
    }
  }
  ctx.record({ name: 'tile stage with resumability (markers + shard journal, 9 shards)', unit: 's', values: withJ, note: `${tiles} tiles, max_rows 2` });
  ctx.record({ name: 'tile stage without resumability (same inputs)', unit: 's', values: without, note: `${tiles} tiles, max_rows 2` });
  ctx.record({ name: 'resumability overhead (with - without)', unit: '%', values: withJ.map((w, i) => (100 * (w - without[i])) / without[i]), note: 'pairs run back to back, order alternating; the spread is run-to-run noise' });

  // The journal alone, without GDAL's run-to-run variance: the sink writing synthetic tiles into many
  // small shards (the worst case for per-shard bookkeeping), with and without a journal line per shard.
  const synth = Array.from({ length: ctx.quick ? 40 : 120 }, (_, i) => syntheticTile(i, { size: 128 }));
  const scfg = normaliseShard({ max_rows: 4, row_group_rows: 4 });
  let hookMs = 0;
  const sinkRun = async (journalled: boolean) => {
    const dir = join(ctx.tmpDir, `sink-${journalled}`);
    rmSync(dir, { recursive: true, force: true });
    const journal = join(ctx.tmpDir, 'sink-journal.jsonl');
    const rp = journalled ? prepareResume(dir, journal, scfg, 'bench') : undefined;
    const sink = openShardSink(dir, scfg, rp
      ? {
          resume: { entries: rp.entries, layout: rp.layout, tileIds: [] },
          onShardClosed: (e, info) => {
            const t0 = performance.now();
            appendJournal(journal, journalShard(info.seq, e, info.layout, info.tileIds, { next: info.nextTileId }));
            hookMs += performance.now() - t0;
          },
        }
      : { overwrite: true });
    for (const t of synth) await sink.write(t);
    await sink.close();
  };
  const sj: number[] = [];
  const sn: number[] = [];
  const perShard: number[] = [];
  for (let r = 0; r < reps + 1; r++) {
    hookMs = 0;
    const a = r % 2 === 0 ? await timed(() => sinkRun(true)) : 0;
    const b = await timed(() => sinkRun(false));
    const a2 = r % 2 === 1 ? await timed(() => sinkRun(true)) : a;
    if (r > 0) {
      sj.push(a2 * 1000);
      sn.push(b * 1000);
      perShard.push(hookMs / (synth.length / 4));
    }
  }
  const snote = `${synth.length} synthetic 128 px tiles (28 channels), ${synth.length / 4} shards of 4 tiles`;
  ctx.record({ name: 'shard sink with journal (fsynced line per shard)', unit: 'ms', values: sj, note: snote });
  ctx.record({ name: 'shard sink without journal', unit: 'ms', values: sn, note: snote });
  ctx.record({ name: 'journal bookkeeping per shard (line built, appended, fsynced)', unit: 'ms', values: perShard, note: 'time inside the sink hook; the whole cost of resumability per shard' });

  // What a resume pays up front: re-hashing every finished shard listed in the journal.
  await runPipeline({ config, registry: PIPELINE_STAGES, stages: ['tile'], resumable: true, fresh: true });
  const journal = join(base, 'state', 'tile-journal.jsonl');
  const key = JSON.parse(readFileSync(journal, 'utf8').split('\n')[0]).key as string;
  const bytes = JSON.parse(readFileSync(join(base, 'corpus', 'manifest.json'), 'utf8')).bytes as number;
  const check: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    const rp = prepareResume(join(base, 'corpus'), journal, config.shard, key);
    check.push(performance.now() - t0);
    if (rp.kept.length === 0) throw new Error('nothing kept');
  }
  ctx.record({ name: 'resume check of a finished corpus (size + sha256 of every journalled shard)', unit: 'ms', values: check, note: `${(bytes / 1e6).toFixed(1)} MB in 9 shards; grows linearly with the corpus bytes on this worker` });
}
