// Statistics of a population or a sample: class pixel shares, entropy, KL divergence, Kish effective
// sample size and per-class tile counts. Shares are over the 11 real classes (nodata excluded), and
// information measures are in bits (log base 2).
import { NBINS, NCLASSES } from '../landcover/worldcover.js';

/** Pixel totals per bin over all cells, or over the cells at `indices`. */
export function classPixelTotals(hist: Float32Array, indices?: ArrayLike<number>): Float64Array {
  const t = new Float64Array(NBINS);
  const n = indices ? indices.length : hist.length / NBINS;
  for (let j = 0; j < n; j++) {
    const o = (indices ? indices[j] : j) * NBINS;
    for (let b = 0; b < NBINS; b++) t[b] += hist[o + b];
  }
  return t;
}

/** Class shares by bin (bin 0 set to 0) from per-bin totals; all zeros when there are no valid pixels. */
export function classShares(totals: ArrayLike<number>): Float64Array {
  const s = new Float64Array(NBINS);
  let valid = 0;
  for (let b = 1; b < NBINS; b++) valid += totals[b];
  if (valid > 0) for (let b = 1; b < NBINS; b++) s[b] = totals[b] / valid;
  return s;
}

/** Normalise a distribution given by bin (bin 0 ignored) to sum 1 over the classes. */
export function normaliseDistribution(d: ArrayLike<number>): Float64Array {
  return classShares(d);
}

/** The uniform distribution over the 11 classes, by bin. */
export function uniformDistribution(): Float64Array {
  const u = new Float64Array(NBINS);
  for (let b = 1; b < NBINS; b++) u[b] = 1 / NCLASSES;
  return u;
}

/** Shannon entropy in bits of a distribution by bin (bin 0 ignored). Max log2(11) ≈ 3.459. */
export function entropyBits(p: ArrayLike<number>): number {
  let h = 0;
  for (let b = 1; b < NBINS; b++) if (p[b] > 0) h -= p[b] * Math.log2(p[b]);
  return h;
}

/**
 * KL(p || q) in bits (bin 0 ignored); Infinity when p puts mass where q has none; NaN when p has no mass
 * at all (a sample of nodata-only cells has no class distribution to compare).
 */
export function klBits(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let mass = 0;
  for (let b = 1; b < NBINS; b++) mass += p[b];
  if (!(mass > 0)) return NaN;
  let d = 0;
  for (let b = 1; b < NBINS; b++) {
    if (p[b] <= 0) continue;
    if (q[b] <= 0) return Infinity;
    d += p[b] * Math.log2(p[b] / q[b]);
  }
  return Math.max(0, d);
}

/** Kish effective sample size (sum w)^2 / sum w^2; equals n for equal weights. */
export function kishEss(w: ArrayLike<number>): number {
  let s = 0;
  let s2 = 0;
  for (let j = 0; j < w.length; j++) {
    s += w[j];
    s2 += w[j] * w[j];
  }
  return s2 > 0 ? (s * s) / s2 : 0;
}

export interface ClassTileCounts {
  /** Cells whose largest valid class is this bin (ties: lowest bin). */
  dominant: Float64Array;
  /** Cells with at least one pixel of this bin. */
  present: Float64Array;
}

/** Per-class tile counts over all cells or those at `indices`. Cells with no valid pixels count nowhere. */
export function classTileCounts(hist: Float32Array, indices?: ArrayLike<number>): ClassTileCounts {
  const dominant = new Float64Array(NBINS);
  const present = new Float64Array(NBINS);
  const n = indices ? indices.length : hist.length / NBINS;
  for (let j = 0; j < n; j++) {
    const o = (indices ? indices[j] : j) * NBINS;
    let best = 0;
    let bestV = 0;
    for (let b = 1; b < NBINS; b++) {
      const v = hist[o + b];
      if (v > 0) present[b]++;
      if (v > bestV) {
        bestV = v;
        best = b;
      }
    }
    if (best > 0) dominant[best]++;
  }
  return { dominant, present };
}
