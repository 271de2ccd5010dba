import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/train/backend.js';
import {
  classFrequencies,
  classWeights,
  combinedCentre,
  dinoLoss,
  dinoLossPart,
  koleoLoss,
  lossWeights,
  teacherTargets,
  tileClassWeights,
  updateCentres,
} from '../../src/train/objective.js';

const z = (n: number) => new Array(n).fill(0);

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('class-frequency weights', () => {
  // Corpus: 5 nodata, 30 tree (bin 1), 10 shrub (bin 2) -> f = 0.75, 0.25 (nodata excluded).
  const counts = [5, 30, 10, ...z(9)];

  it('computes corpus class frequencies without nodata', () => {
    const f = classFrequencies(counts);
    expect(f.slice(0, 3)).toEqual([0, 0.75, 0.25]);
    expect(f.slice(3)).toEqual(z(9));
  });

  it('r_c = f_c^-alpha / sum f f^-alpha; corpus-average weight is 1', () => {
    const r = classWeights(classFrequencies(counts), 1);
    // alpha = 1: norm = number of present classes = 2 -> r = (1/0.75)/2, (1/0.25)/2
    expect(r[1]).toBeCloseTo(2 / 3, 12);
    expect(r[2]).toBeCloseTo(2, 12);
    expect(r[0]).toBe(0);
    expect(0.75 * r[1] + 0.25 * r[2]).toBeCloseTo(1, 12);
    // alpha = 0: no re-weighting
    const r0 = classWeights(classFrequencies(counts), 0);
    expect(r0[1]).toBeCloseTo(1, 12);
    expect(r0[2]).toBeCloseTo(1, 12);
  });

  it('w_b averages r over the tile classes; empty tiles get 1, unknown classes the rarest weight', () => {
    const r = classWeights(classFrequencies(counts), 1);
    const w = tileClassWeights([[100, 3, 1, ...z(9)], z(12), [0, 0, 0, 4, ...z(8)]], r);
    expect(w[0]).toBeCloseTo((3 * (2 / 3) + 1 * 2) / 4, 12); // = 1
    expect(w[1]).toBe(1);
    expect(w[2]).toBeCloseTo(2, 12);
  });
});

describe('dual centering', () => {
  // K = 2, B = 2, V = 2 global views; rows are view-major: v0b0, v0b1, v1b0, v1b1.
  const logits = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
  const w = [1, 3];
  const state = { c: Float32Array.from([1, 1]), ch: Float32Array.from([0, 0]) };
  const opts = { mode: 'dual' as const, lambda: 0.25, momentum: 0.9 };

  it('updates C with the batch mean and C_h with the class-weighted mean', () => {
    // mean = [4, 5]; weighted = (1*[1,2] + 3*[3,4] + 1*[5,6] + 3*[7,8]) / 8 = [4.5, 5.5]
    const next = updateCentres(state, logits, 4, w, opts);
    expect(next.c[0]).toBeCloseTo(0.9 * 1 + 0.1 * 4, 6);
    expect(next.c[1]).toBeCloseTo(0.9 * 1 + 0.1 * 5, 6);
    expect(next.ch[0]).toBeCloseTo(0.1 * 4.5, 6);
    expect(next.ch[1]).toBeCloseTo(0.1 * 5.5, 6);
    expect(Array.from(state.c)).toEqual([1, 1]); // input untouched
  });

  it('combines lambda*C + (1-lambda)*C_h, or C alone in dino mode', () => {
    const s = { c: Float32Array.from([1.3, 1.4]), ch: Float32Array.from([0.45, 0.55]) };
    const dual = combinedCentre(s, opts);
    expect(dual[0]).toBeCloseTo(0.25 * 1.3 + 0.75 * 0.45, 6); // 0.6625
    expect(dual[1]).toBeCloseTo(0.7625, 6);
    expect(Array.from(combinedCentre(s, { ...opts, mode: 'dino' }))).toEqual([Math.fround(1.3), Math.fround(1.4)]);
  });

  it('rejects logits whose rows are not a multiple of the batch', () => {
    expect(() => updateCentres(state, logits.slice(0, 6), 3, w, opts)).toThrow(/not a multiple/);
  });
});

describe('DINO loss', () => {
  it('centres and sharpens the teacher: softmax((t - c) / tau)', () => {
    const [q] = teacherTargets([tf.tensor2d([[1, 2]])], Float32Array.from([1, 0]), 0.5);
    // (t - c) / tau = [0, 4]
    const e4 = Math.exp(4);
    const v = q.dataSync();
    expect(v[0]).toBeCloseTo(1 / (1 + e4), 6);
    expect(v[1]).toBeCloseTo(e4 / (1 + e4), 6);
  });

  it('averages cross-entropy over teacher/student view pairs, skipping same-view pairs', () => {
    const q = [tf.tensor2d([[0.5, 0.5]]), tf.tensor2d([[1, 0]])];
    const s = [tf.tensor2d([[0, 0]]), tf.tensor2d([[Math.log(3), 0]]), tf.tensor2d([[0, Math.log(3)]])];
    const loss = dinoLoss(q, s, 1, tf.tensor1d([1])).dataSync()[0];
    // pairs (0,1), (0,2): -(0.5 ln .75 + 0.5 ln .25) each; (1,0): -ln .5; (1,2): -ln .25
    const h = -(0.5 * Math.log(0.75) + 0.5 * Math.log(0.25));
    expect(loss).toBeCloseTo((2 * h - Math.log(0.5) - Math.log(0.25)) / 4, 5); // 0.938354
  });

  it('splits into per-view-group parts that sum to the whole loss', () => {
    const q = [tf.tensor2d([[0.5, 0.5]]), tf.tensor2d([[1, 0]])];
    const s = [tf.tensor2d([[0, 0]]), tf.tensor2d([[Math.log(3), 0]]), tf.tensor2d([[0, Math.log(3)]])];
    const a = tf.tensor1d([1]);
    const whole = dinoLoss(q, s, 1, a).dataSync()[0];
    const globals = dinoLossPart(q, s.slice(0, 2), [0, 1], 3, 1, a).dataSync()[0];
    const local = dinoLossPart(q, [s[2]], [2], 3, 1, a).dataSync()[0];
    // the local view's part: pairs (0,2) and (1,2) of the 4: (h - ln .25) / 4
    const h = -(0.5 * Math.log(0.75) + 0.5 * Math.log(0.25));
    expect(local).toBeCloseTo((h - Math.log(0.25)) / 4, 5);
    expect(globals + local).toBeCloseTo(whole, 5);
  });

  it('weights tiles by normalised sample weight when asked', () => {
    expect(lossWeights([1, 3], false)).toEqual([0.5, 0.5]);
    expect(lossWeights([1, 3], true)).toEqual([0.25, 0.75]);
    // tile 0 loss -ln .5, tile 1 loss -ln .25 for a single pair
    const q = [tf.tensor2d([[1, 0], [1, 0]])];
    const s = [tf.tensor2d([[0, 0], [0, 0]]), tf.tensor2d([[0, 0], [0, Math.log(3)]])];
    const loss = dinoLoss(q, s, 1, tf.tensor1d([0.25, 0.75])).dataSync()[0];
    expect(loss).toBeCloseTo(0.25 * Math.log(2) + 0.75 * Math.log(4), 5);
  });
});

describe('KoLeo regulariser', () => {
  it('is -mean log of each row\'s distance to its nearest other row on the unit sphere', () => {
    // Rows (1,0), (0,1), (1,1)/sqrt2 after normalising: the nearest neighbour of each is at
    // distance |(1,0) - (0.7071, 0.7071)| = sqrt(2 - sqrt2) = 0.765367 (the tie for row 3 is the
    // same distance either way), so L = -log(0.765367) = 0.267414.
    const x = tf.tensor2d([3, 0, 0, 2, 5, 5], [3, 2]);
    const l = koleoLoss(x);
    expect(l.dataSync()[0]).toBeCloseTo(-Math.log(Math.sqrt(2 - Math.SQRT2)), 5);
    tf.dispose([x, l]);
  });

  it('uses the nearest row, not the mean distance', () => {
    // (1,0), (0.8,0.6), (-1,0): nearest of row 1 is row 2 (d^2 = 0.04 + 0.36 = 0.4), of row 2 row 1,
    // of row 3 row 2 (d^2 = 3.24 + 0.36 = 3.6).
    const x = tf.tensor2d([1, 0, 0.8, 0.6, -1, 0], [3, 2]);
    const l = koleoLoss(x);
    const want = -(2 * Math.log(Math.sqrt(0.4)) + Math.log(Math.sqrt(3.6))) / 3;
    expect(l.dataSync()[0]).toBeCloseTo(want, 5);
    tf.dispose([x, l]);
  });

  it('its gradient pushes the two closest rows apart', () => {
    const x = tf.variable(tf.tensor2d([1, 0, 0.8, 0.6, -1, 0], [3, 2]));
    const g = tf.grad((v: tf.Tensor) => koleoLoss(v as tf.Tensor2D))(x);
    const gv = g.dataSync();
    // Descending the loss moves row 1 away from row 2 (its y goes down) and row 2 away from row 1 (its y goes up).
    expect(-gv[1]).toBeLessThan(0);
    expect(-gv[3]).toBeGreaterThan(0);
    tf.dispose([x, g]);
  });
});
