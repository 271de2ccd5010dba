// Weighted sampling without replacement, and the inclusion probabilities that go with it.
//
// Draw: Efraimidis & Spirakis (2006): give item i the key u_i^(1/w_i) (u uniform in (0,1)) and keep the
// k largest keys. We use log keys, ln(u_i)/w_i, which order the same way without underflow. Keeping the
// top k with a size-k min-heap is O(n log k) time and O(n + k) memory. With all weights equal the key
// order is the order of u itself, so `uniform` and `inverse-frequency` at alpha = 0 draw the very same
// cells from the same seed.

import type { Rng } from '../prng.js';

/**
 * Indices of the `k` largest keys (ties: lower index wins), in descending key order.
 * Keys of -Infinity are never selected, so the result can be shorter than k.
 */
export function topKByKey(keys: Float64Array, k: number): Uint32Array {
  const n = keys.length;
  k = Math.min(k, n);
  if (k <= 0) return new Uint32Array(0);
  // Min-heap on (key, -index): the root is the current k-th best, the first to be evicted.
  const hk = new Float64Array(k);
  const hi = new Uint32Array(k);
  let size = 0;
  const worse = (ka: number, ia: number, kb: number, ib: number) => ka < kb || (ka === kb && ia > ib);
  const siftDown = (pos: number) => {
    const key = hk[pos];
    const idx = hi[pos];
    for (;;) {
      const l = 2 * pos + 1;
      if (l >= size) break;
      const r = l + 1;
      const c = r < size && worse(hk[r], hi[r], hk[l], hi[l]) ? r : l;
      if (!worse(hk[c], hi[c], key, idx)) break;
      hk[pos] = hk[c];
      hi[pos] = hi[c];
      pos = c;
    }
    hk[pos] = key;
    hi[pos] = idx;
  };
  for (let i = 0; i < n; i++) {
    const key = keys[i];
    if (key === -Infinity || Number.isNaN(key)) continue;
    if (size < k) {
      // sift up
      let pos = size++;
      while (pos > 0) {
        const p = (pos - 1) >> 1;
        if (!worse(key, i, hk[p], hi[p])) break;
        hk[pos] = hk[p];
        hi[pos] = hi[p];
        pos = p;
      }
      hk[pos] = key;
      hi[pos] = i;
    } else if (worse(hk[0], hi[0], key, i)) {
      hk[0] = key;
      hi[0] = i;
      siftDown(0);
    }
  }
  // Pop everything: ascending order of the heap, written back to front -> descending.
  const out = new Uint32Array(size);
  for (let j = size - 1; j >= 0; j--) {
    out[j] = hi[0];
    size--;
    if (size > 0) {
      hk[0] = hk[size];
      hi[0] = hi[size];
      siftDown(0);
    }
  }
  return out;
}

/** Efraimidis–Spirakis log keys for `weights`, drawing one uniform per item in index order. */
export function esKeys(weights: ArrayLike<number>, rng: Rng): Float64Array {
  const n = weights.length;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.nextDouble(); // drawn for every item, so the stream does not depend on the weights
    const w = weights[i];
    keys[i] = w > 0 ? Math.log(u) / w : -Infinity;
  }
  return keys;
}

/** Draw up to `k` items without replacement with probability proportional to weight (ES keys). */
export function weightedSampleWithoutReplacement(weights: ArrayLike<number>, k: number, rng: Rng): Uint32Array {
  return topKByKey(esKeys(weights, rng), k);
}

/**
 * First-order inclusion probabilities of a k-of-n draw proportional to size: pi_i = min(1, c * w_i) with c
 * chosen so that sum(pi) = k (items whose weight would exceed certainty are capped at 1 and c is solved
 * again over the rest). This is the exact answer for conditional-Poisson/systematic PPS designs and a
 * close, standard approximation for the successive (ES) draw, whose exact probabilities have no closed
 * form. Items with weight 0 get probability 0.
 */
export function ppsInclusionProbabilities(weights: ArrayLike<number>, k: number): Float64Array {
  const n = weights.length;
  const pi = new Float64Array(n);
  const capped = new Uint8Array(n);
  let positive = 0;
  for (let i = 0; i < n; i++) if (weights[i] > 0) positive++;
  if (k >= positive) {
    for (let i = 0; i < n; i++) pi[i] = weights[i] > 0 ? 1 : 0;
    return pi;
  }
  let nCapped = 0;
  let c = 0;
  for (let iter = 0; iter < 100; iter++) {
    let rest = 0;
    for (let i = 0; i < n; i++) if (!capped[i] && weights[i] > 0) rest += weights[i];
    c = (k - nCapped) / rest;
    let newly = 0;
    for (let i = 0; i < n; i++) {
      if (!capped[i] && weights[i] > 0 && c * weights[i] >= 1) {
        capped[i] = 1;
        newly++;
      }
    }
    nCapped += newly;
    if (newly === 0) break;
  }
  for (let i = 0; i < n; i++) pi[i] = capped[i] ? 1 : weights[i] > 0 ? c * weights[i] : 0;
  return pi;
}

/** Sample weights from inclusion probabilities: 1/pi for the drawn items, scaled to mean 1. */
export function inverseProbabilityWeights(pi: ArrayLike<number>, drawn: ArrayLike<number>): Float64Array {
  const w = new Float64Array(drawn.length);
  for (let j = 0; j < drawn.length; j++) w[j] = 1 / pi[drawn[j]];
  return normaliseMeanOne(w);
}

/** Scale in place so the mean is 1 (an empty or all-zero array is returned unchanged). */
export function normaliseMeanOne(w: Float64Array): Float64Array {
  let s = 0;
  for (let j = 0; j < w.length; j++) s += w[j];
  if (s > 0 && Number.isFinite(s)) {
    const f = w.length / s;
    for (let j = 0; j < w.length; j++) w[j] *= f;
  }
  return w;
}
