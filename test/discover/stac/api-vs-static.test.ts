// The same searches through the static catalog source and through a loopback STAC API serving
// that catalog must give identical items (ids, order, keys, assets); paging style and HTTP
// method must not change the result.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStacSource, StacApiSource } from '../../../src/discover/stac/index.js';
import type { SearchRequest, StacSource } from '../../../src/discover/stac/types.js';
import type { SceneItem } from '../../../src/model/types.js';
import { realItems, writeStaticCatalog } from '../../support/stac-fixtures.js';
import { startStacServer, type StacTestServer } from '../../support/stac-server.js';
import { startLoopback } from '../../support/loopback.js';

async function collect(src: StacSource, req: SearchRequest): Promise<SceneItem[]> {
  const out: SceneItem[] = [];
  for await (const it of src.search(req)) out.push(it);
  return out;
}
/** selfHref differs by nature (file path vs API URL); everything else must be equal. */
const comparable = (items: SceneItem[]) => items.map(({ selfHref: _s, ...rest }) => rest);

let catalog: string;
let server: StacTestServer;
beforeAll(async () => {
  catalog = writeStaticCatalog(realItems(), { relativeAsset: 'thumbnail' });
  server = await startStacServer({ catalog });
});
afterAll(() => server.close());

const SEARCHES: Record<string, SearchRequest> = {
  'all S2 collections, July 2025, small pages': {
    collections: ['sentinel-2-l2a', 'sentinel-2-c1-l2a', 'sentinel-2-l1c'],
    datetime: '2025-07-01T00:00:00Z/2025-07-31T23:59:59Z',
    limit: 3,
  },
  'bbox over NE Brazil tiles with eo:cloud_cover <= 30': {
    collections: ['sentinel-2-l2a', 'sentinel-2-c1-l2a', 'sentinel-2-l1c'],
    bbox: [-40, -5, -38.5, -4.5],
    datetime: '2025-07-31T00:00:00Z/2025-08-01T00:00:00Z',
    filter: { op: 'and', args: [{ op: '<=', args: [{ property: 'eo:cloud_cover' }, 30] }, { op: '>=', args: [{ property: 'eo:cloud_cover' }, 0] }] },
    limit: 2,
  },
  'intersects a polygon over Kamchatka-side PC tiles, 2019-01-01': {
    collections: ['sentinel-2-l2a'],
    intersects: { type: 'Polygon', coordinates: [[[170, 56], [172, 56], [172, 58], [170, 58], [170, 56]]] },
    datetime: '2019-01-01T00:00:00Z/2019-01-01T23:59:59Z',
    limit: 5,
  },
  'S1 GRD only, open-ended interval': { collections: ['sentinel-1-grd'], datetime: '2025-07-31T13:56:30Z/..', limit: 1 },
};

describe('static catalog source vs loopback STAC API over the same catalog', () => {
  for (const [name, req] of Object.entries(SEARCHES)) {
    it(`${name}: identical items`, async () => {
      const viaStatic = await collect(openStacSource({ provider: 'static', catalog }), req);
      const viaApi = await collect(openStacSource({ provider: 'stac-api', url: server.url }), req);
      expect(viaStatic.length).toBeGreaterThan(0);
      expect(comparable(viaApi)).toEqual(comparable(viaStatic));
    });
  }

  it('selects what the search says (count and collection checks on real items)', async () => {
    const all = await collect(openStacSource({ provider: 'static', catalog }), SEARCHES['all S2 collections, July 2025, small pages']!);
    expect(all).toHaveLength(17); // 20 Earth Search items minus 3 S1
    const cloudy = await collect(openStacSource({ provider: 'static', catalog }), SEARCHES['bbox over NE Brazil tiles with eo:cloud_cover <= 30']!);
    expect(cloudy.map((i) => i.id).sort()).toEqual(
      // 24MUV/24MUA are too cloudy or out of the box, 24MVV L2A is 34.8 % cloudy, 24MXV starts east of -38.5.
      ['S2B_24MVV_20250731_0_L1C', 'S2B_24MWV_20250731_0_L1C', 'S2B_24MWV_20250731_0_L2A', 'S2B_T24MWV_20250731T130245_L2A'].sort(),
    );
    const s1 = await collect(openStacSource({ provider: 'static', catalog }), SEARCHES['S1 GRD only, open-ended interval']!);
    expect(s1.map((i) => i.id)).toEqual(['S1A_IW_GRDH_1SSH_20250731T135702_20250731T135722_060328_077F7E', 'S1A_IW_GRDH_1SSH_20250731T135637_20250731T135702_060328_077F7E']);
  });

  it('pages are requested with the explicit limit and every next link is followed', async () => {
    const before = server.searchRequests().length;
    const req = SEARCHES['all S2 collections, July 2025, small pages']!;
    const items = await collect(openStacSource({ provider: 'stac-api', url: server.url }), req);
    const reqs = server.searchRequests().slice(before);
    expect(items).toHaveLength(17);
    expect(reqs).toHaveLength(6); // ceil(17 / 3)
    expect(reqs.map((r) => JSON.parse(r.body).limit)).toEqual([3, 3, 3, 3, 3, 3]);
  });

  for (const paging of ['post-merge', 'get'] as const) {
    it(`next links as ${paging} give the same items`, async () => {
      const s = await startStacServer({ catalog, paging });
      try {
        const req = SEARCHES['all S2 collections, July 2025, small pages']!;
        const a = await collect(openStacSource({ provider: 'stac-api', url: s.url }), req);
        const b = await collect(openStacSource({ provider: 'static', catalog }), req);
        expect(comparable(a)).toEqual(comparable(b));
        const methods = s.searchRequests().map((r) => r.method);
        expect(methods).toEqual(paging === 'get' ? ['POST', 'GET', 'GET', 'GET', 'GET', 'GET'] : ['POST', 'POST', 'POST', 'POST', 'POST', 'POST']);
      } finally {
        await s.close();
      }
    });
  }

  it('stac-api defaults to reading the landing page: a server without POST search is searched with GET, same items', async () => {
    const s = await startStacServer({ catalog, postSearch: false });
    try {
      const req = SEARCHES['bbox over NE Brazil tiles with eo:cloud_cover <= 30']!;
      const a = await collect(openStacSource({ provider: 'stac-api', url: s.url }), req);
      const b = await collect(openStacSource({ provider: 'static', catalog }), req);
      expect(comparable(a)).toEqual(comparable(b));
      expect(s.log[0]!.path).toBe('/v1'); // landing page read once
      expect(s.searchRequests().every((r) => r.method === 'GET')).toBe(true);
      const first = new URL(s.searchRequests()[0]!.path, 'http://x');
      expect(first.searchParams.get('limit')).toBe('2');
      expect(JSON.parse(first.searchParams.get('filter')!).op).toBe('and');
      expect(first.searchParams.get('filter-lang')).toBe('cql2-json');
    } finally {
      await s.close();
    }
  });

  it('relative asset hrefs resolve against the item file (static) and match the API', async () => {
    const items = await collect(openStacSource({ provider: 'static', catalog, bandAssets: { thumb: 'thumbnail' } }), {
      collections: ['sentinel-2-c1-l2a'],
      datetime: '2025-07-31T00:00:00Z/2025-08-01T00:00:00Z',
      limit: 10,
    });
    const it0 = items[0]!;
    expect(it0.assets.thumb!.href).toBe(catalog.replace(/catalog\.json$/, `sentinel-2-c1-l2a/items/thumbnail.tif`));
    expect(it0.selfHref).toBe(catalog.replace(/catalog\.json$/, `sentinel-2-c1-l2a/items/${it0.id}.json`));
  });

  it('re-checks the CQL2 filter on the client when a server ignores it', async () => {
    // A server that answers every search with all 20 Earth Search items, unfiltered.
    const es = realItems().filter((i) => !String(i.id).startsWith('S2A_MSIL2A'));
    const lb = await startLoopback((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/geo+json' });
      res.end(JSON.stringify({ type: 'FeatureCollection', features: es, links: [] }));
    });
    try {
      const src = openStacSource({ provider: 'stac-api', url: lb.url, searchMethod: 'POST' });
      const got = await collect(src, { collections: [], datetime: '2025-01-01T00:00:00Z/..', filter: { op: 'lte', args: [{ property: 'eo:cloud_cover' }, 40] }, limit: 100 });
      expect(got.every((i) => i.cloudCover !== undefined && i.cloudCover <= 40)).toBe(true);
      expect(got).toHaveLength(12); // 3 tiles x 3 collections + 20EPT x 3, minus S1 (no cloud) and > 40 %
      expect((src as StacApiSource).rejected).toBe(8);
    } finally {
      await lb.close();
    }
  });

  it('a static catalog read over HTTP gives the same items, hrefs resolved against URLs', async () => {
    const dir = path.dirname(catalog);
    const lb = await startLoopback(async (req, res) => {
      try {
        const body = await readFile(path.join(dir, decodeURIComponent(req.path)), 'utf8');
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(body);
      } catch {
        res.writeHead(404);
        res.end('{}');
      }
    });
    try {
      const req = SEARCHES['all S2 collections, July 2025, small pages']!;
      const remote = await collect(openStacSource({ provider: 'static', catalog: `${lb.url}/catalog.json`, bandAssets: { thumb: 'thumbnail' } }), req);
      const local = await collect(openStacSource({ provider: 'static', catalog, bandAssets: { thumb: 'thumbnail' } }), req);
      expect(remote.map((i) => i.id)).toEqual(local.map((i) => i.id));
      const c1 = remote.find((i) => i.collection === 'sentinel-2-c1-l2a')!;
      expect(c1.assets.thumb!.href).toBe(`${lb.url}/sentinel-2-c1-l2a/items/thumbnail.tif`);
      expect(c1.selfHref).toBe(`${lb.url}/sentinel-2-c1-l2a/items/${c1.id}.json`);
      expect(c1.assets.B04).toEqual(local.find((i) => i.id === c1.id)!.assets.B04);
    } finally {
      await lb.close();
    }
  });

  it('an item repeated on the next page (server-side shifting) is yielded once', async () => {
    const es = realItems().slice(3, 8); // five S2 items
    const lb = await startLoopback((req, res) => {
      const body = JSON.parse(req.body || '{}') as { token?: string };
      const page = body.token === 'p2' ? es.slice(2, 5) : es.slice(0, 3); // item 2 on both pages
      const links = body.token === 'p2' ? [] : [{ rel: 'next', method: 'POST', href: '/search', merge: true, body: { token: 'p2' } }];
      res.writeHead(200, { 'content-type': 'application/geo+json' });
      res.end(JSON.stringify({ type: 'FeatureCollection', features: page, links }));
    });
    try {
      const got = await collect(openStacSource({ provider: 'earth-search', url: lb.url }), { collections: [], datetime: '2025-01-01T00:00:00Z/..', limit: 3 });
      expect(got.map((i) => i.id)).toEqual(es.map((i) => i.id));
    } finally {
      await lb.close();
    }
  });

  it('bad searches fail before any request, naming the bad value', async () => {
    const src = openStacSource({ provider: 'stac-api', url: server.url });
    const before = server.log.length;
    await expect(collect(src, { collections: ['x'], datetime: '2025-13-45/..', limit: 10 })).rejects.toThrow('datetime "2025-13-45/..": "2025-13-45" is not a valid date');
    await expect(collect(src, { collections: ['x'], datetime: '2025-01-01T00:00:00Z/..', bbox: [10, 10, 5, 20], limit: 10 })).rejects.toThrow('bbox [10,10,5,20]: min is greater than max');
    await expect(collect(src, { collections: ['x'], datetime: '2025-01-01T00:00:00Z/..', filter: { op: 's_intersects', args: [] }, limit: 10 })).rejects.toThrow('filter: unsupported CQL2 operator "s_intersects"');
    await expect(collect(src, { collections: ['x'], datetime: '2025-01-01T00:00:00Z/..', limit: 0 })).rejects.toThrow('search: limit 0: expected a positive integer page size');
    expect(server.log.length).toBe(before);
  });
});
