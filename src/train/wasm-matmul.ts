// A wrapper around tfjs-backend-wasm's BatchMatMul kernel that puts every matmul on its fastest
// path. In tfjs-backend-wasm 4.22 only an untransposed matmul with batch 1 on both sides goes to
// XNNPACK (SIMD, ~10-25 GFLOP/s here); a transposed or batched one runs a scalar blocked loop
// (1-2.5 GFLOP/s). Every linear layer's backward pass is made of transposed matmuls
// (dx = dy W^T, dW = x^T dy, see tfjs-core's BatchMatMul gradient), so without this the backward
// pass ran at a tenth of the forward's speed. For batch 1 (all our 2-D matmuls) the wrapper
// transposes flagged operands explicitly (a cheap memory pass) and calls the kernel untransposed,
// so it takes the XNNPACK path.
// The maths is unchanged (same products and sums; the order of additions inside XNNPACK differs,
// so results agree to float rounding). Registered for the wasm backend only: cpu is the test
// reference and tfjs-node has its own BLAS.
import * as tf from '@tensorflow/tfjs-core';

type KernelArgs = Parameters<tf.KernelFunc>[0];

const WRAPPED = Symbol('terrafm.fastMatMul');

/** Swaps the last two axes (a new tensor the caller disposes). */
function swapLastAxes(x: tf.TensorInfo, backend: KernelArgs['backend']): tf.TensorInfo {
  const r = x.shape.length;
  const perm = [...Array(r - 2).keys(), r - 1, r - 2];
  const transpose = tf.getKernel(tf.Transpose, 'wasm');
  return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
}

function batchOf(x: tf.TensorInfo): number {
  return x.shape.slice(0, -2).reduce((p, d) => p * d, 1);
}

/** Whether the wasm BatchMatMul kernel in the registry is the wrapper. */
export function fastWasmMatMulInstalled(): boolean {
  const k = tf.getKernel(tf.BatchMatMul, 'wasm') as unknown as Record<symbol, boolean> | undefined;
  return Boolean(k?.[WRAPPED]);
}

/**
 * Replaces the wasm BatchMatMul kernel with the wrapper (idempotent). Call after importing
 * @tensorflow/tfjs-backend-wasm and before tf.setBackend('wasm'), so the kernel's setup runs.
 */
export function installFastWasmMatMul(): void {
  const original = tf.getKernel(tf.BatchMatMul, 'wasm');
  if (!original) throw new Error('tfjs-backend-wasm is not loaded: no wasm BatchMatMul kernel to wrap');
  if (fastWasmMatMulInstalled()) return;
  const kernelFunc = ({ inputs, backend, attrs }: KernelArgs) => {
    let { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    let { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    const temps: tf.TensorInfo[] = [];
    const swap = (x: tf.TensorInfo) => {
      const t = swapLastAxes(x, backend);
      temps.push(t);
      return t;
    };
    // Batched products stay as they are: rewriting them as A @ B^T (both operands read
    // contiguously by the scalar loop) measured no faster (docs/decisions.md).
    if (batchOf(a) === 1 && batchOf(b) === 1) {
      if (transposeA) (a = swap(a)), (transposeA = false);
      if (transposeB) (b = swap(b)), (transposeB = false);
    }
    try {
      return original.kernelFunc({ inputs: { a, b }, backend, attrs: { ...attrs, transposeA, transposeB } });
    } finally {
      for (const t of temps) (backend as tf.KernelBackend).disposeData(t.dataId);
    }
  };
  const config = { ...original, kernelFunc: kernelFunc as tf.KernelFunc, [WRAPPED]: true };
  tf.unregisterKernel(tf.BatchMatMul, 'wasm');
  tf.registerKernel(config);
}
