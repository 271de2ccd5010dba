import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/train/backend.js';
import { extractFeatures, randomEncoder } from '../../src/train/features.js';
import { memoryTileSource } from '../../src/train/tiles.js';
import { synthStats, synthTiles } from './synthetic.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('frozen tile features', () => {
  const tiles = synthTiles({ count: 3, size: 16, seed: 4 });
  const source = memoryTileSource(tiles, synthStats(tiles));
  const enc = randomEncoder('tiny', 0);

  it('cls+mean is the CLS feature followed by the mean patch token (2D wide)', async () => {
    const cls = await extractFeatures(source, enc, { inputSize: 16 });
    const both = await extractFeatures(source, enc, { inputSize: 16, feature: 'cls+mean' });
    const D = enc.shape.embedDim;
    expect(cls.dim).toBe(D);
    expect(both.dim).toBe(2 * D);
    expect(both.tileIds).toEqual(cls.tileIds);
    for (let i = 0; i < cls.tileIds.length; i++) {
      const a = cls.features.subarray(i * D, (i + 1) * D);
      const b = both.features.subarray(i * 2 * D, i * 2 * D + D);
      for (let j = 0; j < D; j++) expect(b[j]).toBeCloseTo(a[j], 4);
      // The mean of layer-normed patch tokens (gain 1, bias 0 at init) averages to ~0 over the
      // feature axis, and is not a copy of the CLS row.
      const m = both.features.subarray(i * 2 * D + D, (i + 1) * 2 * D);
      expect(Math.abs(m.reduce((s, x) => s + x, 0) / D)).toBeLessThan(1e-4);
      expect(m.some((x, j) => Math.abs(x - a[j]) > 1e-3)).toBe(true);
    }
  });
});
