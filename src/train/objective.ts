// DINO self-distillation loss and dual centering. Formulas (also in docs/train.md):
//
//   teacher logits t_{v,b} (global view v, tile b), student logits s_{u,b} (every view u)
//   q_{v,b} = softmax((t_{v,b} - c) / tau_t)          c = centre in use (below), stop-gradient
//   log p_{u,b} = log_softmax(s_{u,b} / tau_s)
//   L = 1/|pairs| * sum_{v, u != v} sum_b a_b * ( - sum_k q_{v,b,k} log p_{u,b,k} )
//   a_b = 1/B, or sampleWeight_b / sum sampleWeight when use_sample_weight
//
// Dual centering:
//   f_c   corpus frequency of WorldCover class c (stats.json pixel counts, nodata excluded)
//   r_c   = f_c^-alpha / sum_c' f_c' f_c'^-alpha   (so the corpus-average pixel weight is 1)
//   w_b   = sum_c p_{b,c} r_c, p_{b,c} = tile b's class share (its histogram, nodata excluded);
//           w_b = 1 for a tile without valid land-cover pixels
//   batch:   c_dino = mean_{v,b} t_{v,b}          c_cls = sum_{v,b} w_b t_{v,b} / (V * sum_b w_b)
//   EMA:     C   <- m C   + (1 - m) c_dino
//            C_h <- m C_h + (1 - m) c_cls
//   centre used for a step (the centres *before* this step's update, as DINO does):
//            dual: c = lambda C + (1 - lambda) C_h          dino: c = C
import * as tf from '@tensorflow/tfjs-core';
// Gradient functions (tfjs-core's Node bundle registers none): koleoLoss and dinoLoss are differentiated.
import './gradients.js';

/** Class frequencies f_c from pixel counts per WorldCover bin; bin 0 (nodata) is excluded (f_0 = 0). */
export function classFrequencies(counts: number[]): number[] {
  const valid = counts.reduce((a, c, i) => (i === 0 ? a : a + Math.max(0, c)), 0);
  return counts.map((c, i) => (i === 0 || valid === 0 ? 0 : Math.max(0, c) / valid));
}

/** Per-class weights r_c = f_c^-alpha / sum_c' f_c'^(1-alpha); 0 for classes absent from the corpus. */
export function classWeights(freq: number[], alpha: number): number[] {
  let norm = 0;
  for (const f of freq) if (f > 0) norm += f * Math.pow(f, -alpha);
  return freq.map((f) => (f > 0 && norm > 0 ? Math.pow(f, -alpha) / norm : 0));
}

/**
 * Per-tile class-aware weights w_b. A class the tile has but the corpus statistics lack (stats
 * from another corpus) counts as the rarest known class, so it is never silenced.
 */
export function tileClassWeights(histograms: number[][], r: number[]): number[] {
  const rMax = Math.max(0, ...r);
  return histograms.map((h) => {
    let valid = 0;
    let acc = 0;
    for (let c = 1; c < h.length; c++) {
      if (h[c] <= 0) continue;
      valid += h[c];
      acc += h[c] * (r[c] > 0 ? r[c] : rMax);
    }
    return valid > 0 ? acc / valid : 1;
  });
}

export interface CentreState {
  /** DINO centre C, [K]. */
  c: Float32Array;
  /** Class-frequency-aware centre C_h, [K]. */
  ch: Float32Array;
}

export interface CenteringOptions {
  mode: 'dino' | 'dual';
  lambda: number;
  momentum: number;
}

/** The centre subtracted from the teacher logits this step. */
export function combinedCentre(state: CentreState, o: CenteringOptions): Float32Array {
  if (o.mode === 'dino') return state.c.slice();
  const out = new Float32Array(state.c.length);
  for (let k = 0; k < out.length; k++) out[k] = o.lambda * state.c[k] + (1 - o.lambda) * state.ch[k];
  return out;
}

/**
 * New centres from this step's teacher logits [V*B, K] (views stacked view-major) and the tiles'
 * class weights w_b (length B). Returns fresh arrays; the input state is not modified.
 */
export function updateCentres(state: CentreState, teacherLogits: Float32Array, rows: number, w: number[], o: CenteringOptions): CentreState {
  const K = state.c.length;
  const B = w.length;
  const V = rows / B;
  if (!Number.isInteger(V)) throw new Error(`teacher rows ${rows} not a multiple of batch ${B}`);
  const mean = new Float64Array(K);
  const wmean = new Float64Array(K);
  const wsum = w.reduce((a, b) => a + b, 0) * V;
  for (let r = 0; r < rows; r++) {
    const wb = w[r % B];
    for (let k = 0; k < K; k++) {
      const t = teacherLogits[r * K + k];
      mean[k] += t / rows;
      wmean[k] += (wb * t) / wsum;
    }
  }
  const m = o.momentum;
  const c = new Float32Array(K);
  const ch = new Float32Array(K);
  for (let k = 0; k < K; k++) {
    c[k] = m * state.c[k] + (1 - m) * mean[k];
    // In dino mode C_h is still tracked (cheap) so a run can switch modes on resume.
    ch[k] = m * state.ch[k] + (1 - m) * wmean[k];
  }
  return { c, ch };
}

/** Teacher targets q = softmax((t - centre) / tau_t), per view. */
export function teacherTargets(teacher: tf.Tensor2D[], centre: Float32Array, tauT: number): tf.Tensor2D[] {
  return tf.tidy(() => {
    const c = tf.tensor1d(centre);
    return teacher.map((t) => tf.softmax(tf.div(tf.sub(t, c), tauT)) as tf.Tensor2D);
  });
}

/**
 * Cross-entropy between teacher targets (global views) and student log-softmax (all views; the
 * first targets.length student views are the same global crops). `a` are per-tile loss weights
 * summing to 1 ([B]).
 */
export function dinoLoss(targets: tf.Tensor2D[], student: tf.Tensor2D[], tauS: number, a: tf.Tensor1D): tf.Scalar {
  return dinoLossPart(targets, student, student.map((_, i) => i), student.length, tauS, a);
}

/**
 * The terms of dinoLoss whose student view is one of `views` (indices into all `viewCount` views;
 * `student` holds those views' logits in the same order), divided by the pair count of the whole
 * loss. The parts of a partition of the views sum to dinoLoss, so the trainer can differentiate
 * one group of views at a time and hold only that group's activations.
 */
export function dinoLossPart(targets: tf.Tensor2D[], student: tf.Tensor2D[], views: number[], viewCount: number, tauS: number, a: tf.Tensor1D): tf.Scalar {
  let pairs = 0;
  for (let v = 0; v < targets.length; v++) for (let u = 0; u < viewCount; u++) if (u !== v) pairs++;
  if (pairs === 0) throw new Error('DINO loss needs at least two views');
  let total: tf.Tensor = tf.scalar(0);
  student.forEach((s, j) => {
    const u = views[j];
    const logp = tf.logSoftmax(tf.div(s, tauS));
    for (let v = 0; v < targets.length; v++) {
      if (u === v) continue;
      const ce = tf.neg(tf.sum(tf.mul(targets[v], logp), -1)); // [B]
      total = tf.add(total, tf.sum(tf.mul(ce, a)));
    }
  });
  return tf.div(total, pairs) as tf.Scalar;
}

/**
 * KoLeo regulariser (DINOv2's, from the Kozachenko-Leonenko entropy estimator) on features x [B, D]:
 *   x_i <- x_i / |x_i|,  n(i) = argmax_{j != i} x_i . x_j  (nearest neighbour, chosen without gradient)
 *   L_koleo = -1/B sum_i log( |x_i - x_n(i)| + eps )
 * It pushes each tile away from its nearest neighbour in the batch, so features spread over the
 * sphere instead of bunching on a few prototypes: the kNN-friendly counterweight to DINO's
 * clustering. The neighbour is gathered with a constant one-hot matrix (no gather op, which lacks a
 * gradient on wasm).
 */
export function koleoLoss(x: tf.Tensor2D, eps = 1e-8): tf.Scalar {
  const B = x.shape[0];
  if (B < 2) return tf.scalar(0);
  const xn = tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), -1, true), 1e-12))) as tf.Tensor2D;
  const sims = tf.tidy(() => tf.matMul(xn, xn, false, true)).dataSync() as Float32Array;
  const pick = new Float32Array(B * B);
  for (let i = 0; i < B; i++) {
    let best = -1;
    for (let j = 0; j < B; j++) if (j !== i && (best < 0 || sims[i * B + j] > sims[i * B + best])) best = j;
    pick[i * B + best] = 1;
  }
  const nbr = tf.matMul(tf.tensor2d(pick, [B, B]), xn);
  const d = tf.sqrt(tf.add(tf.sum(tf.square(tf.sub(xn, nbr)), -1), 1e-12));
  return tf.neg(tf.mean(tf.log(tf.add(d, eps)))) as tf.Scalar;
}

/** Loss weights a_b: uniform, or sample weights normalised to sum 1. */
export function lossWeights(sampleWeights: number[], use: boolean): number[] {
  const B = sampleWeights.length;
  if (!use) return sampleWeights.map(() => 1 / B);
  const s = sampleWeights.reduce((x, y) => x + Math.max(0, y), 0);
  if (!(s > 0)) return sampleWeights.map(() => 1 / B);
  return sampleWeights.map((w) => Math.max(0, w) / s);
}
