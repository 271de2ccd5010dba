// The subset of Python's pickle format that torch.save uses for a state dict (protocol 2, and the
// protocol 4 opcodes newer Pythons emit for the same objects). Only the callables a state dict
// needs are accepted (OrderedDict, torch's tensor rebuilders); anything else is refused, so no
// file can make this reader do more than build dicts, tuples and tensor descriptions.
import { WeightsError } from '../../errors.js';

export interface PyGlobal {
  kind: 'global';
  module: string;
  name: string;
}
export interface PyTuple {
  kind: 'tuple';
  items: PyValue[];
}
/** A storage reference from a persistent id: ('storage', <storage type>, key, location, numel). */
export interface PyStorage {
  kind: 'storage';
  type: string;
  key: string;
  numel: number;
}
export interface PyTensor {
  kind: 'tensor';
  storage: PyStorage;
  offset: number;
  size: number[];
  stride: number[];
}
export type PyValue = null | boolean | number | string | Buffer | PyValue[] | Map<PyValue, PyValue> | PyGlobal | PyTuple | PyStorage | PyTensor;

const MARK = Symbol('mark');
type Slot = PyValue | typeof MARK;

const isTuple = (v: PyValue): v is PyTuple => typeof v === 'object' && v !== null && !Buffer.isBuffer(v) && !Array.isArray(v) && !(v instanceof Map) && v.kind === 'tuple';

function ints(v: PyValue, what: string): number[] {
  if (!isTuple(v) || !v.items.every((x) => typeof x === 'number')) throw new WeightsError(`pickle: ${what} is not a tuple of integers`);
  return v.items as number[];
}

/** What REDUCE may call: the callables of a state dict, nothing else. */
function reduce(fn: PyValue, args: PyValue, file: string): PyValue {
  const g = fn as PyGlobal;
  const name = g && g.kind === 'global' ? `${g.module}.${g.name}` : String(fn);
  const a = isTuple(args) ? args.items : [];
  switch (name) {
    case 'collections.OrderedDict':
      return new Map();
    case 'torch._utils._rebuild_tensor_v2':
    case 'torch._utils._rebuild_tensor': {
      const storage = a[0] as PyStorage;
      if (!storage || storage.kind !== 'storage') throw new WeightsError(`${file}: tensor without a storage in the pickle`);
      return { kind: 'tensor', storage, offset: a[1] as number, size: ints(a[2], 'tensor size'), stride: ints(a[3], 'tensor stride') };
    }
    case 'torch._utils._rebuild_parameter':
      return a[0]; // nn.Parameter(data, requires_grad, hooks): the data is what we need
    default:
      throw new WeightsError(`${file}: the pickle calls ${name}, which a state dict of tensors does not need; refusing to go on`);
  }
}

function persistentLoad(pid: PyValue, file: string): PyStorage {
  const t = isTuple(pid) ? pid.items : [];
  const type = t[1] as PyGlobal;
  if (t[0] !== 'storage' || !type || type.kind !== 'global' || typeof t[2] !== 'string' || typeof t[4] !== 'number')
    throw new WeightsError(`${file}: unexpected persistent id in the pickle (expected ('storage', type, key, location, numel))`);
  return { kind: 'storage', type: type.name, key: t[2], numel: t[4] };
}

export function unpickle(buf: Buffer, file: string): PyValue {
  const stack: Slot[] = [];
  const memo = new Map<number, PyValue>();
  let p = 0;
  const pop = (): PyValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) throw new WeightsError(`${file}: pickle stack underflow at byte ${p}`);
    return v;
  };
  const popMark = (): PyValue[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) throw new WeightsError(`${file}: pickle MARK missing at byte ${p}`);
    const items = stack.splice(i) as PyValue[];
    items.shift();
    return items;
  };
  const top = (): PyValue => stack[stack.length - 1] as PyValue;
  const line = (): string => {
    const e = buf.indexOf(0x0a, p);
    const s = buf.toString('utf8', p, e);
    p = e + 1;
    return s;
  };
  const str = (n: number): string => {
    const s = buf.toString('utf8', p, p + n);
    p += n;
    return s;
  };
  const setItems = (d: PyValue, kv: PyValue[]) => {
    if (!(d instanceof Map)) throw new WeightsError(`${file}: pickle SETITEM(S) on something that is not a dict`);
    for (let i = 0; i + 1 < kv.length; i += 2) d.set(kv[i], kv[i + 1]);
  };
  while (p < buf.length) {
    const op = buf[p++];
    switch (op) {
      case 0x80: p++; break; // PROTO n
      case 0x95: p += 8; break; // FRAME (protocol 4)
      case 0x2e: return pop(); // STOP
      case 0x28: stack.push(MARK); break; // MARK
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push({ kind: 'tuple', items: [] }); break; // EMPTY_TUPLE
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4b: stack.push(buf[p]); p += 1; break; // BININT1
      case 0x4d: stack.push(buf.readUInt16LE(p)); p += 2; break; // BININT2
      case 0x4a: stack.push(buf.readInt32LE(p)); p += 4; break; // BININT
      case 0x8a: { // LONG1: n-byte little-endian two's complement
        const n = buf[p++];
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[p + i]);
        if (n > 0 && buf[p + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        p += n;
        stack.push(Number(v));
        break;
      }
      case 0x47: stack.push(buf.readDoubleBE(p)); p += 8; break; // BINFLOAT
      case 0x58: { const n = buf.readUInt32LE(p); p += 4; stack.push(str(n)); break; } // BINUNICODE
      case 0x8c: { const n = buf[p++]; stack.push(str(n)); break; } // SHORT_BINUNICODE
      case 0x8d: { const n = Number(buf.readBigUInt64LE(p)); p += 8; stack.push(str(n)); break; } // BINUNICODE8
      case 0x55: { const n = buf[p++]; stack.push(buf.toString('latin1', p, p + n)); p += n; break; } // SHORT_BINSTRING
      case 0x43: { const n = buf[p++]; stack.push(Buffer.from(buf.subarray(p, p + n))); p += n; break; } // SHORT_BINBYTES
      case 0x42: { const n = buf.readUInt32LE(p); p += 4; stack.push(Buffer.from(buf.subarray(p, p + n))); p += n; break; } // BINBYTES
      case 0x63: { const module = line(); const name = line(); stack.push({ kind: 'global', module, name }); break; } // GLOBAL
      case 0x93: { const name = pop() as string; const module = pop() as string; stack.push({ kind: 'global', module, name }); break; } // STACK_GLOBAL
      case 0x51: stack.push(persistentLoad(pop(), file)); break; // BINPERSID
      case 0x74: stack.push({ kind: 'tuple', items: popMark() }); break; // TUPLE
      case 0x85: stack.push({ kind: 'tuple', items: [pop()] }); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push({ kind: 'tuple', items: [a, b] }); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push({ kind: 'tuple', items: [a, b, c] }); break; } // TUPLE3
      case 0x52: { const args = pop(); const fn = pop(); stack.push(reduce(fn, args, file)); break; } // REDUCE
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const kv = popMark(); setItems(top(), kv); break; } // SETITEMS
      case 0x61: { const v = pop(); (top() as PyValue[]).push(v); break; } // APPEND
      case 0x65: { const vs = popMark(); (top() as PyValue[]).push(...vs); break; } // APPENDS
      case 0x62: pop(); break; // BUILD: object state (a state dict's _metadata versions): not needed
      case 0x71: memo.set(buf[p], top()); p += 1; break; // BINPUT
      case 0x72: memo.set(buf.readUInt32LE(p), top()); p += 4; break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: stack.push(memoGet(memo, buf[p], file)); p += 1; break; // BINGET
      case 0x6a: stack.push(memoGet(memo, buf.readUInt32LE(p), file)); p += 4; break; // LONG_BINGET
      default:
        throw new WeightsError(`${file}: pickle opcode 0x${op.toString(16)} at byte ${p - 1} is outside the subset torch.save uses for a state dict`);
    }
  }
  throw new WeightsError(`${file}: pickle ends without STOP (truncated?)`);
}

function memoGet(memo: Map<number, PyValue>, i: number, file: string): PyValue {
  if (!memo.has(i)) throw new WeightsError(`${file}: pickle refers to memo entry ${i}, which was never stored`);
  return memo.get(i)!;
}
