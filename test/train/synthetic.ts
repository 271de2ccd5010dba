import type { RawTrain } from '../../src/config/sections/train.js';
export { synthStats, synthTiles, classSpectrum, type SynthOptions } from '../../src/train/synthetic.js';

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
