// Planetary Computer SAS signing (the link-access patcher's signer) against a fake token endpoint on loopback.

import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/net/http.js';
import { isPcBlobHref, PcSigner, pcTokenUrlFor, PC_TOKEN_URL } from '../../src/net/pc-sas.js';
import { startTokenServer, type TokenServer } from '../support/pc-token-server.js';

let ts: TokenServer | undefined;
afterEach(async () => {
  await ts?.close();
  ts = undefined;
});

const HREF = 'https://sentinel2l2a01.blob.core.windows.net/sentinel2-l2/53/N/KG/2025/03/12/S2B_MSIL2A.SAFE/GRANULE/IMG_DATA/R10m/T53NKG_B04_10m.tif';

function setup(ttlMs: number, extra: { subscriptionKey?: string } = {}) {
  let clock = Date.UTC(2025, 0, 1);
  const waits: number[] = [];
  const now = () => clock;
  const advance = (ms: number) => {
    clock += ms;
  };
  return startTokenServer({ ttlMs, now }).then((server) => {
    ts = server;
    const http = new HttpClient({ now, backoffBaseMs: 5, sleep: async (ms) => void waits.push(ms) });
    const signer = new PcSigner(http, { tokenUrl: server.tokenUrl, now, ...extra });
    return { signer, server, advance, waits };
  });
}

describe('Planetary Computer SAS signing', () => {
  it('signs blob hrefs with a token per account/container, cached; other hrefs pass unchanged', async () => {
    const { signer, server } = await setup(3600_000);
    const a = await signer.sign(HREF);
    expect(a).toBe(`${HREF}?sv=2021&sr=c&se=${encodeURIComponent('2025-01-01T01:00:00.000Z')}&sig=sentinel2l2a01-sentinel2-l2-1`);
    expect(await signer.sign(`${HREF.replace('B04', 'B03')}`)).toMatch(/sig=sentinel2l2a01-sentinel2-l2-1$/);
    expect(await signer.sign('https://sentinel1euwest.blob.core.windows.net/s1-grd/GRD/x.tiff')).toMatch(/sig=sentinel1euwest-s1-grd-2$/);
    expect(await signer.sign('https://example.org/a.tif')).toBe('https://example.org/a.tif');
    expect(await signer.sign(a)).toBe(a); // already signed
    expect(server.log.map((r) => r.path)).toEqual(['/api/sas/v1/token/sentinel2l2a01/sentinel2-l2', '/api/sas/v1/token/sentinel1euwest/s1-grd']);
  });

  it('concurrent signings share one token request', async () => {
    const { signer, server } = await setup(3600_000);
    const signed = await Promise.all(Array.from({ length: 20 }, (_, i) => signer.sign(`${HREF}${i}`)));
    expect(new Set(signed.map((s) => s.split('sig=')[1])).size).toBe(1);
    expect(server.log).toHaveLength(1);
  });

  it('renews a token when fewer than 60 s remain before msft:expiry, not before', async () => {
    const { signer, server, advance } = await setup(600_000); // 10 min tokens
    await signer.sign(HREF);
    advance(600_000 - 61_000); // 61 s left: still good
    expect(await signer.sign(HREF)).toMatch(/-1$/);
    advance(2_000); // 59 s left: renew
    expect(await signer.sign(HREF)).toMatch(/-2$/);
    expect(server.log).toHaveLength(2);
  });

  it('backs off on 429 from the token endpoint (Retry-After honoured) and sends the subscription key', async () => {
    const { signer, server, waits } = await setup(3600_000, { subscriptionKey: 'k-123' });
    server.throttle(2, '2');
    expect(await signer.sign(HREF)).toMatch(/sig=sentinel2l2a01-sentinel2-l2-1$/);
    expect(waits).toEqual([2000, 2000]);
    expect(server.log).toHaveLength(3);
    expect(server.log.every((r) => r.headers['ocp-apim-subscription-key'] === 'k-123')).toBe(true);
    expect(signer.tokenRequests).toBe(1);
  });

  it('a token endpoint that keeps refusing gives an HttpError naming it', async () => {
    const { signer, server } = await setup(3600_000);
    server.throttle(100);
    await expect(signer.sign(HREF)).rejects.toThrow(`${server.tokenUrl}/sentinel2l2a01/sentinel2-l2: HTTP 429 after 6 attempts`);
  });

  it('recognises PC blob links only; the token endpoint sits beside an overridden PC STAC root', () => {
    expect(isPcBlobHref(HREF)).toBe(true);
    expect(isPcBlobHref('https://example.org/sentinel2l2a01.blob.core.windows.net/x/y.tif')).toBe(false);
    expect(isPcBlobHref('http://sentinel2l2a01.blob.core.windows.net/x/y.tif')).toBe(false);
    expect(pcTokenUrlFor(undefined)).toBe(PC_TOKEN_URL);
    expect(pcTokenUrlFor('https://planetarycomputer.microsoft.com/api/stac/v1')).toBe(PC_TOKEN_URL);
    expect(pcTokenUrlFor('http://127.0.0.1:8080/api/stac/v1/')).toBe('http://127.0.0.1:8080/api/sas/v1/token');
    expect(pcTokenUrlFor('https://stac.example.org/v1')).toBe(PC_TOKEN_URL);
  });
});
