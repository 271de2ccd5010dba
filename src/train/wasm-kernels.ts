// Three kernel replacements for tfjs-backend-wasm 4.22, installed when the wasm backend starts.
//
// 1. BatchMatMul: a wrapper that puts every matmul on its fastest path. In tfjs-backend-wasm 4.22 only an untransposed matmul with batch 1 on both sides goes to
// XNNPACK (SIMD, ~10-25 GFLOP/s here); a transposed or batched one runs a scalar blocked loop
// (1-2.5 GFLOP/s). Every linear layer's backward pass is made of transposed matmuls
// (dx = dy W^T, dW = x^T dy, see tfjs-core's BatchMatMul gradient), so without this the backward
// pass ran at a tenth of the forward's speed. For batch 1 (all our 2-D matmuls) the wrapper
// transposes flagged operands explicitly (a cheap memory pass) and calls the kernel untransposed,
// so it takes the XNNPACK path. Batched products (attention) go, transposed the same way, to bmm:
// a SIMD kernel of our own (bmm/), as fast as XNNPACK's 2-D path.
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
//
// 3. Slice and SplitV: copy the requested blocks straight from the wasm heap. The shipped kernel first copies
// the *whole* input out of the heap (readSync) and then the block from that copy; every split of
// attention's qkv paid three full copies, and the garbage they left (profiled: 6 % of a tiny step
// in those copies, more in the collector).
import * as tf from '@tensorflow/tfjs-core';
import { batchedMatMul, bmmAvailable } from './bmm/index.js';

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

const REPLACED = [tf.BatchMatMul, tf.Identity, tf.Slice, tf.SplitV];

/** Whether the wasm BatchMatMul, Identity, Slice and SplitV kernels in the registry are ours. */
export function fastWasmKernelsInstalled(): boolean {
  return REPLACED.every((name) => Boolean((tf.getKernel(name, 'wasm') as unknown as Record<symbol, boolean> | undefined)?.[WRAPPED]));
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

type HeapBackend = { makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo; typedArrayFromHeap(t: tf.TensorInfo): tf.TypedArray };

/**
 * Copies x[begin : begin + size] (any rank) into out as runs of contiguous elements: the trailing
 * axes taken whole plus the last partial axis form one run, the leading axes are walked.
 */
export function copyBlock(x: tf.TypedArray, shape: number[], begin: number[], size: number[], out: tf.TypedArray): void {
  const r = shape.length;
  if (r === 0) {
    out[0] = x[0];
    return;
  }
  const strides = new Array<number>(r);
  strides[r - 1] = 1;
  for (let i = r - 2; i >= 0; i--) strides[i] = strides[i + 1] * shape[i + 1];
  let k = r - 1;
  while (k > 0 && size[k] === shape[k] && begin[k] === 0) k--;
  let run = 1;
  for (let i = k; i < r; i++) run *= size[i];
  let outer = 1;
  for (let i = 0; i < k; i++) outer *= size[i];
  if (run === 0 || outer === 0) return;
  const coord = new Array<number>(k).fill(0);
  for (let o = 0; o < outer; o++) {
    let src = begin[k] * strides[k];
    for (let i = 0; i < k; i++) src += (begin[i] + coord[i]) * strides[i];
    out.set(x.subarray(src, src + run), o * run);
    for (let i = k - 1; i >= 0; i--) {
      if (++coord[i] < size[i]) break;
      coord[i] = 0;
    }
  }
}

/** A new tensor holding x[begin : begin + size]. */
function heapBlock(backend: HeapBackend, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  // makeOutput may grow the wasm memory, which detaches earlier views: take them after it.
  const out = backend.makeOutput(size, x.dtype);
  copyBlock(backend.typedArrayFromHeap(x), x.shape, begin, size, backend.typedArrayFromHeap(out));
  return out;
}

function heapSlice(original: tf.KernelConfig): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return original.kernelFunc(args);
    const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
    const [b, s] = tf.slice_util.parseSliceParams(x as tf.TensorInfo as tf.Tensor, begin, size);
    return heapBlock(args.backend as unknown as HeapBackend, x, b, s);
  };
}

function heapSplitV(original: tf.KernelConfig): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return original.kernelFunc(args);
    const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
    const ax = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.TensorInfo as tf.Tensor, numOrSizeSplits, ax);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((n) => {
      const size = x.shape.slice();
      size[ax] = n;
      const out = heapBlock(args.backend as unknown as HeapBackend, x, begin, size);
      begin[ax] += n;
      return out;
    });
  };
}

function sameBatch(a: tf.TensorInfo, b: tf.TensorInfo): boolean {
  const ba = a.shape.slice(0, -2), bb = b.shape.slice(0, -2);
  return ba.length === bb.length && ba.every((d, i) => d === bb[i]);
}

/** a @ b for untransposed float32 operands of the same batch shape, through bmm. */
function simdBatchMatMul(a: tf.TensorInfo, b: tf.TensorInfo, backend: HeapBackend): tf.TensorInfo {
  const r = a.shape.length;
  const [m, k] = a.shape.slice(r - 2);
  const n = b.shape[r - 1];
  // makeOutput may grow the wasm memory, which detaches earlier views: take them after it.
  const out = backend.makeOutput([...a.shape.slice(0, -2), m, n], 'float32');
  const view = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
  batchedMatMul(view(a), view(b), batchOf(a), m, k, n, view(out));
  return out;
}

/**
 * Replaces the wasm BatchMatMul, Identity and Slice kernels (idempotent). Call after importing
 * @tensorflow/tfjs-backend-wasm and before tf.setBackend('wasm'), so the kernels' setup runs.
 */
export function installFastWasmKernels(): void {
  const original = tf.getKernel(tf.BatchMatMul, 'wasm');
  const identity = tf.getKernel(tf.Identity, 'wasm');
  const slice = tf.getKernel(tf.Slice, 'wasm');
  const splitV = tf.getKernel(tf.SplitV, 'wasm');
  if (!original || !identity || !slice || !splitV) throw new Error('tfjs-backend-wasm is not loaded: no wasm kernels to replace');
  if (fastWasmKernelsInstalled()) return;
  const simd = bmmAvailable();
  const kernelFunc = ({ inputs, backend, attrs }: KernelArgs) => {
    let { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    let { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    const temps: tf.TensorInfo[] = [];
    const swap = (x: tf.TensorInfo) => {
      const t = swapLastAxes(x, backend);
      temps.push(t);
      return t;
    };
    const batched = batchOf(a) > 1 || batchOf(b) > 1;
    // Batched products of float32 operands with the same batch shape go to bmm (SIMD, bmm/index.ts);
    // broadcast batches keep the shipped kernel.
    const simdBatched = simd && batched && a.dtype === 'float32' && b.dtype === 'float32' && sameBatch(a, b);
    if (!batched || simdBatched) {
      if (transposeA) (a = swap(a)), (transposeA = false);
      if (transposeB) (b = swap(b)), (transposeB = false);
    }
    try {
      if (simdBatched) return simdBatchMatMul(a, b, backend as unknown as HeapBackend);
      return original.kernelFunc({ inputs: { a, b }, backend, attrs: { ...attrs, transposeA, transposeB } });
    } finally {
      for (const t of temps) (backend as tf.KernelBackend).disposeData(t.dataId);
    }
  };
  replaceKernel(original, kernelFunc as tf.KernelFunc);
  replaceKernel(identity, sharedIdentity as tf.KernelFunc);
  replaceKernel(slice, heapSlice(slice));
  replaceKernel(splitV, heapSplitV(splitV));
}
