// Named float32 tensors with their shapes: what the interchange readers produce and the writers
// take (row-major, PyTorch's layout conventions), plus the dtype conversions the readers need.

export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}
export type TensorMap = Map<string, NamedTensor>;

export function shapeText(shape: number[]): string {
  return `[${shape.join(', ')}]`;
}

/** IEEE half precision (binary16) to float32. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? Number.NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** bfloat16 is the upper half of a float32. */
export function bfloat16ToFloat(b: number): number {
  const u = new Uint32Array([b << 16]);
  return new Float32Array(u.buffer)[0];
}

/** Element types the readers understand, by their byte size and a little-endian element reader. */
export const ELEMENT_READERS = {
  float32: { bytes: 4, read: (b: Buffer, o: number) => b.readFloatLE(o) },
  float64: { bytes: 8, read: (b: Buffer, o: number) => b.readDoubleLE(o) },
  float16: { bytes: 2, read: (b: Buffer, o: number) => halfToFloat(b.readUInt16LE(o)) },
  bfloat16: { bytes: 2, read: (b: Buffer, o: number) => bfloat16ToFloat(b.readUInt16LE(o)) },
  int64: { bytes: 8, read: (b: Buffer, o: number) => Number(b.readBigInt64LE(o)) },
} as const;
export type ElementType = keyof typeof ELEMENT_READERS;

/** Contiguous little-endian elements starting at byte `start` as float32. */
export function readElements(buf: Buffer, start: number, count: number, type: ElementType): Float32Array {
  if (type === 'float32' && (buf.byteOffset + start) % 4 === 0) return new Float32Array(buf.buffer, buf.byteOffset + start, count).slice();
  const r = ELEMENT_READERS[type];
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = r.read(buf, start + i * r.bytes);
  return out;
}
