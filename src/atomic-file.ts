// Every file a reader must see whole or not at all (manifests, stats, markers, checkpoints,
// encoders, reports) is written the same way: `<file>.tmp`, fsync, rename. A crash leaves the old
// file, or a `.tmp` that `terrafm validate` reports and a rerun replaces.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** A failed write (ENOSPC, EIO) removes its `.tmp` and leaves the old file as it was. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      if (typeof data === 'string') writeSync(fd, data);
      else writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
