// Fault injection against the loopback STAC API: transient faults must end in the complete item
// set; permanent ones in a clear error, with the items of the pages before it delivered.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStacSource } from '../../../src/discover/stac/index.js';
import type { SearchRequest, StacSource } from '../../../src/discover/stac/types.js';
import { HttpError, StacError } from '../../../src/errors.js';
import type { FetchLike } from '../../../src/net/http.js';
import { realItems, writeStaticCatalog } from '../../support/stac-fixtures.js';
import { startStacServer, type StacTestServer } from '../../support/stac-server.js';

let catalog: string;
let server: StacTestServer;
let expected: string[];
const REQ: SearchRequest = { collections: ['sentinel-2-l2a'], datetime: '2019-01-01T00:00:00Z/2019-01-02T00:00:00Z', limit: 10 }; // 33 PC items -> 4 pages

beforeAll(async () => {
  catalog = writeStaticCatalog(realItems());
  server = await startStacServer({ catalog });
  const ids: string[] = [];
  for await (const it of openStacSource({ provider: 'static', catalog }).search(REQ)) ids.push(it.id);
  expected = ids;
});
afterAll(() => server.close());

/** A source with instant, recorded backoff waits and a short timeout. */
function source(extra: { retries?: number; timeoutMs?: number; fetchImpl?: FetchLike } = {}) {
  const waits: number[] = [];
  const src = openStacSource({
    provider: 'stac-api',
    url: server.url,
    searchMethod: 'POST', // request counts below are about /search only
    retries: extra.retries ?? 6,
    timeoutMs: extra.timeoutMs ?? 2000,
    backoffBaseMs: 5,
    ...(extra.fetchImpl ? { fetchImpl: extra.fetchImpl } : {}),
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  return { src, waits };
}

async function drain(src: StacSource, into: string[]): Promise<void> {
  for await (const it of src.search(REQ)) into.push(it.id);
}

/** Matches the search requests numbered from..to (1-based) that reach the fault check. */
const nthSearch = (from: number, to = from) => {
  let seen = 0;
  return (r: { path: string }) => {
    if (!/\/search/.test(r.path)) return false;
    seen++;
    return seen >= from && seen <= to;
  };
};

describe('transient faults are retried to the complete result', () => {
  it('sanity: the search spans 4 pages of real items', () => {
    expect(expected).toHaveLength(33);
  });

  it('429 with Retry-After (seconds and HTTP-date) is honoured', async () => {
    const { src, waits } = source();
    server.addFault({ kind: 'status', status: 429, retryAfter: '3', match: nthSearch(2) });
    server.addFault({ kind: 'status', status: 429, retryAfter: new Date(Date.now() + 60_000).toUTCString(), match: nthSearch(3) });
    const got: string[] = [];
    await drain(src, got);
    expect(got).toEqual(expected);
    expect(waits[0]).toBe(3000);
    expect(waits[1]).toBeGreaterThan(58_000);
    expect(waits[1]).toBeLessThanOrEqual(60_000);
    expect(src.stats.retries).toBe(2);
    expect(src.stats.requests).toBe(6);
  });

  it('503 twice, a connection reset and a stalled body (beyond the timeout) still give every item', async () => {
    const { src, waits } = source({ timeoutMs: 300 });
    server.addFault({ kind: 'status', status: 503, times: 2 });
    server.addFault({ kind: 'reset', match: nthSearch(2) });
    server.addFault({ kind: 'stall', match: nthSearch(3) });
    const got: string[] = [];
    await drain(src, got);
    expect(got).toEqual(expected);
    expect(src.stats.retries).toBe(4);
    // Full-jitter backoff: each wait below base * 2^(attempt-1).
    expect(waits.every((w) => w >= 0 && w < 20)).toBe(true);
  });
});

describe('the same transient faults through the built-in fetch of Node (the transport is swappable)', () => {
  it('503, reset and stalled body are classified and retried with undici fetch as well', async () => {
    const { src } = source({ timeoutMs: 300, fetchImpl: globalThis.fetch as unknown as FetchLike });
    server.addFault({ kind: 'status', status: 503 });
    server.addFault({ kind: 'reset', match: nthSearch(2) });
    server.addFault({ kind: 'stall', match: nthSearch(3) });
    const got: string[] = [];
    await drain(src, got);
    expect(got).toEqual(expected);
    expect(src.stats.retries).toBe(3);
  });
});

describe('permanent faults end in a clear error, keeping what was delivered', () => {
  it('always 500: HttpError naming URL, status and attempts; page 1 items were delivered', async () => {
    const { src } = source({ retries: 3 });
    server.addFault({ kind: 'status', status: 500, times: 3, match: nthSearch(2, 4) });
    const got: string[] = [];
    const err = await drain(src, got).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(String(err)).toBe(`http: ${server.url}/search: HTTP 500 after 3 attempts`);
    expect((err as HttpError).attempts).toBe(3);
    expect(got).toEqual(expected.slice(0, 10));
  });

  it('malformed JSON: StacError naming the URL and what was expected', async () => {
    const { src } = source();
    server.addFault({ kind: 'malformed', match: nthSearch(3) });
    const got: string[] = [];
    const err = await drain(src, got).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StacError);
    expect(String(err)).toMatch(
      new RegExp(`^stac: ${server.url.replace(/[.]/g, '\\.')}/search: response is not valid JSON \\(.*\\); expected a STAC item search page \\(GeoJSON FeatureCollection with "features"\\); body starts "\\{\\\\"type`),
    );
    expect(got).toEqual(expected.slice(0, 20));
  });

  it('a next link that repeats the request just made: StacError "server repeated a page"', async () => {
    const { src } = source();
    server.addFault({ kind: 'repeat-next', match: nthSearch(2) });
    const got: string[] = [];
    const err = await drain(src, got).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StacError);
    expect(String(err)).toContain(`stac: ${server.url}/search: the server repeated a page: the next link of page 2 asks again for page 2`);
    expect(String(err)).toContain('stopped after 2 pages');
    expect(got).toEqual(expected.slice(0, 20));
  });

  it('a 400 is not retried', async () => {
    const { src } = source();
    server.addFault({ kind: 'status', status: 400 });
    const err = await drain(src, []).catch((e: unknown) => e);
    expect(String(err)).toBe(`http: ${server.url}/search: HTTP 400 (injected HTTP 400) after 1 attempt`);
    expect(src.stats.requests).toBe(1);
  });

  it('timeouts on every attempt: HttpError says it timed out', async () => {
    const { src } = source({ retries: 2, timeoutMs: 100 });
    server.addFault({ kind: 'stall', times: 2 });
    const err = await drain(src, []).catch((e: unknown) => e);
    expect(String(err)).toBe(`http: ${server.url}/search: timed out (100 ms limit) after 2 attempts`);
  });
});

describe('loops in disguise', () => {
  it('a next link with a fresh token that serves the same page again is stopped with a clear error', async () => {
    const { startLoopback } = await import('../../support/loopback.js');
    const feats = (await import('../../support/stac-fixtures.js')).realItems().slice(3, 6);
    let n = 0;
    const lb = await startLoopback((_req, res) => {
      n++;
      res.writeHead(200, { 'content-type': 'application/geo+json' });
      res.end(JSON.stringify({ type: 'FeatureCollection', features: feats, links: [{ rel: 'next', method: 'POST', href: '/search', merge: true, body: { token: `t${n}` } }] }));
    });
    try {
      const src = openStacSource({ provider: 'earth-search', url: lb.url });
      const got: string[] = [];
      const err = await drain(src, got).catch((e: unknown) => e);
      expect(String(err)).toBe(`stac: ${lb.url}/search: the server repeated a page: all 3 items of page 2 were already delivered; stopped after 1 pages`);
      expect(got).toEqual(feats.map((f) => f.id));
      expect(n).toBe(2);
    } finally {
      await lb.close();
    }
  });
});

describe('a static catalog read over HTTP', () => {
  it('retries with the same settings as an API source: Retry-After capped, onRetry called', async () => {
    const catalogJson = JSON.stringify({ type: 'Catalog', stac_version: '1.0.0', id: 'empty', description: 'no children', links: [] });
    let calls = 0;
    const fetchImpl: FetchLike = async () => {
      calls++;
      const first = calls === 1;
      return {
        status: first ? 429 : 200,
        headers: { get: (h: string) => (first && h.toLowerCase() === 'retry-after' ? '3600' : null) },
        text: async () => (first ? 'slow down' : catalogJson),
      };
    };
    const waits: number[] = [];
    const retries: { attempt: number; delayMs: number }[] = [];
    const src = openStacSource({
      provider: 'static',
      catalog: 'https://example.test/catalog.json',
      fetchImpl,
      maxRetryAfterMs: 40,
      sleep: async (ms) => {
        waits.push(ms);
      },
      onRetry: (r) => retries.push({ attempt: r.attempt, delayMs: r.delayMs }),
    });
    const ids: string[] = [];
    for await (const it of src.search(REQ)) ids.push(it.id);
    expect(ids).toEqual([]);
    expect(calls).toBe(2);
    expect(waits).toEqual([40]); // the server's 3600 s, capped by maxRetryAfterMs
    expect(retries).toEqual([{ attempt: 1, delayMs: 40 }]);
  });
});
