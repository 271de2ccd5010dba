// Page codecs for writing and reading. zstd comes from @toondepauw/node-zstd: a Node-API binding whose
// prebuilt binary ships inside an npm package per platform (no download at install time); Node 20's zlib
// has no zstd. See docs/decisions.md ("Shard writer: Parquet library") for the measurements.
import { createRequire } from 'node:module';
import { ShardError } from '../errors.js';
import type { ShardCompression } from '../config/sections/shard.js';

interface ZstdBinding {
  Encoder: new (level: number) => { encodeSync(b: Buffer): Buffer; encode(b: Buffer): Promise<Buffer> };
  Decoder: new () => { decodeSync(b: Buffer): Buffer };
}

let binding: ZstdBinding | undefined;
function zstd(): ZstdBinding {
  if (!binding) {
    try {
      binding = createRequire(import.meta.url)('@toondepauw/node-zstd') as ZstdBinding;
    } catch (e) {
      throw new ShardError(
        `zstd is not available on this platform (${process.platform}-${process.arch}): @toondepauw/node-zstd failed to load; ` +
          `run npm install, or set shard.compression to snappy`,
        e,
      );
    }
  }
  return binding;
}

const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

export type ParquetCodecName = 'ZSTD' | 'SNAPPY' | 'UNCOMPRESSED';

export function parquetCodec(c: ShardCompression): ParquetCodecName {
  return c === 'zstd' ? 'ZSTD' : c === 'snappy' ? 'SNAPPY' : 'UNCOMPRESSED';
}

/** Compressors for hyparquet-writer (snappy is built into it). */
export function writeCompressors(c: ShardCompression, level: number): Record<string, (input: Uint8Array) => Uint8Array> {
  if (c !== 'zstd') return {};
  const enc = new (zstd().Encoder)(level);
  return { ZSTD: (input) => enc.encodeSync(asBuffer(input)) };
}

/**
 * zstd for hyparquet-writer, whose compressor hook is synchronous, with the large pages compressed ahead
 * of time on libuv's thread pool: `prepare(value)` starts compressing the page a BYTE_ARRAY value will
 * form when it is alone in its page (4-byte length + bytes, PLAIN), while the main thread goes on
 * (statistics, encoding). When the writer later asks for that page, the finished result is handed over
 * after an exact byte comparison; any other page is compressed on the spot. The output is the same as
 * compressing synchronously, only the work moves to other cores.
 */
export class AheadCompressor {
  private readonly enc: { encodeSync(b: Buffer): Buffer; encode(b: Buffer): Promise<Buffer> };
  private readonly ready = new Map<number, { page: Buffer; out?: Buffer; pending: Promise<void> }[]>();
  private readonly inflight: Promise<void>[] = [];
  hits = 0;
  misses = 0;

  constructor(level: number) {
    this.enc = new (zstd().Encoder)(level);
  }

  /**
   * Page buffers handed back after their page was written, by size, for the next tiles' pages (tiles of
   * a corpus have the same sizes): touching freshly allocated memory costs ~25 us a page on a VM.
   */
  private readonly spare = new Map<number, Buffer[]>();

  prepare(value: Uint8Array): void {
    const page = this.spare.get(4 + value.byteLength)?.pop() ?? Buffer.allocUnsafe(4 + value.byteLength);
    page.writeUInt32LE(value.byteLength, 0);
    page.set(value, 4);
    const entry: { page: Buffer; out?: Buffer; pending: Promise<void> } = { page, pending: Promise.resolve() };
    entry.pending = this.enc.encode(page).then((out) => {
      entry.out = out;
    });
    this.inflight.push(entry.pending);
    const list = this.ready.get(page.byteLength);
    if (list) list.push(entry);
    else this.ready.set(page.byteLength, [entry]);
  }

  /** Waits for every prepared page (call before the synchronous write). */
  async settle(): Promise<void> {
    await Promise.all(this.inflight.splice(0));
  }

  /** The synchronous compressor hook. */
  readonly compress = (input: Uint8Array): Uint8Array => {
    const list = this.ready.get(input.byteLength);
    if (list) {
      const buf = asBuffer(input);
      const i = list.findIndex((e) => e.out !== undefined && e.page.equals(buf));
      if (i >= 0) {
        const [e] = list.splice(i, 1);
        if (list.length === 0) this.ready.delete(input.byteLength);
        this.hits++;
        this.recycle(e.page);
        return e.out!;
      }
    }
    this.misses++;
    return this.enc.encodeSync(asBuffer(input));
  };

  /** Drops prepared pages the writer never asked for (their pages were split differently). */
  clear(): void {
    for (const list of this.ready.values()) for (const e of list) this.recycle(e.page);
    this.ready.clear();
  }

  private recycle(page: Buffer): void {
    const list = this.spare.get(page.byteLength);
    if (!list) this.spare.set(page.byteLength, [page]);
    else if (list.length < 64) list.push(page);
  }
}

/** Decompressors for hyparquet (snappy is built into it). */
export function readCompressors(): Record<string, (input: Uint8Array, outputLength: number) => Uint8Array> {
  return {
    ZSTD: (input, outputLength) => {
      const out = new (zstd().Decoder)().decodeSync(asBuffer(input));
      if (out.byteLength !== outputLength) throw new ShardError(`zstd page decoded to ${out.byteLength} bytes, the page header says ${outputLength}`);
      return out;
    },
  };
}
