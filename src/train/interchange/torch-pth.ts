// PyTorch checkpoints as torch.save writes them (since 1.6): a zip archive `<name>/data.pkl` (the
// pickled object, tensors as persistent ids of storages) plus one raw little-endian file per
// storage, `<name>/data/<key>`. No Python needed: zip.ts + pickle.ts + this.
import { WeightsError } from '../../errors.js';
import { unpickle, type PyStorage, type PyTensor, type PyValue } from './pickle.js';
import { ELEMENT_READERS, readElements, type ElementType, type TensorMap } from './tensors.js';
import { isZip, zipEntries, zipRead } from './zip.js';
import { numel } from '../sizes.js';

const STORAGE_TYPES: Record<string, ElementType> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
};

const isTensor = (v: PyValue): v is PyTensor => typeof v === 'object' && v !== null && (v as PyTensor).kind === 'tensor';

/** Containers a training script commonly wraps the state dict in. */
const WRAPPER_KEYS = ['state_dict', 'model', 'teacher', 'student', 'model_state_dict'];

function findStateDict(root: PyValue, file: string): { dict: Map<PyValue, PyValue>; path: string } {
  if (!(root instanceof Map)) throw new WeightsError(`${file}: the pickled object is not a dict; expected a state dict`);
  if ([...root.values()].some(isTensor)) return { dict: root, path: '' };
  for (const k of WRAPPER_KEYS) {
    const v = root.get(k);
    if (v instanceof Map && [...v.values()].some(isTensor)) return { dict: v, path: k };
  }
  throw new WeightsError(`${file}: no tensors in the pickled dict or under ${WRAPPER_KEYS.join(', ')} (keys: ${[...root.keys()].slice(0, 10).join(', ')})`);
}

function materialise(t: PyTensor, bytes: Buffer, type: ElementType, file: string, name: string): Float32Array {
  const n = numel(t.size);
  const contiguous = t.size.every((_, i) => t.stride[i] === numel(t.size.slice(i + 1)) || t.size[i] === 1);
  const es = ELEMENT_READERS[type].bytes;
  if (contiguous) {
    if ((t.offset + n) * es > bytes.length) throw new WeightsError(`${file}: tensor ${name} runs past its storage`);
    return readElements(bytes, t.offset * es, n, type);
  }
  // Strided view: walk the index space row-major.
  const all = readElements(bytes, 0, bytes.length / es, type);
  const out = new Float32Array(n);
  const idx = new Array(t.size.length).fill(0);
  for (let i = 0; i < n; i++) {
    let src = t.offset;
    for (let d = 0; d < idx.length; d++) src += idx[d] * t.stride[d];
    out[i] = all[src];
    for (let d = idx.length - 1; d >= 0 && ++idx[d] === t.size[d]; d--) idx[d] = 0;
  }
  return out;
}

export interface TorchStateDict {
  tensors: TensorMap;
  /** Where in the pickled object the state dict was found ('' = top level). */
  path: string;
}

export function readTorchStateDict(buf: Buffer, file: string): TorchStateDict {
  if (!isZip(buf))
    throw new WeightsError(`${file}: not a zip archive; only the zip format of torch.save (PyTorch >= 1.6) is read. Re-save it with torch.save(torch.load(f), f2)`);
  const entries = zipEntries(buf, file);
  const pkl = [...entries.keys()].find((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
  if (!pkl) throw new WeightsError(`${file}: zip archive without data.pkl; not a torch.save file`);
  const prefix = pkl.slice(0, -'data.pkl'.length);
  const order = entries.get(`${prefix}byteorder`);
  if (order && zipRead(buf, order, file).toString('ascii').trim() !== 'little')
    throw new WeightsError(`${file}: big-endian tensor data; expected little-endian`);
  const { dict, path } = findStateDict(unpickle(zipRead(buf, entries.get(pkl)!, file), file), file);
  const storages = new Map<string, Buffer>();
  const storageBytes = (s: PyStorage): Buffer => {
    let b = storages.get(s.key);
    if (!b) {
      const e = entries.get(`${prefix}data/${s.key}`);
      if (!e) throw new WeightsError(`${file}: storage ${s.key} missing from the archive`);
      storages.set(s.key, (b = zipRead(buf, e, file)));
    }
    return b;
  };
  const tensors: TensorMap = new Map();
  for (const [k, v] of dict) {
    if (typeof k !== 'string' || !isTensor(v)) continue;
    const type = STORAGE_TYPES[v.storage.type];
    if (!type) throw new WeightsError(`${file}: tensor ${k} is stored as ${v.storage.type}; expected one of ${Object.keys(STORAGE_TYPES).join(', ')}`);
    tensors.set(k, { shape: v.size, data: materialise(v, storageBytes(v.storage), type, file, k) });
  }
  return { tensors, path };
}
