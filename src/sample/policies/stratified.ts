// Stratified sampling in the style Clay used for its WorldCover-balanced chip selection:
//   for each class c (in order): rank cells by the share of c, keep the top K_c, and draw n_c of them at
//   random, skipping cells an earlier stratum already took;
//   then a diversity quota: rank cells by the number of classes present (ties: the more even cell, i.e.
//   the smaller largest-class share),
//   keep the top M, draw n of them at random, again skipping taken cells.
// A quota is met exactly whenever its top-K list still holds n untaken cells; otherwise all of them are
// taken and the shortfall is reported (QuotaOutcome.met = false).
//
// Defaults when no quotas are given (so `count` alone is enough): floor(0.9 * count) cells are split evenly
// over the classes present in the population (the remainder one each to the rarest), K_c = 10 * n_c,
// processed rarest class first (so rare
// classes claim their richest cells before common classes do); the diversity quota takes whatever is left
// of `count` (shortfalls included), from the top 6x as many cells. So the total is `count` when feasible.
//
// Ties in a ranking (many cells are 100 % one class) are broken at random from the seed (class-pools.ts),
// so the seed decides which of equally rich cells enter a top-K list rather than their order in the input.
//
// sample_weight: in stratum s, each of its a_s untaken candidates had chance d_s / a_s of being drawn; a
// cell's inclusion probability is 1 - prod_s (1 - d_s / a_s) over the strata it was a candidate of
// (strata treated as independent, an approximation), and the weight is its inverse, scaled to mean 1.
import { StageError } from '../../errors.js';
import { buildClassPools, packKey } from '../class-pools.js';
import { createRng, type Rng } from '../../prng.js';
import { validTotals, type CellPopulation } from '../population.js';
import { classPixelTotals, classTileCounts } from '../stats.js';
import { normaliseMeanOne, topKByKey } from '../weighted-draw.js';
import type { ClassQuota, DiversityQuota, DrawRequest, PolicyResult, QuotaOutcome } from './types.js';
import { classCode, NBINS, realClassBin, WORLDCOVER_CLASSES } from '../../landcover/worldcover.js';

/**
 * Quotas used when the configuration gives none (see header). Diversity n is filled in after the class
 * draws. `present[b]` = cells containing class b (the class pools' sizes, when already built).
 */
export function defaultQuotas(pop: CellPopulation, count: number, present: ArrayLike<number> = classTileCounts(pop.hist).present): ClassQuota[] {
  const totals = classPixelTotals(pop.hist);
  const bins: number[] = [];
  for (let b = 1; b < NBINS; b++) if (present[b] > 0) bins.push(b);
  if (bins.length === 0) return [];
  bins.sort((a, b) => totals[a] - totals[b] || a - b);
  const total = Math.floor(0.9 * count);
  const base = Math.floor(total / bins.length);
  const extra = total - base * bins.length; // one more for the rarest `extra` classes
  return bins
    .map((b, j) => {
      const n = base + (j < extra ? 1 : 0);
      return { code: classCode(b), topK: 10 * n, n };
    })
    .filter((q) => q.n > 0);
}

/** Draw `n` of `cands` at random (partial Fisher–Yates, in place). Returns the drawn prefix. */
function drawFrom(cands: Uint32Array, n: number, rng: Rng): Uint32Array {
  const m = Math.min(n, cands.length);
  for (let i = 0; i < m; i++) {
    const j = i + rng.nextInt(cands.length - i);
    const t = cands[i];
    cands[i] = cands[j];
    cands[j] = t;
  }
  return cands.subarray(0, m);
}

export function drawStratified(
  pop: CellPopulation,
  spec: { quotas?: ClassQuota[]; diversity?: DiversityQuota },
  req: DrawRequest,
): PolicyResult {
  const derived = spec.quotas === undefined;
  const n = pop.size;
  const rng = createRng(req.seed);
  const h = pop.hist;
  const valid = validTotals(pop);
  const pools = spec.quotas?.length === 0 ? [] : buildClassPools(h, valid, rng);
  const quotas = spec.quotas ?? defaultQuotas(pop, req.count, pools.map((p) => p.length));
  for (const q of quotas) {
    if (realClassBin(q.code) === undefined) throw new StageError('sample', `stratified quota for class ${q.code}: not a WorldCover class code; expected one of ${WORLDCOVER_CLASSES.slice(1).join(', ')}`);
    if (!(Number.isInteger(q.n) && q.n >= 0 && Number.isInteger(q.topK) && q.topK >= 0))
      throw new StageError('sample', `stratified quota for class ${q.code}: n=${q.n}, top_k=${q.topK}; expected integers >= 0`);
  }
  const taken = new Uint8Array(n);
  const notIncluded = new Float64Array(n).fill(1);
  const drawnAll: number[] = [];
  const outcomes: QuotaOutcome[] = [];

  /** Draw `want` untaken cells at random from `top` (a stratum's top-K list). */
  const runStratum = (stratum: number | 'diversity', top: Uint32Array, topK: number, want: number) => {
    let a = 0;
    const cands = new Uint32Array(top.length);
    for (const i of top) {
      if (!taken[i]) cands[a++] = i;
    }
    const eligible = cands.subarray(0, a);
    const drawn = drawFrom(eligible, want, rng);
    const p = a > 0 ? drawn.length / a : 0;
    for (const i of eligible) notIncluded[i] *= 1 - p;
    for (const i of drawn) {
      taken[i] = 1;
      drawnAll.push(i);
    }
    outcomes.push({ stratum, topK, requested: want, available: a, drawn: drawn.length, met: want <= a });
  };

  for (const q of quotas) {
    runStratum(q.code, pools[realClassBin(q.code)!].subarray(0, q.topK), q.topK, q.n);
  }
  let diversity = spec.diversity;
  if (derived && !diversity) {
    const left = Math.max(0, req.count - drawnAll.length);
    diversity = { n: left, topM: 6 * left };
  }
  if (diversity && diversity.n > 0) {
    if (!(Number.isInteger(diversity.n) && Number.isInteger(diversity.topM) && diversity.topM >= 0))
      throw new StageError('sample', `stratified diversity quota n=${diversity.n}, top_m=${diversity.topM}; expected integers >= 0`);
    // Score: classes present, plus (1 - largest share) < 1 as the tie-break (more even cells first),
    // scaled into [0, 1) for packKey.
    const keys = new Float64Array(n);
    for (let i = 0, o = 0; i < n; i++, o += NBINS) {
      let classes = 0;
      let maxV = 0;
      for (let b = 1; b < NBINS; b++) {
        const v = h[o + b];
        if (v > 0) {
          classes++;
          if (v > maxV) maxV = v;
        }
      }
      keys[i] = classes === 0 ? -Infinity : packKey((classes + 1 - maxV / valid[i]) / NBINS, rng.nextU32());
    }
    runStratum('diversity', topKByKey(keys, diversity.topM), diversity.topM, diversity.n);
  }
  const indices = Uint32Array.from(drawnAll);
  const w = new Float64Array(indices.length);
  for (let j = 0; j < indices.length; j++) w[j] = 1 / (1 - notIncluded[indices[j]]);
  const notes: string[] = [];
  for (const o of outcomes)
    if (!o.met) notes.push(`quota ${o.stratum}: wanted ${o.requested}, only ${o.available} untaken cells in its top ${o.topK}`);
  if (!derived && req.count !== indices.length)
    notes.push(`explicit quotas drew ${indices.length} cells; count ${req.count} is not used when quotas are given`);
  return {
    policy: 'stratified',
    indices,
    sampleWeights: normaliseMeanOne(w),
    weightKind: 'inverse-inclusion-probability',
    params: { quotasFrom: derived ? 'count' : 'config', quotas, diversity: diversity ?? null },
    quotas: outcomes,
    notes,
  };
}
