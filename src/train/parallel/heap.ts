// Moving parameter and gradient values between tensors and the shared buffers without allocating.
// Why it matters: on this kind of machine (a sandboxed VM) touching freshly allocated memory costs
// ~25 us per 4 KiB page, so a dataSync() copy of the 5 MB of a tiny model's weights cost 30-40 ms of
// CPU per step, more than the copy itself by two orders of magnitude. On the wasm backend a tensor's
// values live in the wasm heap, whose pages stay mapped: we read and write them through views.
// Other backends (cpu in the tests) fall back to dataSync / assign.
import * as tf from '@tensorflow/tfjs-core';

interface HeapBackend {
  typedArrayFromHeap(t: tf.TensorInfo): tf.TypedArray;
}

function heapBackend(): HeapBackend | null {
  const b = tf.backend() as unknown as Partial<HeapBackend>;
  return typeof b.typedArrayFromHeap === 'function' ? (b as HeapBackend) : null;
}

/**
 * The tensor's values: a view of the wasm heap (valid until the next tensor allocation may grow
 * the heap, so use it at once) or, elsewhere, a copy.
 */
export function valuesOf(t: tf.Tensor): Float32Array {
  const b = heapBackend();
  return (b ? b.typedArrayFromHeap({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }) : t.dataSync()) as Float32Array;
}

/** A new tensor holding a copy of `values` (which may be a view the caller overwrites later). */
export function tensorFrom(values: Float32Array, shape: number[]): tf.Tensor {
  // The wasm backend copies on write; the cpu backend keeps the array it is given.
  return tf.tensor(heapBackend() ? values : values.slice(), shape, 'float32');
}

/** A variable that owns its buffer, so overwrite() may write into it. */
export function ownedVariable(shape: number[], trainable: boolean): tf.Variable {
  const z = tf.zeros(shape);
  const v = tf.variable(z, trainable);
  z.dispose();
  return v;
}

/** Overwrites a variable created by ownedVariable() with `values` (in place on wasm). */
export function overwrite(v: tf.Variable, values: Float32Array): void {
  const b = heapBackend();
  if (b) b.typedArrayFromHeap({ dataId: v.dataId, shape: v.shape, dtype: v.dtype }).set(values);
  else v.assign(tf.tensor(values.slice(), v.shape, 'float32'));
}
