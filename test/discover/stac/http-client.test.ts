// The HTTP client on its own: retry policy numbers, concurrency bound, no retry on 4xx.

import { describe, expect, it } from 'vitest';
import { HttpClient } from '../../../src/net/http.js';
import { backoffDelay, isRetryableNetworkError, isRetryableStatus, parseRetryAfter, retryDelay } from '../../../src/net/retry-policy.js';
import { sendJson, startLoopback } from '../../support/loopback.js';

describe('retry policy', () => {
  it('Retry-After as seconds, HTTP-date, past date, junk', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
  it('full jitter: uniform in [0, min(max, base * 2^(n-1)))', () => {
    const o = { baseMs: 100, maxMs: 1000 };
    expect(backoffDelay(1, o, () => 0.999)).toBe(99);
    expect(backoffDelay(3, o, () => 0.5)).toBe(200);
    expect(backoffDelay(10, o, () => 0.5)).toBe(500); // capped at 1000
    expect(backoffDelay(2, o, () => 0)).toBe(0);
    expect(retryDelay(1, 5000, { ...o, maxRetryAfterMs: 3000 })).toBe(3000);
  });
  it('which statuses and network errors are retried', () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 422].some(isRetryableStatus)).toBe(false);
    expect(isRetryableNetworkError(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } }))).toBe(true);
    expect(isRetryableNetworkError(new Error('invalid URL'))).toBe(false);
  });
});

describe('HttpClient', () => {
  it('never has more requests in flight than its concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const lb = await startLoopback(async (_req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      sendJson(res, 200, { ok: true });
    });
    try {
      const http = new HttpClient({ concurrency: 3 });
      await Promise.all(Array.from({ length: 12 }, (_, i) => http.request({ method: 'GET', url: `${lb.url}/x${i}` })));
      expect(peak).toBe(3);
      expect(http.stats.requests).toBe(12);
    } finally {
      await lb.close();
    }
  });

  it('a refused connection is retried, then reported with the code', async () => {
    const lb = await startLoopback((_q, res) => sendJson(res, 200, {}));
    const url = `${lb.url}/gone`;
    await lb.close();
    const http = new HttpClient({ retries: 2, sleep: async () => undefined });
    await expect(http.request({ method: 'GET', url })).rejects.toThrow(new RegExp(`^${url.replace(/[.]/g, '\\.')}: connection failed \\(.*ECONNREFUSED.*\\) after 2 attempts$`));
    expect(http.stats.retries).toBe(1);
  });
});
