import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/prng.js';
import { esKeys, inverseProbabilityWeights, ppsInclusionProbabilities, topKByKey, weightedSampleWithoutReplacement } from '../../src/sample/weighted-draw.js';

describe('seeded PRNG', () => {
  it('repeats its stream for a seed and differs across seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 5 }, () => a.nextU32());
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.nextU32())).not.toEqual(sa);
  });
  it('draws doubles strictly inside (0,1) with mean about 1/2', () => {
    const r = createRng(7);
    let s = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < 100000; i++) {
      const u = r.nextDouble();
      s += u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    expect(min).toBeGreaterThan(0);
    expect(max).toBeLessThan(1);
    expect(Math.abs(s / 100000 - 0.5)).toBeLessThan(0.005);
  });
  it('rejects a non-finite seed', () => {
    expect(() => createRng(NaN)).toThrow(/seed must be a finite number/);
  });
});

describe('top-k selection', () => {
  it('matches a full sort, skips -Infinity and breaks ties by lower index', () => {
    const r = createRng(1);
    const keys = new Float64Array(1000).map(() => Math.floor(r.nextDouble() * 50));
    keys[3] = -Infinity;
    const top = topKByKey(keys, 100);
    const expected = Array.from(keys.keys())
      .filter((i) => keys[i] !== -Infinity)
      .sort((a, b) => keys[b] - keys[a] || a - b)
      .slice(0, 100);
    expect(Array.from(top)).toEqual(expected);
    expect(topKByKey(new Float64Array([-Infinity, 1]), 5)).toEqual(new Uint32Array([1]));
  });
});

describe('weighted draw without replacement', () => {
  it('never repeats an item and gives heavier items higher inclusion rates', () => {
    const w = [1, 1, 1, 1, 4, 4, 0, 8];
    const hits = new Array(w.length).fill(0);
    const rng = createRng(5);
    for (let t = 0; t < 4000; t++) {
      const s = weightedSampleWithoutReplacement(w, 3, rng);
      expect(new Set(s).size).toBe(3);
      for (const i of s) hits[i]++;
    }
    expect(hits[6]).toBe(0); // weight 0 is never drawn
    expect(hits[7]).toBeGreaterThan(hits[4]);
    expect(hits[4]).toBeGreaterThan(hits[0]);
  });
  it('uses equal weights as a pure ordering of the uniforms', () => {
    const keys = esKeys(new Float64Array(10).fill(1), createRng(9));
    const u = Array.from({ length: 10 }, ((r) => () => Math.log(r.nextDouble()))(createRng(9)));
    expect(Array.from(keys)).toEqual(u);
  });
  it('computes capped PPS inclusion probabilities that sum to k', () => {
    const pi = ppsInclusionProbabilities([1, 1, 1, 1, 100], 2);
    expect(pi[4]).toBe(1);
    for (let i = 0; i < 4; i++) expect(pi[i]).toBeCloseTo(0.25, 12);
    expect(pi.reduce((a, b) => a + b, 0)).toBeCloseTo(2, 12);
    const w = inverseProbabilityWeights(pi, [4, 0]);
    // 1/1 and 1/0.25 -> 1 and 4, scaled to mean 1 -> 0.4 and 1.6
    expect(Array.from(w)).toEqual([0.4, 1.6]);
  });
});
