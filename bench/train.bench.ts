// Training throughput: step time and images (tiles) per second of one full DINO step (teacher
// forward on the global views, student forward + backward on all views, AdamW, EMA, centres) for
// tiny and small on wasm, tiny on cpu; plus frozen-feature extraction throughput (embed / kNN).
// Synthetic in-memory tiles, so data loading is excluded from the step time (it is measured apart).
// The tensorflow (tfjs-node) and webgpu backends are measured when present; here there is neither.
import type { BenchContext } from './harness.js';
import { normaliseTrain, type RawTrain } from '../src/config/sections/train.js';
import { selectBackend } from '../src/train/backend.js';
import { extractFeatures, randomEncoder } from '../src/train/features.js';
import { BatchLoader } from '../src/train/loader.js';
import { synthStats, synthTiles } from '../src/train/synthetic.js';
import { memoryTileSource } from '../src/train/tiles.js';
import { TrainerState } from '../src/train/trainer.js';
import type { ConcreteBackend } from '../src/train/backend.js';

interface Case {
  backend: ConcreteBackend;
  raw: RawTrain;
  reps: number;
}

export default async function (ctx: BenchContext): Promise<void> {
  const tiles = synthTiles({ count: 24, size: 96, seed: 5 });
  const stats = synthStats(tiles);
  const q = ctx.quick;
  const crops = { global_size: 64, local_size: 32, local_count: 4 };
  const cases: Case[] = [
    { backend: 'wasm', raw: { size: 'tiny', batch_size: q ? 2 : 8, crops }, reps: q ? 1 : 3 },
    { backend: 'wasm', raw: { size: 'small', batch_size: q ? 2 : 4, crops }, reps: q ? 1 : 2 },
    { backend: 'cpu', raw: { size: 'tiny', batch_size: 2, crops: { global_size: 32, local_size: 16, local_count: 2 } }, reps: q ? 1 : 2 },
  ];
  const present: ConcreteBackend[] = [];
  const absent: string[] = [];
  for (const b of ['tensorflow', 'webgpu'] as const) {
    try {
      await selectBackend(b);
      present.push(b);
    } catch (e) {
      const msg = (e as Error).message;
      absent.push(b === 'tensorflow' ? 'tensorflow (@tensorflow/tfjs-node not installed)' : `webgpu (${msg.replace(/^backend webgpu is not available: /, '').split(';')[0]})`);
    }
  }
  const absentNote = absent.length ? `; not measured here: ${absent.join(', ')}` : '';
  for (const b of present) cases.unshift({ backend: b, raw: { size: 'tiny', batch_size: 16, crops }, reps: 3 }, { backend: b, raw: { size: 'small', batch_size: 16, crops }, reps: 3 });

  for (const c of cases) {
    await selectBackend(c.backend);
    const cfg = normaliseTrain({ ...c.raw, steps: 100, out_dim: 1024, backend: c.backend, shuffle_buffer: 8 });
    const state = new TrainerState(cfg, stats);
    const loader = new BatchLoader(memoryTileSource(tiles, stats), cfg, state.shape.patchSize, stats, 0);
    const stepMs: number[] = [];
    const loadMs: number[] = [];
    for (let i = 0; i <= c.reps; i++) {
      const t0 = performance.now();
      const batch = await loader.next();
      const t1 = performance.now();
      state.runStep(batch);
      const t2 = performance.now();
      if (i > 0) (stepMs.push(t2 - t1), loadMs.push(t1 - t0)); // first step warms kernels up
    }
    state.dispose();
    const label = `${cfg.size} ${c.backend} batch ${cfg.batchSize}, crops ${cfg.crops.globalCount}x${cfg.crops.globalSize}px + ${cfg.crops.localCount}x${cfg.crops.localSize}px`;
    ctx.record({ name: `train step ${label}`, unit: 'ms', values: stepMs, note: 'one optimiser step, data excluded' });
    ctx.record({ name: `train throughput ${label}`, unit: 'images/s', values: stepMs.map((ms) => (1000 * cfg.batchSize) / ms), note: `tiles per second${absentNote}` });
    ctx.record({ name: `batch build ${label}`, unit: 'ms', values: loadMs, note: 'shuffle + multi-crop + normalise (JS); runs between steps, only shard reads overlap a step' });
  }

  await selectBackend('wasm');
  const enc = randomEncoder('tiny', 0);
  const src = memoryTileSource(tiles, stats);
  const featMs: number[] = [];
  for (let i = 0; i < (q ? 1 : 3); i++) {
    const t0 = performance.now();
    await extractFeatures(src, enc, { inputSize: 64, batchSize: 8 });
    featMs.push(performance.now() - t0);
  }
  ctx.record({ name: 'embed tiny wasm 64 px, 3 modalities fused', unit: 'images/s', values: featMs.map((ms) => (1000 * tiles.length) / ms) });
  ctx.record({ name: 'peak RSS (train benchmark process)', unit: 'MiB', values: [ctx.peakRssMiB()] });
}
