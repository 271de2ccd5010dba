import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/train/backend.js';
import { gelu, layerNorm } from '../../src/train/fused-ops.js';
import '../../src/train/gradients.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

// The fused ops against the same maths composed of tfjs ops (differentiated by tfjs's own gradients).
const composedGelu = (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
function composedLayerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), g), b);
}

function wave(shape: number[], seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: n }, (_, i) => 2 * Math.sin(seed + i * 0.61) + 0.3 * Math.cos(i * 1.7)), shape);
}

function expectAllClose(a: tf.Tensor, b: tf.Tensor, tol: number, what: string): void {
  expect(a.shape, what).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]) / (1 + Math.abs(y[i])));
  expect(worst, what).toBeLessThan(tol);
}

describe('fused ops', () => {
  it('gelu: same values and input gradient as the composed erf form', () => {
    const x = wave([5, 7, 12], 1);
    const r = wave([5, 7, 12], 2);
    const loss = (f: (x: tf.Tensor) => tf.Tensor) => (x: tf.Tensor) => tf.sum(tf.mul(f(x), r));
    expectAllClose(gelu(x), composedGelu(x), 1e-6, 'forward');
    expectAllClose(tf.grad(loss(gelu))(x), tf.grad(loss(composedGelu))(x), 1e-5, 'gradient');
  });

  it('layerNorm: same values and gradients for x, gain and bias', () => {
    const x = wave([3, 9, 16], 3);
    const g = tf.add(wave([16], 4), 1);
    const b = wave([16], 5);
    const r = wave([3, 9, 16], 6);
    const loss = (f: typeof layerNorm) => (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.square(f(x, g, b, 1e-6)), r));
    expectAllClose(layerNorm(x, g, b, 1e-6), composedLayerNorm(x, g, b, 1e-6), 1e-5, 'forward');
    const want = tf.grads(loss(composedLayerNorm))([x, g, b]);
    const got = tf.grads(loss(layerNorm))([x, g, b]);
    ['dx', 'dg', 'db'].forEach((what, i) => expectAllClose(got[i], want[i], 1e-4, what));
  });

  it('keep no intermediate tensors once the gradient is taken', () => {
    const x = wave([4, 32], 7);
    const g = tf.ones([32]);
    const b = tf.zeros([32]);
    const before = tf.memory().numTensors;
    const grads = tf.grads((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(gelu(layerNorm(x, g, b, 1e-6))))([x, g, b]);
    expect(tf.memory().numTensors).toBe(before + 3);
    tf.dispose(grads);
  });
});
