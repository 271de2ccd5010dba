// The land-cover pass of `terrafm run` reaches a Planetary Computer `landcover` source through the
// link-access layer: its esa-worldcover search and its SAS token requests carry the source's
// subscription key, the blob it reads is signed, and neither the key nor the token reaches an error,
// an output file or the log. A loopback server answers as PC's STAC API and token endpoint do, and
// also stands as GDAL's HTTP proxy, refusing the tunnel to the blob host, so the read fails at once
// (there is no internet here) after the signing has been done.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import gdal from 'gdal-async';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { normalise as normaliseSampling } from '../../src/config/sections/sampling.js';
import type { SourcesConfig } from '../../src/config/sections/sources.js';
import { cellsInBBox } from '../../src/sample/landcover/cells-input.js';
import { landcoverLinks, landcoverStep } from '../../src/sample/stage.js';
import { coverArea, Grid } from '../../src/grid/index.js';
import { parseItem } from '../../src/discover/stac/parse-item.js';
import { planTiles } from '../../src/tile/plan.js';
import { tileAll } from '../../src/tile/run-tiles.js';
import { normalise as normaliseTile } from '../../src/config/sections/tile.js';
import { assetPatcherFor } from '../../src/net/link-access.js';
import { sendJson, startLoopback, type Loopback, type LoopbackRequest } from '../support/loopback.js';
import { sourceConfig } from '../support/source-config.js';
import { cassetteItems } from '../support/stac-fixtures.js';

const KEY = 'pc-key-5f3a9c0e7d21';
const KEY_ENV = 'TERRAFM_TEST_PC_SUBSCRIPTION_KEY';
// One real esa-worldcover item (tile S60W030), as PC's API returned it.
const ITEM = cassetteItems('pc_items_esa-worldcover_limit1.yaml')[0]!;
const BLOB = (ITEM.assets as Record<string, { href: string }>).map!.href;

let server: Loopback;
const requests: LoopbackRequest[] = [];
let tokensIssued = 0;

beforeAll(async () => {
  server = await startLoopback((req, res) => {
    requests.push(req);
    if (req.method === 'POST' && req.path === '/api/stac/v1/search') return sendJson(res, 200, { type: 'FeatureCollection', features: [ITEM], links: [] });
    const m = /^\/api\/sas\/v1\/token\/([^/]+)\/([^/?]+)$/.exec(req.path);
    if (m) {
      tokensIssued++;
      return sendJson(res, 200, { 'msft:expiry': new Date(Date.now() + 3600_000).toISOString(), token: `sv=2021&sr=c&sig=SECRET-${m[1]}-${tokensIssued}` });
    }
    return sendJson(res, 404, { code: 'NotFound' });
  });
  process.env[KEY_ENV] = KEY;
  // GDAL's requests go to the loopback as proxy; it does not answer CONNECT, so the tunnel to the blob
  // host is refused at once instead of waiting on a network this machine does not have.
  gdal.config.set('GDAL_HTTP_PROXY', server.url.replace('http://', ''));
  gdal.config.set('GDAL_HTTP_MAX_RETRY', '0');
});

afterAll(async () => {
  gdal.config.set('GDAL_HTTP_PROXY', null);
  gdal.config.set('GDAL_HTTP_MAX_RETRY', null);
  delete process.env[KEY_ENV];
  await server.close();
});

afterEach(() => {
  requests.length = 0;
});

function pcSources(): SourcesConfig {
  return {
    landcover: sourceConfig({ provider: 'planetary-computer', url: `${server.url}/api/stac/v1`, collection: 'esa-worldcover', subscriptionKeyEnv: KEY_ENV }),
  };
}

/** Everything a failed run leaves that a person or a log could read. */
function visibleText(e: unknown, dir: string): string {
  const err = e as Error & { href?: string; cause?: unknown };
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
  return [String(err), err.stack, err.href, JSON.stringify(err), ...files.map((f) => readFileSync(path.join(f.parentPath, f.name), 'utf8'))].join('\n');
}

describe('the land-cover pass reaches a Planetary Computer source with its subscription key', () => {
  it('searches and fetches SAS tokens with the key header, signs the blob it reads, and leaks neither key nor token', async () => {
    // Two cells in the S60W030 tile: one token serves both reads (cached per account/container).
    const cells = cellsInBBox([-27.9, -58.1, -27.85, -58.09], { cellSizeKm: 2.56, tileSizePx: 256, resolutionM: 10 });
    expect(cells.length).toBeGreaterThanOrEqual(2);
    const cfg = { ...normaliseSampling(undefined).landcover, resolutionM: 80, concurrency: 1 };
    const out = mkdtempSync(path.join(os.tmpdir(), 'terrafm-lc-pc-'));
    const err = await landcoverStep(cells, cfg, out, { links: landcoverLinks(pcSources()) }).then(
      () => undefined,
      (e: unknown) => e,
    );

    const search = requests.filter((r) => r.path === '/api/stac/v1/search');
    expect(search).toHaveLength(1);
    expect(JSON.parse(search[0]!.body)).toMatchObject({ collections: ['esa-worldcover'] });
    const tokens = requests.filter((r) => r.path.startsWith('/api/sas/v1/token/'));
    expect(tokens.map((r) => r.path)).toEqual([`/api/sas/v1/token/${new URL(BLOB).hostname.split('.')[0]}/esa-worldcover`]);
    for (const r of [...search, ...tokens]) expect(r.headers['ocp-apim-subscription-key']).toBe(KEY);

    // The read was tried (the proxy refused it) on the signed URL; the error names the href redacted.
    expect(err).toBeInstanceOf(Error);
    expect(String(err)).toContain('land-cover read for cell');
    expect(String(err)).toContain(`${BLOB}?sv=REDACTED&sr=REDACTED&sig=REDACTED`);
    const seen = visibleText(err, out);
    expect(seen).not.toContain(KEY);
    expect(seen).not.toContain('SECRET-');
  });

  it('`terrafm tile` signs PC blobs with the pipeline\'s key; failure rows hold the stored href only', async () => {
    // A real PC Sentinel-2 L2A item: its band assets are blobs on sentinel2l2a01.
    const s2 = parseItem(cassetteItems('pc_search_sentinel-2-l2a_datetime_33items.yaml')[0]);
    const [w, so, e, n] = s2.bbox;
    const cx = (w + e) / 2;
    const cy = (so + n) / 2;
    const cell = [...coverArea(new Grid({ cellSizeKm: 2.56, tileSizePx: 256, resolutionM: 10 }), { kind: 'bbox', bboxes: [[cx, cy, cx + 0.01, cy + 0.01]] })][0]![0]!;
    const config = normaliseTile(undefined);
    const plan = planTiles([{ cell, scenes: { s2_l2a: [s2] } }], config);
    expect(plan.tiles.length).toBe(1);
    const summary = await tileAll(plan, { config, sign: assetPatcherFor(pcSources()) });
    const tokens = requests.filter((r) => r.path.startsWith('/api/sas/v1/token/'));
    expect(tokens.length).toBe(1);
    expect(tokens[0]!.headers['ocp-apim-subscription-key']).toBe(KEY);
    expect(summary.failed).toBe(1);
    const rows = JSON.stringify(summary.failures);
    expect(summary.failures[0]!.href).toMatch(/^https:\/\/sentinel2l2a01\.blob\.core\.windows\.net\/[^?]+$/);
    expect(rows).not.toContain(KEY);
    expect(rows).not.toContain('SECRET-');
  });
});
