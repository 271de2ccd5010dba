// Per-class candidate lists shared by the stratified and target policies: for every class, the cells
// containing it, sorted by their share of it (richest first), near-ties in a seeded random order.
import type { Rng } from '../prng.js';
import { NBINS } from '../landcover/worldcover.js';

const SCORE_LEVELS = 1 << 20;
const TIE_SPAN = 2 ** 32;

/**
 * Pack a score in [0, 1] (quantised to 2^-20) and a 32-bit tie-breaker into one double that sorts like
 * the pair; exact because the result stays below 2^53.
 */
export function packKey(score: number, tie: number): number {
  return Math.round(score * SCORE_LEVELS) * TIE_SPAN + tie;
}

/** Counting-sort buckets: shares within 1/4096 of each other count as ties (ordered at random). */
export const POOL_BUCKETS = 1 << 12;

/**
 * pools[b]: indices of the cells with pixels of bin b (b >= 1), by share of b descending (pools[0] empty);
 * `valid` holds each cell's valid pixel total. A counting sort on the share quantised to 1/4096 (two
 * sequential passes over the histograms), then a seeded Fisher–Yates shuffle inside each bucket so
 * equally rich cells come in an order set by the seed, not by input position. O(C n + C Q); measured
 * about 2x faster than a native sort of packed keys and 3x faster than visiting cells in random order.
 */
export function buildClassPools(hist: Float32Array, valid: Float64Array, rng: Rng): Uint32Array[] {
  const n = valid.length;
  const Q = POOL_BUCKETS;
  const stride = Q + 2;
  const starts = new Int32Array(NBINS * stride);
  const sizes = new Int32Array(NBINS);
  for (let i = 0, o = 0; i < n; i++, o += NBINS) {
    const v = valid[i];
    if (!(v > 0)) continue;
    for (let b = 1; b < NBINS; b++) {
      const c = hist[o + b];
      if (c > 0) {
        starts[b * stride + Q - Math.floor((c / v) * Q) + 1]++; // bucket 0 = share 1 (richest)
        sizes[b]++;
      }
    }
  }
  for (let b = 1; b < NBINS; b++) {
    const base = b * stride;
    for (let q = 1; q <= Q + 1; q++) starts[base + q] += starts[base + q - 1];
  }
  const bounds = starts.slice();
  const pools: Uint32Array[] = [];
  for (let b = 0; b < NBINS; b++) pools.push(new Uint32Array(b === 0 ? 0 : sizes[b]));
  for (let i = 0, o = 0; i < n; i++, o += NBINS) {
    const v = valid[i];
    if (!(v > 0)) continue;
    for (let b = 1; b < NBINS; b++) {
      const c = hist[o + b];
      if (c > 0) pools[b][starts[b * stride + Q - Math.floor((c / v) * Q)]++] = i;
    }
  }
  for (let b = 1; b < NBINS; b++) {
    const base = b * stride;
    const p = pools[b];
    for (let q = 0; q <= Q; q++) {
      const lo = bounds[base + q];
      for (let k = bounds[base + q + 1] - 1; k > lo; k--) {
        const j = lo + rng.nextInt(k - lo + 1);
        const t = p[k];
        p[k] = p[j];
        p[j] = t;
      }
    }
  }
  return pools;
}
