// Tensors travel as raw little-endian bytes (the schema's promise to PyTorch/JAX/numpy readers).
// On little-endian hosts (every platform Node ships for in practice) this is a zero-copy view; on a
// big-endian host the bytes are swapped so the file is the same everywhere.
import { ShardError } from '../errors.js';
import type { TensorDType, TypedPixels } from '../model/types.js';

export const DTYPE_BYTES: Record<TensorDType, number> = { uint8: 1, uint16: 2, int16: 2, float32: 4 };
/** numpy's spelling of each dtype, written into the schema description for Python readers. */
export const NUMPY_DTYPE: Record<TensorDType, string> = { uint8: '|u1', uint16: '<u2', int16: '<i2', float32: '<f4' };

const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function isTensorDType(v: unknown): v is TensorDType {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(DTYPE_BYTES, v);
}

/** The typed-array class that holds a dtype. */
export function typedArrayFor(dtype: TensorDType, length: number): TypedPixels {
  switch (dtype) {
    case 'uint8': return new Uint8Array(length);
    case 'uint16': return new Uint16Array(length);
    case 'int16': return new Int16Array(length);
    case 'float32': return new Float32Array(length);
  }
}

/** dtype of a typed array, or undefined when the array type is not one the schema allows. */
export function dtypeOf(a: TypedPixels): TensorDType | undefined {
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Float32Array) return 'float32';
  return undefined;
}

function swapped(bytes: Uint8Array, width: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += width) for (let k = 0; k < width; k++) out[i + k] = bytes[i + width - 1 - k];
  return out;
}

/** Little-endian bytes of a typed array (a view, not a copy, on little-endian hosts). */
export function toLittleEndianBytes(a: TypedPixels): Uint8Array {
  const view = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return HOST_LE || a.BYTES_PER_ELEMENT === 1 ? view : swapped(view, a.BYTES_PER_ELEMENT);
}

/**
 * Typed array decoded from little-endian bytes. Copies into an aligned buffer when the bytes are not
 * aligned for the dtype (Parquet pages pack values back to back), otherwise views them.
 */
export function fromLittleEndianBytes(bytes: Uint8Array, dtype: TensorDType, expectedLength: number, what: string): TypedPixels {
  const width = DTYPE_BYTES[dtype];
  if (bytes.byteLength !== expectedLength * width) {
    throw new ShardError(`${what}: tensor has ${bytes.byteLength} bytes, expected ${expectedLength} x ${width} (${dtype})`);
  }
  let src = HOST_LE ? bytes : swapped(bytes, width);
  if (src.byteOffset % width !== 0) src = src.slice();
  switch (dtype) {
    case 'uint8': return src;
    case 'uint16': return new Uint16Array(src.buffer, src.byteOffset, expectedLength);
    case 'int16': return new Int16Array(src.buffer, src.byteOffset, expectedLength);
    case 'float32': return new Float32Array(src.buffer, src.byteOffset, expectedLength);
  }
}
