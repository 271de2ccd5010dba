// Policies on a synthetic long-tailed population (20k cells, known frequencies).
import { describe, expect, it } from 'vitest';
import { runPolicy } from '../../src/sample/policies/index.js';
import { defaultQuotas } from '../../src/sample/policies/stratified.js';
import { classPixelTotals, classShares, klBits, uniformDistribution } from '../../src/sample/stats.js';
import { LONG_TAIL_FREQUENCIES, syntheticPopulation } from '../../src/sample/synthetic.js';
import { NBINS, WORLDCOVER_CLASSES } from '../../src/landcover/worldcover.js';

const pop = syntheticPopulation({ cells: 20000, seed: 11 });
const uniform = uniformDistribution();
const share = (idx: ArrayLike<number>) => classShares(classPixelTotals(pop.hist, idx));
const klU = (idx: ArrayLike<number>) => klBits(share(idx), uniform);
const COUNT = 400;

describe('synthetic population', () => {
  it('has the long-tailed class frequencies it was built with', () => {
    const s = classShares(classPixelTotals(pop.hist));
    const f = classShares(LONG_TAIL_FREQUENCIES);
    for (let b = 1; b < NBINS; b++) expect(Math.abs(s[b] - f[b])).toBeLessThan(0.01);
    expect(klBits(s, uniform)).toBeGreaterThan(0.7);
  });
});

describe('uniform and inverse-frequency', () => {
  const uni = runPolicy(pop, { policy: 'uniform' }, { count: COUNT, seed: 1 });
  const if1 = runPolicy(pop, { policy: 'inverse-frequency', alpha: 1 }, { count: COUNT, seed: 1 });
  it('uniform keeps the population mix (KL to uniform stays high)', () => {
    expect(uni.indices.length).toBe(COUNT);
    expect(new Set(uni.indices).size).toBe(COUNT);
    expect(klU(uni.indices)).toBeGreaterThan(0.55);
    expect(Array.from(uni.sampleWeights).every((w) => w === 1)).toBe(true);
  });
  it('alpha = 1 brings the class shares close to equal: KL to uniform < 0.12 bits and < 1/5 of uniform policy', () => {
    const k = klU(if1.indices);
    expect(k).toBeLessThan(0.12);
    expect(k).toBeLessThan(klU(uni.indices) / 5);
    expect(new Set(if1.indices).size).toBe(COUNT);
  });
  it('alpha = 1 gives each rare class (< 2 % of pixels) at least 4 % of the sample', () => {
    const s = share(if1.indices);
    for (const code of [50, 90, 95, 100]) expect(s[WORLDCOVER_CLASSES.indexOf(code as 50)]).toBeGreaterThan(0.04);
  });
  it('alpha = 0 draws exactly the uniform sample for the same seed', () => {
    const if0 = runPolicy(pop, { policy: 'inverse-frequency', alpha: 0 }, { count: COUNT, seed: 1 });
    expect(Array.from(if0.indices)).toEqual(Array.from(uni.indices));
    expect(Array.from(if0.sampleWeights).every((w) => Math.abs(w - 1) < 1e-12)).toBe(true);
  });
  it('inverse-probability weights have mean 1 and are larger for common-class cells', () => {
    const w = if1.sampleWeights;
    expect(w.reduce((a, b) => a + b, 0) / w.length).toBeCloseTo(1, 10);
    const treeBin = 1;
    const mangroveBin = WORLDCOVER_CLASSES.indexOf(95);
    const dominantOf = (i: number) => {
      let best = 1;
      for (let b = 1; b < NBINS; b++) if (pop.hist[i * NBINS + b] > pop.hist[i * NBINS + best]) best = b;
      return best;
    };
    const mean = (bin: number) => {
      const ws = Array.from(if1.indices).flatMap((i, j) => (dominantOf(i) === bin ? [w[j]] : []));
      return ws.reduce((a, b) => a + b, 0) / ws.length;
    };
    expect(mean(treeBin)).toBeGreaterThan(5 * mean(mangroveBin));
  });
  it('same seed -> same sample; another seed -> a different one', () => {
    const again = runPolicy(pop, { policy: 'inverse-frequency', alpha: 1 }, { count: COUNT, seed: 1 });
    const other = runPolicy(pop, { policy: 'inverse-frequency', alpha: 1 }, { count: COUNT, seed: 2 });
    expect(Array.from(again.indices)).toEqual(Array.from(if1.indices));
    const overlap = Array.from(other.indices).filter((i) => new Set(if1.indices).has(i)).length;
    expect(overlap).toBeLessThan(COUNT / 2);
  });
  it('rejects a negative alpha and wrong-length frequencies', () => {
    expect(() => runPolicy(pop, { policy: 'inverse-frequency', alpha: -1 }, { count: 5, seed: 1 })).toThrow(/alpha is -1, expected a number >= 0/);
    expect(() => runPolicy(pop, { policy: 'inverse-frequency', alpha: 1, classFrequencies: [1, 2] }, { count: 5, seed: 1 })).toThrow(
      /class frequencies have 2 entries, expected 12/,
    );
  });
});

describe('stratified', () => {
  it('meets explicit quotas exactly when feasible, from each class top-K list', () => {
    const quotas = [
      { code: 95, topK: 40, n: 30 },
      { code: 50, topK: 200, n: 50 },
      { code: 10, topK: 1000, n: 60 },
    ];
    const r = runPolicy(pop, { policy: 'stratified', quotas, diversity: { n: 40, topM: 300 } }, { count: 180, seed: 3 });
    expect(r.indices.length).toBe(180);
    expect(new Set(r.indices).size).toBe(180);
    expect(r.quotas!.map((q) => [q.stratum, q.drawn, q.met])).toEqual([
      [95, 30, true],
      [50, 50, true],
      [10, 60, true],
      ['diversity', 40, true],
    ]);
    // The 30 mangrove cells come from the 40 richest in mangroves.
    const mangroveBin = WORLDCOVER_CLASSES.indexOf(95);
    const shareOf = (i: number, b: number) => {
      let v = 0;
      for (let c = 1; c < NBINS; c++) v += pop.hist[i * NBINS + c];
      return pop.hist[i * NBINS + b] / v;
    };
    const ranked = Array.from({ length: pop.size }, (_, i) => shareOf(i, mangroveBin)).sort((a, b) => b - a);
    const cutoff = ranked[39];
    for (const i of r.indices.subarray(0, 30)) expect(shareOf(i, mangroveBin)).toBeGreaterThanOrEqual(cutoff);
  });
  it('reports a shortfall when a quota asks for more cells than its top-K list holds', () => {
    const r = runPolicy(pop, { policy: 'stratified', quotas: [{ code: 95, topK: 10, n: 25 }] }, { count: 25, seed: 3 });
    expect(r.quotas![0]).toMatchObject({ requested: 25, available: 10, drawn: 10, met: false });
    expect(r.notes.join('\n')).toMatch(/quota 95: wanted 25, only 10 untaken cells in its top 10/);
  });
  it('derives quotas from count (rarest class first) and fills count exactly', () => {
    const q = defaultQuotas(pop, COUNT);
    expect(q[0].code).toBe(95);
    // floor(0.9 * 400) = 360 over 11 classes: 32 each, the 8 rarest get 33
    expect(q.map((x) => x.n)).toEqual([33, 33, 33, 33, 33, 33, 33, 33, 32, 32, 32]);
    expect(q.every((x) => x.topK === 10 * x.n)).toBe(true);
    expect(defaultQuotas(pop, 6).map((x) => [x.code, x.n])).toEqual([[95, 1], [50, 1], [100, 1], [90, 1], [70, 1]]); // the 5 rarest
    const r = runPolicy(pop, { policy: 'stratified' }, { count: COUNT, seed: 3 });
    expect(r.indices.length).toBe(COUNT);
    expect(klU(r.indices)).toBeLessThan(klU(runPolicy(pop, { policy: 'uniform' }, { count: COUNT, seed: 3 }).indices) / 3);
    const again = runPolicy(pop, { policy: 'stratified' }, { count: COUNT, seed: 3 });
    const other = runPolicy(pop, { policy: 'stratified' }, { count: COUNT, seed: 4 });
    expect(Array.from(again.indices)).toEqual(Array.from(r.indices));
    expect(Array.from(other.indices)).not.toEqual(Array.from(r.indices));
  });
  it('names a bad class code', () => {
    expect(() => runPolicy(pop, { policy: 'stratified', quotas: [{ code: 15, topK: 5, n: 1 }] }, { count: 1, seed: 1 })).toThrow(
      /class 15: not a WorldCover class code/,
    );
  });
});

describe('target', () => {
  it('gets within KL 0.005 bits of the uniform target', () => {
    const r = runPolicy(pop, { policy: 'target' }, { count: COUNT, seed: 5 });
    expect(r.indices.length).toBe(COUNT);
    expect(new Set(r.indices).size).toBe(COUNT);
    expect(klU(r.indices)).toBeLessThan(0.005);
  });
  it('gets within KL(target || sample) 0.02 bits of a skewed target with zero classes', () => {
    const t = new Float64Array(NBINS);
    t[1] = 4; // tree 40 %
    t[4] = 3; // cropland 30 %
    t[5] = 2; // built-up 20 %
    t[10] = 1; // mangroves 10 %
    const r = runPolicy(pop, { policy: 'target', target: t }, { count: 300, seed: 5 });
    // Mixed cells carry some pixels of zero-target classes, so KL(sample || target) is infinite here;
    // the direction that asks "is every wanted class there in its proportion" is KL(target || sample).
    expect(klBits(classShares(t), share(r.indices))).toBeLessThan(0.02);
    // class-ratio weights: reweighting the sample restores the population's share of tree cover
    let wTree = 0;
    let wAll = 0;
    Array.from(r.indices).forEach((i, j) => {
      for (let b = 1; b < NBINS; b++) {
        const v = (pop.hist[i * NBINS + b] * r.sampleWeights[j]);
        wAll += v;
        if (b === 1) wTree += v;
      }
    });
    expect(r.weightKind).toBe('class-ratio');
    expect(Math.abs(wTree / wAll - share(Array.from({ length: pop.size }, (_, i) => i))[1])).toBeLessThan(0.03);
  });
  it('same seed -> same sample; another seed -> a different one', () => {
    const a = runPolicy(pop, { policy: 'target' }, { count: COUNT, seed: 5 });
    const b = runPolicy(pop, { policy: 'target' }, { count: COUNT, seed: 5 });
    const c = runPolicy(pop, { policy: 'target' }, { count: COUNT, seed: 6 });
    expect(Array.from(b.indices)).toEqual(Array.from(a.indices));
    expect(Array.from(c.indices)).not.toEqual(Array.from(a.indices));
  });
  it('rejects a target that sums to 0', () => {
    expect(() => runPolicy(pop, { policy: 'target', target: new Float64Array(NBINS) }, { count: 1, seed: 1 })).toThrow(/target distribution sums to 0/);
  });
});

describe('dispatch', () => {
  it('rejects an unknown policy and a bad count', () => {
    expect(() => runPolicy(pop, { policy: 'nope' } as never, { count: 1, seed: 1 })).toThrow(/unknown policy "nope"/);
    expect(() => runPolicy(pop, { policy: 'uniform' }, { count: 1.5, seed: 1 })).toThrow(/count is 1.5, expected an integer >= 0/);
  });
});
