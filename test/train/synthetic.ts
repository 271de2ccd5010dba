import * as tf from '@tensorflow/tfjs-core';
import { normaliseTrain, type RawTrain } from '../../src/config/sections/train.js';
import { BatchLoader } from '../../src/train/loader.js';
import type { ViewTokens } from '../../src/train/model.js';
import { initParamValues } from '../../src/train/params.js';
import { synthStats, synthTiles } from '../../src/train/synthetic.js';
import { memoryTileSource } from '../../src/train/tiles.js';
import { trainSpecs } from '../../src/train/trainer.js';
export { synthStats, synthTiles, classSpectrum, type SynthOptions } from '../../src/train/synthetic.js';

/**
 * A small DINO-loss setup for gradient tests: config (batch 2, 16 px global / 8 px local crops),
 * parameter values (the fusion output projection made non-zero so gradients flow through fusion)
 * and one batch whose first view fuses all modalities; `viewTokens()` makes its tensors.
 */
export async function lossCase() {
  const tiles = synthTiles({ count: 4, size: 24 });
  const stats = synthStats(tiles);
  const cfg = normaliseTrain({ batch_size: 2, out_dim: 16, head: { hidden_dim: 16, bottleneck_dim: 8 }, crops: { global_size: 16, local_size: 8, local_count: 1 } });
  const { shape, specs } = trainSpecs(cfg);
  const vals = initParamValues(specs, 3);
  for (const [k, v] of vals) if (k.startsWith('fusion.o')) for (let i = 0; i < v.length; i++) v[i] = 0.05 * Math.sin(i + 1);
  const batch = await new BatchLoader(memoryTileSource(tiles, stats), cfg, 8, stats, 0).next();
  const viewTokens = (): ViewTokens[] =>
    batch.views.map((v) => {
      const p: ViewTokens['patches'] = {};
      for (const m of v.modalities) p[m] = tf.tensor3d(v.patches[m]!, [2, v.grid * v.grid, v.patches[m]!.length / (2 * v.grid * v.grid)]);
      return { grid: v.grid, patches: p };
    });
  return { cfg, shape, specs, vals, batch, viewTokens };
}

/** A tiny deterministic training config for few-step tests on the cpu backend (16/8 px crops). */
export function tinyTestTrain(over: RawTrain): RawTrain {
  return {
    size: 'tiny',
    batch_size: 3,
    out_dim: 32,
    head: { hidden_dim: 16, bottleneck_dim: 8 },
    crops: { global_size: 16, local_size: 8, local_count: 1 },
    warmup_steps: 1,
    shuffle_buffer: 3,
    backend: 'cpu',
    checkpoint_every: 100,
    ...over,
  };
}
