// Two kernel replacements for tfjs-backend-wasm 4.22, installed when the wasm backend starts.
//
// 1. BatchMatMul: a wrapper that puts every matmul on its fastest path. In tfjs-backend-wasm 4.22 only an untransposed matmul with batch 1 on both sides goes to
// XNNPACK (SIMD, ~10-25 GFLOP/s here); a transposed or batched one runs a scalar blocked loop
// (1-2.5 GFLOP/s). Every linear layer's backward pass is made of transposed matmuls
// (dx = dy W^T, dW = x^T dy, see tfjs-core's BatchMatMul gradient), so without this the backward
// pass ran at a tenth of the forward's speed. For batch 1 (all our 2-D matmuls) the wrapper
// transposes flagged operands explicitly (a cheap memory pass) and calls the kernel untransposed,
// so it takes the XNNPACK path.
// The maths is unchanged (same products and sums; the order of additions inside XNNPACK differs,
// so results agree to float rounding). Registered for the wasm backend only: cpu is the test
// reference and tfjs-node has its own BLAS.
//
// 2. Identity: shares the input's buffer (reference count + 1, as the wasm Reshape and the cpu
// backend's Identity do) instead of copying it. The gradient tape saves every tensor a backward
// pass needs through Identity (engine.clone), so the copying kernel held a second copy of every
// saved activation until the step ended (measured: a fifth of a tiny step's peak memory). Sharing
// is safe because tfjs tensors are immutable: kernels write only to fresh outputs, and
// Variable.assign swaps the variable's buffer instead of writing into it.
import * as tf from '@tensorflow/tfjs-core';

type KernelArgs = Parameters<tf.KernelFunc>[0];

const WRAPPED = Symbol('terrafm.wasmKernel');

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

/** Whether the wasm BatchMatMul and Identity kernels in the registry are ours. */
export function fastWasmKernelsInstalled(): boolean {
  return [tf.BatchMatMul, tf.Identity].every((name) => Boolean((tf.getKernel(name, 'wasm') as unknown as Record<symbol, boolean> | undefined)?.[WRAPPED]));
}

function replaceKernel(original: tf.KernelConfig, kernelFunc: tf.KernelFunc): void {
  tf.unregisterKernel(original.kernelName, 'wasm');
  tf.registerKernel({ ...original, kernelFunc, [WRAPPED]: true } as tf.KernelConfig);
}

/** Identity without a copy: the output shares the input's buffer. */
function sharedIdentity({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const { x } = inputs as { x: tf.TensorInfo };
  (backend as unknown as { incRef(id: tf.DataId): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * Replaces the wasm BatchMatMul and Identity kernels (idempotent). Call after importing
 * @tensorflow/tfjs-backend-wasm and before tf.setBackend('wasm'), so the kernels' setup runs.
 */
export function installFastWasmKernels(): void {
  const original = tf.getKernel(tf.BatchMatMul, 'wasm');
  const identity = tf.getKernel(tf.Identity, 'wasm');
  if (!original || !identity) throw new Error('tfjs-backend-wasm is not loaded: no wasm kernels to replace');
  if (fastWasmKernelsInstalled()) return;
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
  replaceKernel(original, kernelFunc as tf.KernelFunc);
  replaceKernel(identity, sharedIdentity as tf.KernelFunc);
}
