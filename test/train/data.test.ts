import { describe, expect, it } from 'vitest';
import { normaliseTrain } from '../../src/config/sections/train.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/train/checkpoint.js';
import { cropPatches, FULL_BOX, randomPhotometric } from '../../src/train/crops.js';
import { BatchLoader, planViews, ShuffleStream } from '../../src/train/loader.js';
import { Rng } from '../../src/train/rng.js';
import { bicubicMatrix1d, bicubicMatrix2d, dinoResizeScale } from '../../src/train/posembed.js';
import { dominantBin } from '../../src/landcover/worldcover.js';
import { channelIndices, memoryTileSource, type TrainTile } from '../../src/train/tiles.js';
import { synthStats, synthTiles } from './synthetic.js';

describe('position-embedding resize (bicubic, a = -0.75, align_corners=False)', () => {
  it('is the identity at the same size and sums to 1 per row', () => {
    const m = bicubicMatrix1d(5, 5);
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) expect(m[i * 5 + j]).toBeCloseTo(i === j ? 1 : 0, 12);
    const up = bicubicMatrix1d(3, 7);
    for (let i = 0; i < 7; i++) expect(up.slice(i * 3, i * 3 + 3).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });
  it('matches hand-computed taps for 4 -> 2', () => {
    // out 0 samples src 0.5: taps at -1 (clamped to 0), 0, 1, 2 with weights
    // far(1.5) = -0.09375, near(0.5) = 0.59375, near(0.5), far(1.5)
    const m = bicubicMatrix1d(4, 2);
    expect(Array.from(m.slice(0, 4))).toEqual([-0.09375 + 0.59375, 0.59375, -0.09375, 0]);
    expect(Array.from(m.slice(4, 8))).toEqual([0, -0.09375, 0.59375, 0.59375 - 0.09375]);
  });
  it('builds the 2-D map as the Kronecker product', () => {
    const m1 = bicubicMatrix1d(4, 2, dinoResizeScale(4, 2));
    const m2 = bicubicMatrix2d(4, 2);
    // output (oy=1, ox=0) from input (iy=2, ix=0)
    expect(m2[(1 * 2 + 0) * 16 + 2 * 4 + 0]).toBeCloseTo(m1[1 * 4 + 2] * m1[0 * 4 + 0], 7);
  });
});

describe('crops', () => {
  const tile = (): TrainTile => {
    // s1 [2, 4, 4]: band 0 value = 10*y + x, band 1 = 100 + 10*y + x; one nodata (NaN) pixel.
    const d = new Float32Array(32);
    for (let c = 0; c < 2; c++) for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) d[c * 16 + y * 4 + x] = 100 * c + 10 * y + x;
    d[5] = Number.NaN; // band 0, y 1, x 1
    return { tileId: 'a', modalities: { s1: { shape: [2, 4, 4], data: d, nodata: Number.NaN } }, classHistogram: [], sampleWeight: 1 };
  };
  const stats = { mean: [0, 100], std: [2, 4] };

  it('normalises and writes patch layout [g*g, C*p*p] (channel-major inside a patch)', () => {
    const out = new Float32Array(4 * 2 * 4);
    cropPatches('s1', tile().modalities.s1!, stats, FULL_BOX, 4, 2, out, 0);
    const at = (gy: number, gx: number, c: number, py: number, px: number) => out[(gy * 2 + gx) * 8 + c * 4 + py * 2 + px];
    expect(at(0, 0, 0, 0, 0)).toBe(0); // (0 - 0) / 2
    expect(at(1, 1, 0, 1, 1)).toBe((33 - 0) / 2); // y 3, x 3
    expect(at(1, 0, 1, 0, 1)).toBe((100 + 21 - 100) / 4); // band 1, y 2, x 1
    expect(at(0, 0, 0, 1, 1)).toBe(0); // nodata -> band mean -> 0
  });

  it('flips horizontally', () => {
    const out = new Float32Array(32);
    cropPatches('s1', tile().modalities.s1!, stats, { ...FULL_BOX, flipH: true }, 4, 2, out, 0);
    expect(out[0]).toBe(3 / 2); // output x 0 reads input x 3
  });

  it('applies a photometric change to real pixels only: (v * gain - mean) / std + offset', () => {
    const out = new Float32Array(32);
    const photo = { gain: Float32Array.from([1.5, 0.5]), offset: Float32Array.from([0.25, -1]) };
    cropPatches('s1', tile().modalities.s1!, stats, FULL_BOX, 4, 2, out, 0, photo);
    const at = (gy: number, gx: number, c: number, py: number, px: number) => out[(gy * 2 + gx) * 8 + c * 4 + py * 2 + px];
    expect(at(1, 1, 0, 1, 1)).toBe((33 * 1.5 - 0) / 2 + 0.25);
    expect(at(1, 0, 1, 0, 1)).toBe((121 * 0.5 - 100) / 4 - 1);
    expect(at(0, 0, 0, 1, 1)).toBe(0); // nodata stays at the band mean
  });

  it('draws photometric changes within the configured amounts, and none when they are 0', () => {
    const rng = new Rng(3);
    const before = rng.state();
    expect(randomPhotometric(rng, 12, { brightness: 0, bandGain: 0, offset: 0 })).toBeNull();
    expect(rng.state()).toEqual(before); // off: the step's random stream is unchanged
    for (let i = 0; i < 50; i++) {
      const p = randomPhotometric(rng, 12, { brightness: 0.2, bandGain: 0.05, offset: 0.3 })!;
      for (const g of p.gain) expect(g).toBeGreaterThanOrEqual(0.8 * 0.95), expect(g).toBeLessThanOrEqual(1.2 * 1.05);
      for (const o of p.offset) expect(Math.abs(o)).toBeLessThanOrEqual(0.3);
      // one brightness factor for the whole view: band ratios stay within the band-gain spread
      expect(Math.max(...p.gain) / Math.min(...p.gain)).toBeLessThanOrEqual(1.05 / 0.95 + 1e-6);
    }
    const cfg = normaliseTrain({ augment: { brightness: 0.1, band_gain: 0.02 } });
    expect(cfg.augment).toEqual({ brightness: 0.1, bandGain: 0.02, offset: 0 });
    expect(normaliseTrain({}).augment).toEqual({ brightness: 0, bandGain: 0, offset: 0 });
  });

  it('drops B10 from 13-band L1C and rejects other band counts', () => {
    expect(channelIndices('s2_l1c', 13)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12]);
    const names = ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B10', 'B11', 'B12'];
    expect(channelIndices('s2_l1c', 13, names)).toHaveLength(12);
    expect(() => channelIndices('s1', 3)).toThrow(/s1 tensor has 3 bands; expected 2/);
  });

  it('finds the dominant class without nodata', () => {
    expect(dominantBin([100, 3, 7, 1])).toBe(2);
    expect(dominantBin([100, 0, 0])).toBe(0);
  });
});

describe('shuffle stream', () => {
  const tiles = synthTiles({ count: 7, size: 8 });
  const stats = synthStats(tiles);

  it('resumes exactly from a saved state, across an epoch boundary', async () => {
    const a = new ShuffleStream(memoryTileSource(tiles, stats), 4, 5);
    const first: string[] = [];
    for (let i = 0; i < 9; i++) first.push((await a.next()).tileId);
    const saved = a.state();
    const rest: string[] = [];
    for (let i = 0; i < 10; i++) rest.push((await a.next()).tileId);
    const b = new ShuffleStream(memoryTileSource(tiles, stats), 4, 5, JSON.parse(JSON.stringify(saved)));
    const again: string[] = [];
    for (let i = 0; i < 10; i++) again.push((await b.next()).tileId);
    expect(again).toEqual(rest);
    expect(saved.epoch).toBe(1);
    // each epoch yields every tile once (first 7 draws come from epoch 0 plus the buffer carry-over)
    expect(new Set(first).size).toBeGreaterThan(4);
  });

  it('fails clearly on an empty corpus', async () => {
    await expect(new ShuffleStream(memoryTileSource([], stats), 4, 1).next()).rejects.toThrow(/no tiles/);
  });

  it('builds multi-crop batches with modality views and a fused first global view', async () => {
    const cfg = normaliseTrain({ batch_size: 3, crops: { global_size: 16, local_size: 8, local_count: 2 } });
    const loader = new BatchLoader(memoryTileSource(tiles, stats), cfg, 8, stats, 0);
    const b = await loader.next();
    expect(b.views.map((v) => v.kind)).toEqual(['global', 'global', 'local', 'local']);
    expect(b.views[0].modalities).toEqual(['s2_l2a', 's2_l1c', 's1']);
    expect(b.views[1].modalities).toHaveLength(1);
    expect(b.views[0].patches.s2_l2a!.length).toBe(3 * 4 * 12 * 64);
    expect(b.views[2].patches[b.views[2].modalities[0]]!.length).toBe(3 * 1 * (b.views[2].modalities[0] === 's1' ? 2 : 12) * 64);
    expect(b.views[0].patches.s2_l2a!.every(Number.isFinite)).toBe(true);
  });
});

describe('modality views', () => {
  const tiles = synthTiles({ count: 2, size: 8 });
  it('gives the global views different modalities (distinct_global) and only shared ones', () => {
    const cfg = normaliseTrain({ views: { fuse_first_global: false, distinct_global: true } });
    for (let seed = 0; seed < 5; seed++) {
      const v = planViews(cfg, tiles, new Rng(seed));
      expect(v[0].modalities[0]).not.toBe(v[1].modalities[0]);
    }
    const noS1 = tiles.map((t) => ({ ...t, modalities: { s2_l2a: t.modalities.s2_l2a } }));
    const v = planViews(normaliseTrain({}), noS1, new Rng(1));
    expect(v.every((x) => x.modalities.length === 1 && x.modalities[0] === 's2_l2a')).toBe(true);
    const onlyS1 = normaliseTrain({ views: { modalities: ['s1'] } });
    expect(() => planViews(onlyS1, noS1, new Rng(1))).toThrow(/no modality of \[s1\] is present in every tile of the batch \(tile t0 has only \[s2_l2a\]\)/);
  });
});

describe('checkpoint file', () => {
  it('round-trips metadata and tensors and rejects truncation', () => {
    const buf = encodeCheckpoint({ meta: { step: 3, note: 'x' }, tensors: new Map([['a', Float32Array.from([1, 2, 3])], ['b', Float32Array.from([-1])]]) });
    const c = decodeCheckpoint<{ step: number }>(buf, 'mem');
    expect(c.meta.step).toBe(3);
    expect(Array.from(c.tensors.get('a')!)).toEqual([1, 2, 3]);
    expect(Array.from(c.tensors.get('b')!)).toEqual([-1]);
    expect(() => decodeCheckpoint(buf.subarray(0, buf.length - 2), 'cut.tfmc')).toThrow(/cut.tfmc: tensor b runs past the end/);
    expect(() => decodeCheckpoint(Buffer.from('nope, not it'), 'x.bin')).toThrow(/not a terrafm checkpoint/);
  });
});
