import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/train/backend.js';
import { encodeViews, projectionHead, type ParamMap } from '../../src/train/model.js';
import { dinoLoss } from '../../src/train/objective.js';
import { createVariables, disposeVars } from '../../src/train/params.js';
import { fastWasmKernelsInstalled } from '../../src/train/wasm-kernels.js';
import { lossCase } from './synthetic.js';

afterAll(async () => {
  await selectBackend('cpu');
});

function values(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.sin(seed * 7.1 + i * 0.37) * 0.8;
  return a;
}

/** Runs fn on a backend and returns its outputs as plain arrays. */
async function on(backend: 'cpu' | 'wasm', fn: () => tf.Tensor[]): Promise<tf.TypedArray[]> {
  await selectBackend(backend);
  return tf.tidy(fn).map((t) => {
    const v = t.dataSync() as tf.TypedArray;
    t.dispose();
    return v;
  });
}

function expectClose(got: tf.TypedArray, want: tf.TypedArray, tol: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  let scale = 1e-6;
  for (const w of want) scale = Math.max(scale, Math.abs(w));
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / scale);
  expect(worst, what).toBeLessThan(tol);
}

// The wasm backend's BatchMatMul is wrapped (explicit transposes so 2-D products take XNNPACK);
// the cpu backend runs tfjs's own kernels and is the reference.
describe('wasm kernel replacements', () => {
  it('is installed when the wasm backend starts', async () => {
    await selectBackend('wasm');
    expect(fastWasmKernelsInstalled()).toBe(true);
  });

  it('clones without copying, and a clone outlives its source', async () => {
    await selectBackend('wasm');
    const a = tf.tensor1d([1, 2, 3]);
    const buffers = () => tf.backend().numDataIds();
    const before = buffers();
    const b = tf.clone(a);
    expect(buffers()).toBe(before); // one buffer, two tensors
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3]);
    b.dispose();
  });

  it('slices and splits like plain tfjs, contiguous or strided, any rank', async () => {
    const run = () => {
      const x4 = tf.tensor(values(2 * 9 * 5 * 4, 7), [2, 9, 5, 4]);
      const x2 = tf.tensor2d(values(6 * 7, 8), [6, 7]);
      const i3 = tf.tensor3d(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4], 'int32');
      return [
        tf.slice(x4, [1, 2, 0, 0], [1, 4, 5, 4]), // contiguous
        tf.slice(x4, [0, 3, 1, 2], [2, 3, 3, 2]), // strided on every axis
        tf.slice(x2, [2, 1], [3, 5]),
        tf.slice(x2, [0, 0], [6, 0]), // empty
        tf.slice(i3, [1, 0, 1], [1, 3, 2]),
        ...tf.split(x4, 3, 1), // attention's qkv split: strided blocks
        ...tf.split(x4, [1, 3], 3),
        ...tf.split(x2, [2, 4], 0),
      ];
    };
    const want = await on('cpu', run);
    const got = await on('wasm', run);
    expect(got).toHaveLength(want.length);
    got.forEach((g, i) => expect(Array.from(g), `output ${i}`).toEqual(Array.from(want[i])));
  });

  it('gives the products of every transpose combination, 2-D and batched', async () => {
    const cases: { a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [];
    for (const ta of [false, true])
      for (const tb of [false, true]) {
        cases.push({ a: ta ? [37, 19] : [19, 37], b: tb ? [23, 37] : [37, 23], ta, tb });
        cases.push({ a: ta ? [1, 37, 19] : [1, 19, 37], b: tb ? [1, 23, 37] : [1, 37, 23], ta, tb });
        cases.push({ a: ta ? [3, 37, 19] : [3, 19, 37], b: tb ? [3, 23, 37] : [3, 37, 23], ta, tb });
        // attention's shape (two batch axes, rows and columns both 4k + 1), a product of fewer than
        // four rows, an inner size of 1, and a broadcast batch (the shipped kernel's case)
        cases.push({ a: ta ? [2, 3, 16, 17] : [2, 3, 17, 16], b: tb ? [2, 3, 17, 16] : [2, 3, 16, 17], ta, tb });
        cases.push({ a: ta ? [5, 8, 2] : [5, 2, 8], b: tb ? [5, 3, 8] : [5, 8, 3], ta, tb });
        cases.push({ a: ta ? [4, 1, 6] : [4, 6, 1], b: tb ? [4, 9, 1] : [4, 1, 9], ta, tb });
        cases.push({ a: ta ? [1, 37, 19] : [1, 19, 37], b: tb ? [3, 23, 37] : [3, 37, 23], ta, tb });
      }
    const run = () =>
      cases.map((c, i) => {
        const a = tf.tensor(values(c.a.reduce((x, y) => x * y), i), c.a);
        const b = tf.tensor(values(c.b.reduce((x, y) => x * y), i + 100), c.b);
        return tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D, c.ta, c.tb) as tf.Tensor;
      });
    const want = await on('cpu', run);
    const got = await on('wasm', run);
    cases.forEach((c, i) => expectClose(got[i], want[i], 1e-5, `a ${c.a} b ${c.b} ta ${c.ta} tb ${c.tb}`));
  });

  it('gives a linear layer the same forward and gradients as plain tfjs', async () => {
    const run = () => {
      const x = tf.tensor2d(values(50 * 24, 1), [50, 24]);
      const w = tf.tensor2d(values(24 * 40, 2), [24, 40]);
      const b = tf.tensor1d(values(40, 3));
      const r = tf.tensor2d(values(50 * 40, 4), [50, 40]);
      const f = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.tanh(tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b)), r));
      const { value, grads } = tf.valueAndGrads(f)([x, w, b]);
      return [tf.add(tf.matMul(x, w), b), value, ...grads];
    };
    const want = await on('cpu', run);
    const got = await on('wasm', run);
    ['forward', 'loss', 'dx', 'dW', 'db'].forEach((what, i) => expectClose(got[i], want[i], 1e-5, what));
  });

  it('gives the whole DINO loss the same gradients for every parameter', async () => {
    const { shape, specs, vals, viewTokens } = await lossCase();
    const run = () => {
      const vars = createVariables(specs, vals, true);
      const views = viewTokens();
      const targets = [0, 1].map((s) => tf.softmax(tf.mul(tf.tensor2d(values(32, s + 10), [2, 16]), 3)) as tf.Tensor2D);
      const map = vars as unknown as ParamMap;
      const { value, grads } = tf.variableGrads(() => dinoLoss(targets, encodeViews(map, shape, views).map((c) => projectionHead(map, c)), 0.1, tf.tensor1d([0.5, 0.5])), [...vars.values()]);
      const out = [value, ...[...vars.values()].map((v) => grads[v.name])];
      out.forEach((t) => tf.keep(t));
      disposeVars(vars);
      return out;
    };
    const want = await on('cpu', run);
    const got = await on('wasm', run);
    expectClose(got[0], want[0], 1e-5, 'loss');
    specs.forEach((s, i) => expectClose(got[i + 1], want[i + 1], 1e-3, s.name));
  });
});
