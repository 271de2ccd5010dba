// Data-parallel training (train.workers): the slices' gradients add up to the one-thread step, a
// run is reproducible for a given worker count, and exact resume keeps working with workers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { normaliseTrain, type RawTrain } from '../../src/config/sections/train.js';
import { readCheckpoint } from '../../src/train/checkpoint.js';
import { CHECKPOINT_FILE, trainWith, type CheckpointMeta } from '../../src/train/loop.js';
import { planSlices } from '../../src/train/parallel/layout.js';
import { resolveWorkerCount } from '../../src/train/parallel/pool.js';
import { initParamValues } from '../../src/train/params.js';
import { memoryTileSource } from '../../src/train/tiles.js';
import { trainSpecs } from '../../src/train/trainer.js';
import { synthStats, synthTiles } from './synthetic.js';

const RAW: RawTrain = {
  size: 'tiny',
  steps: 3,
  batch_size: 4,
  out_dim: 32,
  head: { hidden_dim: 16, bottleneck_dim: 8 },
  crops: { global_size: 16, local_size: 8, local_count: 2 },
  warmup_steps: 1,
  shuffle_buffer: 4,
  backend: 'cpu',
  seed: 11,
  checkpoint_every: 100,
  held_out: { exclude: false },
  use_sample_weight: true,
  // KoLeo pairs tiles across slices: the exact two-phase path (slice-gradients.ts) is under test too.
  koleo_weight: 0.5,
};
const tiles = synthTiles({ count: 8, size: 24, seed: 4 });
const stats = synthStats(tiles);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'terrafm-workers-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function run(name: string, raw: RawTrain, opts: { stopAfter?: number; resume?: boolean } = {}) {
  const outDir = path.join(tmp, name);
  const lines: string[] = [];
  const r = await trainWith(memoryTileSource(tiles, stats), normaliseTrain(raw), { outDir, log: (l) => lines.push(l), ...opts });
  return { r, lines, ckpt: readCheckpoint<CheckpointMeta>(path.join(outDir, CHECKPOINT_FILE)) };
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let scale = 1e-6;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(a[i]));
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
  }
  return diff / scale;
}

describe('planSlices and the worker count', () => {
  it('splits rows as evenly as possible, never into empty slices', () => {
    expect(planSlices(8, 2)).toEqual([{ start: 0, rows: 4 }, { start: 4, rows: 4 }]);
    expect(planSlices(5, 3)).toEqual([{ start: 0, rows: 2 }, { start: 2, rows: 2 }, { start: 4, rows: 1 }]);
    expect(planSlices(2, 4)).toEqual([{ start: 0, rows: 1 }, { start: 1, rows: 1 }]);
  });
  it('auto means every core on wasm and one thread elsewhere', () => {
    expect(resolveWorkerCount('auto', 'wasm')).toBe(os.availableParallelism());
    expect(resolveWorkerCount('auto', 'webgpu')).toBe(1);
    expect(resolveWorkerCount(3, 'cpu')).toBe(3);
  });
});

// Each run starts worker threads (tsx + tfjs each): slow on a loaded 2-core machine, hence the timeouts.
describe('data-parallel training across worker threads', { timeout: 600_000 }, () => {
  it('two workers give the one-thread weights within float tolerance; same bits when repeated, across an exact resume', async () => {
    const one = await run('one', { ...RAW, workers: 1 });
    const two = await run('two', { ...RAW, workers: 2 });
    expect(one.r.workers).toBe(1);
    expect(two.r.workers).toBe(2);
    expect(two.lines).toContain('gradients on 2 thread(s)');
    expect(two.ckpt.meta.workers).toBe(2);
    // Losses per step agree to float precision (the slices sum to the batch's loss).
    const l1 = one.ckpt.meta.history.map((h) => h.loss);
    const l2 = two.ckpt.meta.history.map((h) => h.loss);
    l1.forEach((l, i) => expect(l2[i]).toBeCloseTo(l, 4));
    let worst = 0;
    for (const [k, v] of one.ckpt.tensors) {
      if (!k.startsWith('student/') && !k.startsWith('teacher/') && !k.startsWith('centre/')) continue;
      worst = Math.max(worst, maxRelDiff(v, two.ckpt.tensors.get(k)!));
    }
    expect(worst).toBeLessThan(1e-3);
    // Training moved the weights well beyond that tolerance, so the comparison is not vacuous.
    const init = initParamValues(trainSpecs(normaliseTrain(RAW)).specs, RAW.seed!).get('blocks.0.attn.qkv.w')!;
    expect(maxRelDiff(init, one.ckpt.tensors.get('student/blocks.0.attn.qkv.w')!)).toBeGreaterThan(1e-3);
    // Same seed and worker count, run as 1 step + resume + 2 steps: bit-identical to the straight run.
    await run('two-split', { ...RAW, workers: 2 }, { stopAfter: 1 });
    const resumed = await run('two-split', { ...RAW, workers: 2 }, { resume: true });
    expect(resumed.r.stepsThisRun).toBe(2);
    for (const [k, v] of two.ckpt.tensors) expect(Buffer.from(resumed.ckpt.tensors.get(k)!.buffer).equals(Buffer.from(v.buffer)), k).toBe(true);
  });

  it('on wasm (values move through views of the wasm heap; XNNPACK caches packed weights per tensor) two workers match one', async () => {
    // Four steps: the first runs at lr 0 (warm-up), so only steps 3-4 see weights a worker must refresh.
    const wasm = { ...RAW, backend: 'wasm' as const, steps: 4 };
    const one = await run('wasm-one', { ...wasm, workers: 1 });
    const two = await run('wasm-two', { ...wasm, workers: 2 });
    const l1 = one.ckpt.meta.history.map((h) => h.loss);
    two.ckpt.meta.history.forEach((h, i) => expect(h.loss).toBeCloseTo(l1[i], 4));
    let worst = 0;
    for (const [k, v] of one.ckpt.tensors) if (k.startsWith('student/') || k.startsWith('teacher/')) worst = Math.max(worst, maxRelDiff(v, two.ckpt.tensors.get(k)!));
    expect(worst).toBeLessThan(1e-3);
    const init = initParamValues(trainSpecs(normaliseTrain(wasm)).specs, RAW.seed!).get('blocks.0.mlp.fc1.w')!;
    expect(maxRelDiff(init, two.ckpt.tensors.get('student/blocks.0.mlp.fc1.w')!)).toBeGreaterThan(1e-3);
  });

  it('a resume with another worker count continues and says the sums run in another order', async () => {
    await run('mixed', { ...RAW, workers: 2 }, { stopAfter: 1 });
    const resumed = await run('mixed', { ...RAW, workers: 1 }, { resume: true });
    expect(resumed.r.steps).toBe(3);
    expect(resumed.lines.join('\n')).toMatch(/computed gradients with 2 worker\(s\), this one with 1: the steps continue/);
  });
});
