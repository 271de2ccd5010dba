// The safetensors format, written and read here (no dependency): 8-byte little-endian header
// length N, N bytes of JSON header ({name: {dtype, shape, data_offsets: [begin, end]}} with offsets
// relative to the data section, plus an optional "__metadata__" map of strings), then raw
// little-endian tensor data. We write float32 and pad the header with spaces to 8 bytes, as the
// reference writer does; we read F32, F64, F16 and BF16.
import { WeightsError } from '../../errors.js';
import { ELEMENT_READERS, readElements, shapeText, type ElementType, type TensorMap } from './tensors.js';
import { numel } from '../sizes.js';

const DTYPES: Record<string, ElementType> = { F32: 'float32', F64: 'float64', F16: 'float16', BF16: 'bfloat16' };

export function encodeSafetensors(tensors: TensorMap, metadata: Record<string, string>): Buffer {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    if (t.data.length !== numel(t.shape)) throw new WeightsError(`safetensors: ${name} has ${t.data.length} values for shape ${shapeText(t.shape)}`);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const hlen = Buffer.byteLength(json);
  const out = Buffer.alloc(8 + hlen + offset);
  out.writeBigUInt64LE(BigInt(hlen), 0);
  out.write(json, 8, 'utf8');
  let pos = 8 + hlen;
  for (const t of tensors.values()) {
    Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).copy(out, pos);
    pos += t.data.byteLength;
  }
  return out;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export function decodeSafetensors(buf: Buffer, file: string): { tensors: TensorMap; metadata: Record<string, string> } {
  if (buf.length < 8) throw new WeightsError(`${file}: too short for a safetensors file`);
  const hlen = Number(buf.readBigUInt64LE(0));
  if (hlen > buf.length - 8) throw new WeightsError(`${file}: safetensors header length ${hlen} runs past the end of the file (${buf.length} bytes)`);
  let header: Record<string, HeaderEntry | Record<string, string>>;
  try {
    header = JSON.parse(buf.toString('utf8', 8, 8 + hlen));
  } catch (e) {
    throw new WeightsError(`${file}: safetensors header is not valid JSON`, e);
  }
  const base = 8 + hlen;
  const tensors: TensorMap = new Map();
  for (const [name, e] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: [begin, end] } = e as HeaderEntry;
    const type = DTYPES[dtype];
    if (!type) throw new WeightsError(`${file}: tensor ${name} has dtype ${dtype}; expected one of ${Object.keys(DTYPES).join(', ')}`);
    const n = numel(shape);
    const bytes = ELEMENT_READERS[type].bytes;
    if (end - begin !== n * bytes || base + end > buf.length)
      throw new WeightsError(`${file}: tensor ${name} ${shapeText(shape)} ${dtype} has data offsets [${begin}, ${end}] that do not fit (${buf.length - base} data bytes)`);
    tensors.set(name, { shape, data: readElements(buf, base + begin, n, type) });
  }
  return { tensors, metadata: (header.__metadata__ as Record<string, string>) ?? {} };
}
