import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { TrainError } from '../../src/errors.js';
import { describeChoice, selectBackend } from '../../src/train/backend.js';

// This machine has no tfjs-node and no GPU: the native and webgpu backends must fail with a
// message saying how to get them, and auto must fall back to wasm and say why.
describe('backends', () => {
  it('tensorflow: missing optional peer dependency fails with how to install it', async () => {
    const err = await selectBackend('tensorflow').catch((e) => e);
    expect(err).toBeInstanceOf(TrainError);
    expect(err.message).toMatch(/backend tensorflow is not available .*npm install @tensorflow\/tfjs-node/);
  });

  it('webgpu without a GPU fails clearly', async () => {
    const err = await selectBackend('webgpu').catch((e) => e);
    expect(err).toBeInstanceOf(TrainError);
    expect(err.message).toMatch(/^backend webgpu is not available: .+; use --backend wasm or cpu$/);
  });

  it('auto picks the best present backend and says why better ones were skipped', async () => {
    const c = await selectBackend('auto');
    expect(c.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(c.skipped.map((s) => s.backend)).toEqual(['tensorflow', 'webgpu']);
    expect(describeChoice(c)).toMatch(/^backend: wasm\n {2}skipped tensorflow: .*\n {2}skipped webgpu: /);
  });

  it('cpu starts and a matmul runs', async () => {
    const c = await selectBackend('cpu');
    expect(c.backend).toBe('cpu');
    expect(Array.from(tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync())).toEqual([11]);
  });
});
