// On-disk cache of successful HTTP response bodies, so a rerun of discovery makes no network
// requests. Keyed by a hash of (method, URL, body); each entry is one file written atomically
// (temp file + rename) so a crash never leaves a half-written entry that a rerun would trust.

import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { redactText } from '../redact.js';

export interface CachedResponse {
  status: number;
  contentType: string | null;
  body: string;
}

/** Stable key of one request. Headers are left out on purpose: auth keys must not change the key. */
export function cacheKey(method: string, url: string, body: string | undefined): string {
  return createHash('sha256')
    .update(method.toUpperCase())
    .update('\n')
    .update(url)
    .update('\n')
    .update(body ?? '')
    .digest('hex');
}

export class ResponseCache {
  constructor(readonly dir: string) {}

  private file(key: string): string {
    // Two-level fan-out keeps directories small for runs with 100k+ queries.
    return path.join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  async get(key: string): Promise<CachedResponse | undefined> {
    let text: string;
    try {
      text = await readFile(this.file(key), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    try {
      const v = JSON.parse(text) as CachedResponse;
      if (typeof v.body === 'string' && typeof v.status === 'number') return v;
    } catch {
      // A corrupt entry (disk trouble, manual edit) is treated as a miss and rewritten later.
    }
    return undefined;
  }

  async put(key: string, value: CachedResponse): Promise<void> {
    const target = this.file(key);
    await mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    // Items may carry presigned hrefs: the cache keeps them without credentials (a cached rerun reads
    // such assets unsigned, or through the provider's signer).
    await writeFile(tmp, redactText(JSON.stringify(value)));
    try {
      await rename(tmp, target);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
  }
}
