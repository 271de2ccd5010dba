// The demo world's static catalog (src/demo/ensure.ts) through the static source and through the
// loopback STAC API: identical items, every logical band mapped, keys consistent.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoWorld } from '../../../src/demo/ensure.js';
import { openStacSource } from '../../../src/discover/stac/index.js';
import type { SearchRequest, StacSource } from '../../../src/discover/stac/types.js';
import type { SceneItem } from '../../../src/model/types.js';
import { startStacServer, type StacTestServer } from '../../support/stac-server.js';

let catalog: string;
let server: StacTestServer;
let counts: Record<string, number>;
beforeAll(async () => {
  const world = await ensureDemoWorld();
  catalog = world.catalog;
  counts = world.itemCounts;
  server = await startStacServer({ catalog });
});
afterAll(() => server?.close());

async function collect(src: StacSource, req: SearchRequest): Promise<SceneItem[]> {
  const out: SceneItem[] = [];
  for await (const it of src.search(req)) out.push(it);
  return out;
}
const ALL = (collections: string[]): SearchRequest => ({ collections, datetime: '2000-01-01T00:00:00Z/2030-01-01T00:00:00Z', limit: 7 });

describe('demo world catalog', () => {
  it('static source and loopback API give identical items for every collection', async () => {
    for (const c of Object.keys(counts)) {
      const a = await collect(openStacSource({ provider: 'static', catalog }), ALL([c]));
      const b = await collect(openStacSource({ provider: 'stac-api', url: server.url }), ALL([c]));
      expect(a).toHaveLength(counts[c]!);
      expect(b.map(({ selfHref: _s, ...r }) => r)).toEqual(a.map(({ selfHref: _s, ...r }) => r));
    }
  });

  it('bands are mapped per modality and L1C/L2A pairs share datatakeKey', async () => {
    const src = openStacSource({ provider: 'static', catalog });
    const l2a = await collect(src, ALL(['sentinel-2-l2a']));
    const l1c = await collect(src, ALL(['sentinel-2-l1c']));
    const s1 = await collect(src, ALL(['sentinel-1-rtc']));
    for (const it of l2a) {
      expect(Object.keys(it.assets).sort()).toEqual(['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B09', 'B11', 'B12', 'B8A', 'SCL'].sort());
      expect(it.assets.B04!.href.startsWith('/')).toBe(true); // resolved to an absolute file path
      expect(it.sceneKey).toMatch(/^S2[AB]_MSIL2A_\d{8}T\d{6}_T\d{2}[A-Z]{3}$/);
    }
    for (const it of s1) expect(Object.keys(it.assets).sort()).toEqual(['VH', 'VV']);
    const l1cKeys = new Set(l1c.map((i) => i.datatakeKey));
    expect(l2a.filter((i) => l1cKeys.has(i.datatakeKey)).length).toBeGreaterThan(0);
  });
});
