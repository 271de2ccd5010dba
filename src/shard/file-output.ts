// The writer's only I/O: a hyparquet-writer `Writer` that streams to a temporary file through a small
// buffer, hashing the bytes as they go, then fsyncs and renames into place. A shard therefore either
// exists complete under its final name or not at all.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { ByteWriter } from 'hyparquet-writer';
import { ShardError } from '../errors.js';

/** Bytes kept in memory before they go to the file (pages larger than this pass through whole). */
const CHUNK = 8 * 1024 * 1024;

export class HashingFileOutput extends ByteWriter {
  readonly finalPath: string;
  readonly tmpPath: string;
  private fd: number;
  private readonly hash: Hash = createHash('sha256');
  private done = false;

  constructor(finalPath: string) {
    super(CHUNK);
    this.finalPath = finalPath;
    this.tmpPath = `${finalPath}.tmp`;
    try {
      this.fd = openSync(this.tmpPath, 'w');
    } catch (e) {
      throw new ShardError(`cannot create ${this.tmpPath}: ${(e as Error).message}`, e);
    }
  }

  override ensure(size: number): void {
    // write out what we have instead of growing the buffer, so memory stays at one chunk (or one page)
    if (this.index + size > this.buffer.byteLength && this.index > 0) this.flush();
    super.ensure(size);
  }

  flush(): void {
    if (this.index === 0) return;
    const bytes = new Uint8Array(this.buffer, 0, this.index);
    this.hash.update(bytes);
    let off = 0;
    try {
      while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
    } catch (e) {
      throw new ShardError(`cannot write ${this.tmpPath}: ${(e as Error).message}`, e);
    }
    this.index = 0;
  }

  override finish(): void {
    this.flush();
  }

  /** fsync, close and rename to the final name; returns the file's sha256 (hex). */
  commit(): string {
    this.flush();
    try {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.done = true;
      renameSync(this.tmpPath, this.finalPath);
    } catch (e) {
      throw new ShardError(`cannot finish ${this.finalPath}: ${(e as Error).message}`, e);
    }
    return this.hash.digest('hex');
  }

  /** Closes and deletes the temporary file (after a failure). */
  discard(): void {
    if (!this.done) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
      this.done = true;
    }
    rmSync(this.tmpPath, { force: true });
  }
}
