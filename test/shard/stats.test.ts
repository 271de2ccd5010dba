// Statistics: exact values on a hand-made tensor, and the associative merge that lets shards written by
// separate processes add up to the totals of one process.
import { describe, expect, it } from 'vitest';
import { addLandcover, addTensor, bandMoments, diffStats, emptyModalityStats, emptyStats, mergeStats, statsFromJson, statsToJson, type CorpusStats } from '../../src/shard/stats.js';
import { syntheticTile } from '../../src/shard/synthetic.js';
import { MODALITIES, type TileRecord } from '../../src/model/types.js';
import { classShares, defaultHistogramRange, normalisation } from '../../src/shard/stats.js';
import { classHistogram } from '../../src/landcover/worldcover.js';

function statsOf(tiles: TileRecord[]): CorpusStats {
  const s = emptyStats();
  for (const t of tiles) {
    addLandcover(s, classHistogram(t.landcover));
    for (const m of MODALITIES) {
      const x = t.modalities[m];
      if (!x) continue;
      const [lo, hi] = defaultHistogramRange(x.dtype);
      s.modalities[m] ??= emptyModalityStats(x.dtype, x.bands, lo, hi, 64);
      addTensor(s.modalities[m]!, x.data, x.nodata);
    }
  }
  return s;
}

describe('band statistics', () => {
  it('excludes nodata and NaN, and bins into a fixed range with below/above counts', () => {
    const ms = emptyModalityStats('float32', ['a', 'b'], 0, 10, 5);
    // band a: 1, 3, nodata(-1), 9.99 ; band b: NaN, 10 (above), -2 (below), 4
    addTensor(ms, new Float32Array([1, 3, -1, 9.99, NaN, 10, -2, 4]), -1);
    const [a, b] = ms.perBand;
    expect(a.count).toBe(3);
    expect(a.sum).toBeCloseTo(13.99, 5);
    expect(a.min).toBe(1);
    expect(a.max).toBeCloseTo(9.99, 5);
    expect(a.hist).toEqual([1, 1, 0, 0, 1]);
    expect(b).toMatchObject({ count: 3, sum: 12, sumSq: 100 + 4 + 16, min: -2, max: 10, below: 1, above: 1, hist: [0, 0, 1, 0, 0] });
    const { mean, std } = bandMoments(b);
    expect(mean).toBe(4);
    expect(std).toBeCloseTo(Math.sqrt((36 + 36 + 0) / 3), 12);
  });

  it('computes integer bands (via value counts) exactly as a pixel-by-pixel reference', () => {
    const cases = [
      { dtype: 'uint16' as const, data: Uint16Array.from({ length: 3000 }, (_, i) => (i * 7919) % 30000), nodata: 0, lo: 0, hi: 20000 },
      { dtype: 'int16' as const, data: Int16Array.from({ length: 3000 }, (_, i) => ((i * 7919) % 60000) - 30000), nodata: -9999, lo: -1000, hi: 1000 },
      { dtype: 'uint8' as const, data: Uint8Array.from({ length: 3000 }, (_, i) => (i * 31) % 256), nodata: 255, lo: 0, hi: 256 },
      // a narrow band between two wide ones: only the span of each band's values is read and cleared,
      // so a count left behind by the first band would show in the later ones
      { dtype: 'uint16' as const, data: Uint16Array.from({ length: 3000 }, (_, i) => (i < 1000 || i >= 2000 ? (i * 7919) % 30000 : 500 + (i % 3))), nodata: 0, lo: 0, hi: 20000 },
    ];
    for (const c of cases) {
      const ms = emptyModalityStats(c.dtype, ['a', 'b', 'c'], c.lo, c.hi, 7);
      addTensor(ms, c.data, c.nodata);
      for (let b = 0; b < 3; b++) {
        const ref = { count: 0, sum: 0, sumSq: 0, min: Infinity, max: -Infinity, below: 0, above: 0, hist: new Array(7).fill(0) };
        for (const v of c.data.subarray(b * 1000, (b + 1) * 1000)) {
          if (v === c.nodata) continue;
          ref.count++;
          ref.sum += v;
          ref.sumSq += v * v;
          ref.min = Math.min(ref.min, v);
          ref.max = Math.max(ref.max, v);
          if (v < c.lo) ref.below++;
          else if (v >= c.hi) ref.above++;
          else ref.hist[Math.min(6, Math.floor(((v - c.lo) * 7) / (c.hi - c.lo)))]++;
        }
        expect(ms.perBand[b], `${c.dtype} band ${b}`).toEqual(ref);
      }
    }
  });

  it('gives NaN moments and null JSON for a band without valid pixels', () => {
    const ms = emptyModalityStats('uint16', ['x'], 0, 100, 4);
    addTensor(ms, new Uint16Array([0, 0, 0]), 0);
    expect(bandMoments(ms.perBand[0]).mean).toBeNaN();
    const s = emptyStats();
    s.modalities.s2_l2a = ms;
    expect(statsToJson(s).modalities.s2_l2a.per_band[0]).toMatchObject({ count: 0, min: null, max: null, mean: null, std: null });
  });

  it('counts class pixels and tiles per class from the raster', () => {
    const s = emptyStats();
    addLandcover(s, classHistogram(new Uint8Array([10, 10, 80, 0, 255])));
    addLandcover(s, classHistogram(new Uint8Array([10, 95])));
    expect(s.tiles).toBe(2);
    expect(s.classPixelCounts).toEqual([2, 3, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0]);
    expect(s.classTileCounts).toEqual([1, 2, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0]);
  });
});

describe('merge', () => {
  const tiles = Array.from({ length: 12 }, (_, i) => syntheticTile(i, { size: 24, omit: i === 5 ? ['s1'] : [] }));
  const whole = statsOf(tiles);

  it('of two halves equals the statistics of the whole', () => {
    const merged = mergeStats(statsOf(tiles.slice(0, 7)), statsOf(tiles.slice(7)));
    expect(merged.tiles).toBe(whole.tiles);
    expect(merged.classPixelCounts).toEqual(whole.classPixelCounts);
    expect(merged.classTileCounts).toEqual(whole.classTileCounts);
    for (const m of MODALITIES) {
      const a = merged.modalities[m]!;
      const b = whole.modalities[m]!;
      expect(a.tiles).toBe(b.tiles);
      a.perBand.forEach((p, i) => {
        const q = b.perBand[i];
        for (const k of ['count', 'min', 'max', 'below', 'above'] as const) expect(p[k], `${m} ${k}`).toBe(q[k]);
        expect(p.hist).toEqual(q.hist);
        expect(Math.abs(p.sum - q.sum)).toBeLessThanOrEqual(1e-9 * Math.abs(q.sum));
        expect(Math.abs(p.sumSq - q.sumSq)).toBeLessThanOrEqual(1e-9 * Math.abs(q.sumSq));
      });
    }
    expect(diffStats(whole, merged, 1e-9)).toEqual([]);
  });

  it('is associative and commutative for three parts', () => {
    const [a, b, c] = [statsOf(tiles.slice(0, 3)), statsOf(tiles.slice(3, 8)), statsOf(tiles.slice(8))];
    expect(diffStats(mergeStats(mergeStats(a, b), c), mergeStats(a, mergeStats(b, c)), 1e-12)).toEqual([]);
    expect(diffStats(mergeStats(c, mergeStats(a, b)), whole, 1e-12)).toEqual([]);
  });

  it('survives the JSON round trip exactly', () => {
    const back = statsFromJson(JSON.parse(JSON.stringify(statsToJson(whole))), 'test');
    expect(diffStats(whole, back, 0)).toEqual([]);
    expect(back).toEqual(whole);
  });

  it('refuses to merge statistics with different histogram ranges', () => {
    const a = emptyStats();
    a.modalities.s1 = emptyModalityStats('float32', ['VV'], 0, 1, 8);
    const b = emptyStats();
    b.modalities.s1 = emptyModalityStats('float32', ['VV'], 0, 2, 8);
    expect(() => mergeStats(a, b)).toThrow('cannot merge s1 statistics with different layouts: histogram [0, 1) x 8 vs [0, 2) x 8');
  });

  it('reports which statistic differs', () => {
    const other = structuredClone(whole);
    other.modalities.s2_l1c!.perBand[2].count += 1;
    other.classTileCounts[3] += 1;
    expect(diffStats(whole, other, 0)).toEqual([
      `class 30 tile count ${whole.classTileCounts[3]} stored vs ${whole.classTileCounts[3] + 1} recomputed`,
      `s2_l1c.B03 count ${whole.modalities.s2_l1c!.perBand[2].count} stored vs ${whole.modalities.s2_l1c!.perBand[2].count + 1} recomputed`,
    ]);
  });

  it('gives the trainer per-band mean/std arrays and class shares', () => {
    const n = normalisation(whole, 's1')!;
    expect(n.bands).toEqual(['VV', 'VH']);
    const b = whole.modalities.s1!.perBand[1];
    expect(n.mean[1]).toBe(b.sum / b.count);
    expect(n.std[1]).toBeCloseTo(Math.sqrt(b.sumSq / b.count - (b.sum / b.count) ** 2), 12);
    expect(normalisation(emptyStats(), 's1')).toBeUndefined();
    const shares = classShares(whole);
    expect(shares.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
    expect(shares[1]).toBe(whole.classPixelCounts[1] / (12 * 24 * 24));
  });
});
