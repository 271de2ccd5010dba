// Moving parameter and gradient values between tensors and the shared buffers without allocating.
// Why it matters: on this kind of machine (a sandboxed VM) touching freshly allocated memory costs
// ~25 us per 4 KiB page, so a dataSync() copy of the 5 MB of a tiny model's weights cost 30-40 ms of
// CPU per step, more than the copy itself by two orders of magnitude. On the wasm backend a tensor's
// values live in the wasm heap, whose pages stay mapped: we read them through views, and new
// tensors are written into heap memory the allocator reuses. Other backends (cpu in the tests) fall
// back to dataSync.
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

/**
 * Replaces a variable's values with a copy of `values`. Always a new tensor, never a write into the
 * variable's buffer: the wasm backend caches XNNPACK operators (with the weights packed) per tensor,
 * so a matmul would go on using the packed copy of the old values.
 */
export function overwrite(v: tf.Variable, values: Float32Array): void {
  tf.tidy(() => v.assign(tensorFrom(values, v.shape)));
}
