import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { normaliseTrain, type RawTrain } from '../../src/config/sections/train.js';
import { InterruptedError, TrainError } from '../../src/errors.js';
import { readCheckpoint } from '../../src/train/checkpoint.js';
import { readEncoder } from '../../src/train/export.js';
import { CHECKPOINT_FILE, METRICS_FILE, trainWith, type CheckpointMeta } from '../../src/train/loop.js';
import { memoryTileSource } from '../../src/train/tiles.js';
import { synthStats, synthTiles } from './synthetic.js';

// Tiny shapes on the cpu backend (deterministic): 16 px global crops (2x2 tokens), 8 px local crops.
const RAW: RawTrain = {
  size: 'tiny',
  steps: 4,
  batch_size: 2,
  out_dim: 32,
  head: { hidden_dim: 16, bottleneck_dim: 8 },
  crops: { global_size: 16, local_size: 8, local_count: 1 },
  warmup_steps: 1,
  teacher_temp: { warmup_steps: 2 },
  shuffle_buffer: 3,
  backend: 'cpu',
  seed: 7,
  checkpoint_every: 100,
};
const tiles = synthTiles({ count: 5, size: 24, seed: 3 });
const stats = synthStats(tiles);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'terrafm-train-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function ckpt(dir: string) {
  return readCheckpoint<CheckpointMeta>(path.join(dir, CHECKPOINT_FILE));
}

describe('exact resume', () => {
  it('2 steps + checkpoint + resume + 2 steps gives the same state as 4 steps straight', async () => {
    const cfg = normaliseTrain(RAW);
    const straight = path.join(tmp, 'straight');
    const r1 = await trainWith(memoryTileSource(tiles, stats), cfg, { outDir: straight });
    expect(r1.steps).toBe(4);
    expect(r1.stopped).toBe('done');

    const split = path.join(tmp, 'split');
    const r2a = await trainWith(memoryTileSource(tiles, stats), cfg, { outDir: split, stopAfter: 2 });
    expect(r2a.stopped).toBe('stopAfter');
    expect(ckpt(split).meta.step).toBe(2);
    const r2b = await trainWith(memoryTileSource(tiles, stats), cfg, { outDir: split, resume: true });
    expect(r2b.stepsThisRun).toBe(2);

    const a = ckpt(straight);
    const b = ckpt(split);
    expect(b.meta.step).toBe(4);
    expect(b.meta.loader).toEqual(a.meta.loader);
    expect([...b.tensors.keys()]).toEqual([...a.tensors.keys()]);
    // every tensor (student, teacher, Adam moments, centres) bit-identical
    for (const [k, v] of a.tensors) expect(Buffer.from(b.tensors.get(k)!.buffer).equals(Buffer.from(v.buffer)), k).toBe(true);
    expect(b.meta.history.map((h) => h.loss)).toEqual(a.meta.history.map((h) => h.loss));
    // training changed the weights and the centres
    const init = a.tensors.get('student/blocks.0.attn.qkv.w')!;
    expect(a.tensors.get('teacher/blocks.0.attn.qkv.w')!.some((x, i) => x !== init[i])).toBe(true);
    expect(a.tensors.get('centre/ch')!.some((x) => x !== 0)).toBe(true);
    // files: 4 metric lines, loss curves, exported encoder readable
    const lines = fs.readFileSync(path.join(split, METRICS_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.step)).toEqual([1, 2, 3, 4]);
    expect(fs.readFileSync(path.join(split, 'loss.svg'), 'utf8')).toMatch(/<path d="M/);
    expect(fs.readFileSync(path.join(split, 'loss.png')).subarray(1, 4).toString()).toBe('PNG');
    const enc = readEncoder(path.join(split, 'encoder'));
    expect(enc.shape.size).toBe('tiny');
    expect(Array.from(enc.values.get('norm.g')!)).toEqual(Array.from(b.tensors.get('teacher/norm.g')!));
  });

  it('refuses to overwrite a checkpoint without --resume', async () => {
    const cfg = normaliseTrain(RAW);
    await expect(trainWith(memoryTileSource(tiles, stats), cfg, { outDir: path.join(tmp, 'straight') })).rejects.toThrow(/exists; pass --resume/);
  });

  it('an abort (SIGINT path) saves a checkpoint and throws InterruptedError', async () => {
    const cfg = normaliseTrain(RAW);
    const ac = new AbortController();
    const dir = path.join(tmp, 'abort');
    const p = trainWith(memoryTileSource(tiles, stats), cfg, { outDir: dir, signal: ac.signal, onStep: (m) => m.step === 1 && ac.abort() });
    await expect(p).rejects.toBeInstanceOf(InterruptedError);
    expect(ckpt(dir).meta.step).toBe(1);
  });

  it('stops with a TrainError naming the step when the loss becomes NaN/Inf', async () => {
    const cfg = normaliseTrain({ ...RAW, views: { modalities: ['s1'] } });
    const bad = { ...stats, modalities: { ...stats.modalities, s1: { mean: [0, 0], std: [1e-40, 1e-40] } } };
    const err = await trainWith(memoryTileSource(tiles, bad), cfg, { outDir: path.join(tmp, 'nan') }).catch((e) => e);
    expect(err).toBeInstanceOf(TrainError);
    expect(String(err.message)).toMatch(/^step 1: (loss|gradient norm) is (NaN|Infinity|-Infinity)/);
  });
});
