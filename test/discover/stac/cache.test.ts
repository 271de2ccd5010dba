// On-disk response cache: an identical rerun makes zero requests; errors are never cached.

import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStacSource } from '../../../src/discover/stac/index.js';
import type { SearchRequest, StacSource } from '../../../src/discover/stac/types.js';
import { realItems, writeStaticCatalog } from '../../support/stac-fixtures.js';
import { startStacServer, type StacTestServer } from '../../support/stac-server.js';

let server: StacTestServer;
beforeAll(async () => {
  server = await startStacServer({ catalog: writeStaticCatalog(realItems()) });
});
afterAll(() => server.close());

const REQ: SearchRequest = { collections: ['sentinel-2-l2a'], datetime: '2019-01-01T00:00:00Z/2019-01-02T00:00:00Z', limit: 10 };
async function ids(src: StacSource, req = REQ): Promise<string[]> {
  const out: string[] = [];
  for await (const it of src.search(req)) out.push(it.id);
  return out;
}

describe('response cache', () => {
  it('a second identical search makes 0 requests and yields the same items', async () => {
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'terrafm-cache-'));
    const first = openStacSource({ provider: 'stac-api', url: server.url, searchMethod: 'POST', cacheDir });
    const before = server.log.length;
    const a = await ids(first);
    expect(server.log.length - before).toBe(4);
    expect(first.stats).toEqual({ requests: 4, cacheHits: 0, retries: 0 });

    const rerun = openStacSource({ provider: 'stac-api', url: server.url, searchMethod: 'POST', cacheDir });
    const b = await ids(rerun);
    expect(b).toEqual(a);
    expect(server.log.length - before).toBe(4); // the server saw nothing new
    expect(rerun.stats).toEqual({ requests: 0, cacheHits: 4, retries: 0 });
    // One file per page, in a two-level fan-out, no temp files left behind.
    const files = readdirSync(cacheDir, { recursive: true }).map(String).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(4);
    expect(readdirSync(cacheDir, { recursive: true }).map(String).some((f) => f.endsWith('.tmp'))).toBe(false);
  });

  it('a different search is a miss', async () => {
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'terrafm-cache-'));
    await ids(openStacSource({ provider: 'stac-api', url: server.url, searchMethod: 'POST', cacheDir }));
    const other = openStacSource({ provider: 'stac-api', url: server.url, searchMethod: 'POST', cacheDir });
    await ids(other, { ...REQ, limit: 11 });
    expect(other.stats.cacheHits).toBe(0);
    expect(other.stats.requests).toBe(3);
  });

  it('error responses are not cached: after a failed run the rerun asks the server again', async () => {
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'terrafm-cache-'));
    const mk = () => openStacSource({ provider: 'stac-api', url: server.url, searchMethod: 'POST', cacheDir, retries: 1 });
    let n = 0;
    server.addFault({ kind: 'status', status: 503, match: (r) => /\/search/.test(r.path) && ++n === 2 });
    const failed = mk();
    await expect(ids(failed)).rejects.toThrow('HTTP 503 after 1 attempt');
    const rerun = mk();
    expect(await ids(rerun)).toHaveLength(33);
    expect(rerun.stats).toEqual({ requests: 3, cacheHits: 1, retries: 0 }); // page 1 cached, pages 2-4 fetched
  });
});
