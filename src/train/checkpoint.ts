// Checkpoint file: one binary file written atomically (temp file + fsync + rename), so a kill
// mid-write leaves the previous checkpoint intact. Layout:
//   "TFMC" | uint32 LE version (1) | uint32 LE header length | header JSON (utf-8) | float32 LE blobs
// The header holds the metadata and, per tensor, its name, element offset and length.
import fs from 'node:fs';
import { writeFileAtomic } from '../atomic-file.js';
import { TrainError } from '../errors.js';

const MAGIC = 'TFMC';
const VERSION = 1;

export interface CheckpointFile<Meta> {
  meta: Meta;
  tensors: Map<string, Float32Array>;
}

interface Header<Meta> {
  meta: Meta;
  tensors: { name: string; offset: number; length: number }[];
}

export function encodeCheckpoint<Meta>(c: CheckpointFile<Meta>): Buffer {
  const entries: Header<Meta>['tensors'] = [];
  let offset = 0;
  for (const [name, a] of c.tensors) {
    entries.push({ name, offset, length: a.length });
    offset += a.length;
  }
  const header = Buffer.from(JSON.stringify({ meta: c.meta, tensors: entries } satisfies Header<Meta>), 'utf8');
  // Pad the header so the float blob starts 4-byte aligned (readable as a Float32Array view).
  const pad = (4 - ((12 + header.length) % 4)) % 4;
  const out = Buffer.alloc(12 + header.length + pad + offset * 4);
  out.write(MAGIC, 0, 'ascii');
  out.writeUInt32LE(VERSION, 4);
  out.writeUInt32LE(header.length + pad, 8);
  header.copy(out, 12);
  out.fill(0x20, 12 + header.length, 12 + header.length + pad);
  let pos = 12 + header.length + pad;
  for (const a of c.tensors.values()) {
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(out, pos);
    pos += a.byteLength;
  }
  return out;
}

export function decodeCheckpoint<Meta>(buf: Buffer, file: string): CheckpointFile<Meta> {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== MAGIC)
    throw new TrainError(`${file}: not a terrafm checkpoint (expected magic "${MAGIC}")`);
  const version = buf.readUInt32LE(4);
  if (version !== VERSION) throw new TrainError(`${file}: checkpoint version ${version}; expected ${VERSION}`);
  const hlen = buf.readUInt32LE(8);
  let header: Header<Meta>;
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + hlen)) as Header<Meta>;
  } catch (e) {
    throw new TrainError(`${file}: checkpoint header is not valid JSON (truncated file?)`, e);
  }
  const base = 12 + hlen;
  const tensors = new Map<string, Float32Array>();
  for (const t of header.tensors) {
    const start = base + t.offset * 4;
    const end = start + t.length * 4;
    if (end > buf.length) throw new TrainError(`${file}: tensor ${t.name} runs past the end of the file (truncated checkpoint)`);
    tensors.set(t.name, new Float32Array(buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + end) as ArrayBuffer));
  }
  return { meta: header.meta, tensors };
}

export function writeCheckpoint<Meta>(file: string, c: CheckpointFile<Meta>): void {
  writeFileAtomic(file, encodeCheckpoint(c));
}

export function readCheckpoint<Meta>(file: string): CheckpointFile<Meta> {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw new TrainError(`cannot read checkpoint ${file}: ${(e as Error).message}`, e);
  }
  return decodeCheckpoint<Meta>(buf, file);
}
