// Discovery over REAL Earth Search v1 items: one recorded search (pystac-client cassette, see
// data/fixtures/MANIFEST.md) returned the same Sentinel-2 tiles of the 2025-07-31 S2B datatake
// over NE Brazil (24MUV, 24MVV, 24MWV, 24MXV, 24MUA) from sentinel-2-l2a, sentinel-2-c1-l2a and
// sentinel-2-l1c. The tiles sit at the swath edge, so their footprints are partial and uneven.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../src/config/sections/sources.js';
import { runDiscover, type DiscoverInput } from '../../src/discover/stage.js';
import { parseItem } from '../../src/discover/stac/index.js';
import type { SearchRequest, StacSource } from '../../src/discover/stac/types.js';
import type { SceneItem } from '../../src/model/types.js';
import { sourceConfig } from '../support/source-config.js';
import { realFixture } from '../support/fixtures.js';

const CASSETTE = realFixture('stac/cassettes/earth-search-v1_search_cql2-filter_s1grd-s2l2a-s2c1l2a-s2l1c_2pages.yaml');

function recordedItems(): SceneItem[] {
  const doc = parse(readFileSync(CASSETTE, 'utf8')) as { interactions: { response: { body: { string: string } } }[] };
  const out: SceneItem[] = [];
  for (const i of doc.interactions) {
    const body = JSON.parse(i.response.body.string) as { type?: string; features?: unknown[] };
    if (body.type === 'FeatureCollection') out.push(...body.features!.map((f) => parseItem(f)));
  }
  return out;
}

/** Serves the recorded items by collection and bbox overlap, as a STAC API would. */
class RecordedSource implements StacSource {
  readonly stats = { requests: 0, cacheHits: 0, retries: 0 };
  readonly provider = 'earth-search' as const;
  constructor(private readonly items: SceneItem[]) {}
  async *search(req: SearchRequest): AsyncIterable<SceneItem> {
    this.stats.requests++;
    const b = req.bbox!;
    for (const it of this.items) {
      if (req.collections.includes(it.collection) && it.bbox[0] <= b[2] && it.bbox[2] >= b[0] && it.bbox[1] <= b[3] && it.bbox[3] >= b[1]) yield it;
    }
  }
}

const src = (collection: string, altCollections: string[] = []): SourceConfig => sourceConfig({ provider: 'earth-search', collection, altCollections });

function config(l2a: SourceConfig): DiscoverInput {
  return {
    area: { kind: 'bbox', bboxes: [[-40.3, -4.9, -38.2, -4.4]] },
    time: { start: '2025-07-01T00:00:00Z', end: '2025-07-31T23:59:59Z' },
    grid: { cellSizeKm: 10, tileSizePx: 1068, resolutionM: 10 },
    sources: { s2_l2a: l2a, s2_l1c: src('sentinel-2-l1c') },
    discover: { concurrency: 2, timeoutS: 30, maxAttempts: 3, cache: false, batchCells: 64 },
    pairing: { windowDays: 10, require: 'all-configured', keepIncomplete: true, minCoverage: 0.99 },
  };
}

describe('discover on recorded Earth Search items (L2A, C1-L2A and L1C of one datatake)', () => {
  const items = recordedItems();

  it('merges the L2A / C1-L2A duplicates and pairs each L2A with the L1C of the same acquisition', async () => {
    const res = await runDiscover(config(src('sentinel-2-l2a', ['sentinel-2-c1-l2a'])), {
      outDir: mkdtempSync(join(tmpdir(), 'discover-es-')),
      collect: true,
      openSource: () => new RecordedSource(items),
    });
    const l1cKeys = new Set(items.filter((i) => i.collection === 'sentinel-2-l1c').map((i) => i.datatakeKey));
    let noL1c = 0;
    const withL2a = res.cells!.filter((c) => c.scenes.s2_l2a);
    expect(withL2a.length).toBeGreaterThan(20);
    for (const c of withL2a) {
      const l2a = c.scenes.s2_l2a!;
      expect(l2a.every((s) => s.collection === 'sentinel-2-l2a')).toBe(true);
      expect(new Set(l2a.map((s) => s.sceneKey)).size).toBe(l2a.length);
      // All from the one S2B pass.
      expect(l2a.every((s) => s.datatakeKey!.startsWith('S2B_20250731T130249_'))).toBe(true);
      if (c.coverage.s2_l2a! < 0.99) continue;
      if (l2a.every((s) => l1cKeys.has(s.datatakeKey!))) {
        expect(c.scenes.s2_l1c!.map((s) => s.datatakeKey)).toEqual(l2a.map((s) => s.datatakeKey));
        expect(c.scenes.s2_l1c!.every((s) => s.collection === 'sentinel-2-l1c')).toBe(true);
      } else {
        // The recording ends before 24MUA's L1C item: no other acquisition may stand in for it.
        expect(c.missing).toContain(c.scenes.s2_l1c ? 's2_l1c_partial' : 'no_s2_l1c');
        noL1c++;
      }
    }
    expect(noL1c).toBeGreaterThan(0);
    expect(noL1c).toBeLessThan(withL2a.length);
    // The swath edge leaves cells only partly covered: counted, kept (keep_incomplete), not hidden.
    const partial = res.cells!.filter((c) => c.missing.includes('s2_l2a_partial'));
    expect(partial.length).toBe(res.summary.reasons.s2_l2a_partial);
    expect(res.summary.cellsKept).toBe(res.summary.cellsEnumerated);
    // Cells north of the 24MU*/24MV* strip need tiles 24MUA and 24MUV together (one pass).
    const mosaics = res.cells!.filter((c) => (c.scenes.s2_l2a?.length ?? 0) > 1);
    expect(mosaics.length).toBeGreaterThan(0);
  });

  it('takes the C1 collection when it is listed first', async () => {
    const res = await runDiscover(config(src('sentinel-2-c1-l2a', ['sentinel-2-l2a'])), {
      outDir: mkdtempSync(join(tmpdir(), 'discover-es-')),
      collect: true,
      openSource: () => new RecordedSource(items),
    });
    const l2a = res.cells!.flatMap((c) => c.scenes.s2_l2a ?? []);
    expect(l2a.length).toBeGreaterThan(0);
    expect(l2a.every((s) => s.collection === 'sentinel-2-c1-l2a')).toBe(true);
  });
});
