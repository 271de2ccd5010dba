// Target-distribution sampling: pick cells greedily so that the sample's class pixel share approaches a
// wanted distribution t (uniform over the 11 classes by default), stopping at `count` cells.
//
// Exact greedy (try every remaining cell at every step) is O(k * n * C) — hours at 1M cells. Instead each
// class c keeps a pool of the cells containing c, sorted by their share of c (richest first). At each
// step only the pool heads are candidates (at most C = 11 cells: the richest untaken cell of every class),
// and the one that minimises the squared distance sum_c (s'_c - t_c)^2 of the resulting sample share s'
// wins. Rich cells are what moves the share toward a deficient class fastest, so the heads are the
// cells worth looking at. Cost: O(C n) to build the pools by counting sort (class-pools.ts), O(k * C^2)
// for the greedy steps, and O(sum_c m_c) amortised for skipping taken heads (m_c = cells containing c).
//
// Ties in a pool's order (many cells are 100 % one class) are broken at random from the seed
// (class-pools.ts), so different seeds pick different, equally good cells; the same seed always gives
// the same sample.
//
// sample_weight (weightKind 'class-ratio'): the draw is deterministic given the seed, so there is no
// inclusion probability to invert. Instead each cell weighs sum_c share_ic * P_c / S_c, with P the
// population's class share and S the sample's: weighting the sample by it restores the population's
// class mix. Scaled to mean 1.
import { StageError } from '../../errors.js';
import { buildClassPools } from '../class-pools.js';
import { createRng } from '../../prng.js';
import { validTotals, type CellPopulation } from '../population.js';
import { classPixelTotals, classShares, uniformDistribution } from '../stats.js';
import { normaliseMeanOne } from '../weighted-draw.js';
import type { DrawRequest, PolicyResult } from './types.js';
import { NBINS } from '../../landcover/worldcover.js';

export function checkTarget(target: ArrayLike<number>): Float64Array {
  if (target.length !== NBINS) throw new StageError('sample', `target distribution has ${target.length} entries, expected ${NBINS} (one per WorldCover bin, bin 0 = nodata ignored)`);
  let s = 0;
  for (let b = 1; b < NBINS; b++) {
    if (!(target[b] >= 0)) throw new StageError('sample', `target share for bin ${b} is ${target[b]}, expected a number >= 0`);
    s += target[b];
  }
  if (!(s > 0)) throw new StageError('sample', 'target distribution sums to 0; expected at least one class with a positive share');
  return classShares(target);
}

export function drawTarget(pop: CellPopulation, spec: { target?: ArrayLike<number> }, req: DrawRequest): PolicyResult {
  const t = spec.target ? checkTarget(spec.target) : uniformDistribution();
  const n = pop.size;
  const h = pop.hist;
  const valid = validTotals(pop);
  const pools = buildClassPools(h, valid, createRng(req.seed));
  const head = new Int32Array(NBINS); // next position to look at in each pool

  const taken = new Uint8Array(n);
  const sums = new Float64Array(NBINS);
  let total = 0;
  const picked = new Uint32Array(Math.min(req.count, n));
  let k = 0;
  while (k < picked.length) {
    let best = -1;
    let bestD = Infinity;
    for (let c = 1; c < NBINS; c++) {
      const pool = pools[c];
      let p = head[c];
      while (p < pool.length && taken[pool[p]]) p++;
      head[c] = p;
      if (p >= pool.length) continue;
      const i = pool[p];
      const o = i * NBINS;
      const inv = 1 / (total + valid[i]);
      let d = 0;
      for (let b = 1; b < NBINS; b++) {
        const e = (sums[b] + h[o + b]) * inv - t[b];
        d += e * e;
      }
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    if (best < 0) break; // every cell with valid pixels is taken
    taken[best] = 1;
    picked[k++] = best;
    const o = best * NBINS;
    for (let b = 1; b < NBINS; b++) sums[b] += h[o + b];
    total += valid[best];
  }
  const indices = picked.slice(0, k);

  const popShare = classShares(classPixelTotals(h));
  const sampleShare = classShares(sums);
  const ratio = new Float64Array(NBINS);
  for (let b = 1; b < NBINS; b++) ratio[b] = sampleShare[b] > 0 ? popShare[b] / sampleShare[b] : 0;
  const w = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const o = indices[j] * NBINS;
    let acc = 0;
    for (let b = 1; b < NBINS; b++) acc += h[o + b] * ratio[b];
    w[j] = acc / valid[indices[j]];
  }
  const notes: string[] = [];
  if (k < req.count) notes.push(`asked for ${req.count} cells, only ${k} cells with valid pixels exist`);
  const missing: number[] = [];
  for (let b = 1; b < NBINS; b++) if (t[b] > 0 && pools[b].length === 0) missing.push(b);
  if (missing.length > 0) notes.push(`target wants classes absent from the population (bins ${missing.join(', ')}); their share stays 0`);
  return {
    policy: 'target',
    indices,
    sampleWeights: normaliseMeanOne(w),
    weightKind: 'class-ratio',
    params: { target: Array.from(t), objective: 'squared distance of class pixel shares', candidates: 'richest untaken cell per class' },
    notes,
  };
}
