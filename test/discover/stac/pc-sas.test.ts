// Planetary Computer SAS signing against a fake token endpoint on loopback.

import { afterEach, describe, expect, it } from 'vitest';
import { StacApiSource } from '../../../src/discover/stac/api-source.js';
import { openStacSource } from '../../../src/discover/stac/index.js';
import { startTokenServer, type TokenServer } from '../../support/pc-token-server.js';

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
    const src = openStacSource({
      provider: 'planetary-computer',
      url: 'http://127.0.0.1:9/unused',
      tokenUrl: server.tokenUrl,
      now,
      backoffBaseMs: 5,
      sleep: async (ms) => {
        waits.push(ms);
      },
      ...extra,
    }) as StacApiSource;
    return { src, server, advance, waits };
  });
}

describe('Planetary Computer SAS signing', () => {
  it('signs blob hrefs with a token per account/container, cached; other hrefs pass unchanged', async () => {
    const { src, server } = await setup(3600_000);
    const a = await src.signHref(HREF);
    expect(a).toBe(`${HREF}?sv=2021&sr=c&se=${encodeURIComponent('2025-01-01T01:00:00.000Z')}&sig=sentinel2l2a01-sentinel2-l2-1`);
    expect(await src.signHref(`${HREF.replace('B04', 'B03')}`)).toMatch(/sig=sentinel2l2a01-sentinel2-l2-1$/);
    expect(await src.signHref('https://sentinel1euwest.blob.core.windows.net/s1-grd/GRD/x.tiff')).toMatch(/sig=sentinel1euwest-s1-grd-2$/);
    expect(await src.signHref('https://example.org/a.tif')).toBe('https://example.org/a.tif');
    expect(await src.signHref(a)).toBe(a); // already signed
    expect(server.log.map((r) => r.path)).toEqual(['/api/sas/v1/token/sentinel2l2a01/sentinel2-l2', '/api/sas/v1/token/sentinel1euwest/s1-grd']);
  });

  it('concurrent signings share one token request', async () => {
    const { src, server } = await setup(3600_000);
    const signed = await Promise.all(Array.from({ length: 20 }, (_, i) => src.signHref(`${HREF}${i}`)));
    expect(new Set(signed.map((s) => s.split('sig=')[1])).size).toBe(1);
    expect(server.log).toHaveLength(1);
  });

  it('renews a token when fewer than 60 s remain before msft:expiry, not before', async () => {
    const { src, server, advance } = await setup(600_000); // 10 min tokens
    await src.signHref(HREF);
    advance(600_000 - 61_000); // 61 s left: still good
    expect(await src.signHref(HREF)).toMatch(/-1$/);
    advance(2_000); // 59 s left: renew
    expect(await src.signHref(HREF)).toMatch(/-2$/);
    expect(server.log).toHaveLength(2);
  });

  it('backs off on 429 from the token endpoint (Retry-After honoured) and sends the subscription key', async () => {
    const { src, server, waits } = await setup(3600_000, { subscriptionKey: 'k-123' });
    server.throttle(2, '2');
    expect(await src.signHref(HREF)).toMatch(/sig=sentinel2l2a01-sentinel2-l2-1$/);
    expect(waits).toEqual([2000, 2000]);
    expect(server.log).toHaveLength(3);
    expect(server.log.every((r) => r.headers['ocp-apim-subscription-key'] === 'k-123')).toBe(true);
    expect(src.pcSigner!.tokenRequests).toBe(1);
  });

  it('a token endpoint that keeps refusing gives an HttpError naming it', async () => {
    const { src, server } = await setup(3600_000);
    server.throttle(100);
    await expect(src.signHref(HREF)).rejects.toThrow(`${server.tokenUrl}/sentinel2l2a01/sentinel2-l2: HTTP 429 after 6 attempts`);
  });

  it('Earth Search needs no signing', async () => {
    const es = openStacSource({ provider: 'earth-search' });
    expect(await es.signHref(HREF)).toBe(HREF);
  });
});
