import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { Grid } from '../../src/grid/index.js';
import { readScenesTable } from '../../src/discover/scenes-table.js';
import { runDiscover, searchRequest, type DiscoverInput } from '../../src/discover/stage.js';
import { parseItem } from '../../src/discover/stac/index.js';
import type { SearchRequest, StacSource } from '../../src/discover/stac/types.js';
import type { BBox, SceneItem, SourceName } from '../../src/model/types.js';
import { sourceConfig } from '../support/source-config.js';
import { REAL_DATA_DIR } from '../support/fixtures.js';

const REAL = REAL_DATA_DIR;

/** In-memory STAC source: items filtered by collection, time and bbox overlap; counts searches. */
class FakeSource implements StacSource {
  readonly stats = { requests: 0, cacheHits: 0, retries: 0 };
  readonly provider = 'static' as const;
  readonly requests: SearchRequest[] = [];
  constructor(private readonly items: SceneItem[]) {}
  async *search(req: SearchRequest): AsyncIterable<SceneItem> {
    this.stats.requests++;
    this.requests.push(req);
    const [t0, t1] = req.datetime.split('/').map((t) => Date.parse(t));
    const boxes: BBox[] = req.bbox
      ? [req.bbox]
      : (req.intersects as { coordinates: number[][][][] }).coordinates.map((p) => {
          const xs = p[0].map((q) => q[0]);
          const ys = p[0].map((q) => q[1]);
          return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)] as BBox;
        });
    for (const it of this.items) {
      const t = Date.parse(it.datetime);
      if (!req.collections.includes(it.collection) || t < t0 || t > t1) continue;
      if (boxes.some((b) => it.bbox[0] <= b[2] && it.bbox[2] >= b[0] && it.bbox[1] <= b[3] && it.bbox[3] >= b[1])) yield it;
    }
  }
}

const src = sourceConfig;

function config(over: Partial<DiscoverInput> = {}): DiscoverInput {
  return {
    area: { kind: 'bbox', bboxes: [[27.3, -9.4, 27.6, -7.9]] },
    time: { start: '2020-06-01T00:00:00Z', end: '2020-06-30T23:59:59Z' },
    grid: { cellSizeKm: 10, tileSizePx: 1068, resolutionM: 10 },
    sources: { s2_l2a: src({ collection: 'sentinel-2-l2a', cloudMax: 50 }) },
    discover: { concurrency: 2, timeoutS: 30, maxAttempts: 3, cache: false, batchCells: 64 },
    pairing: { windowDays: 6, require: 'all-configured', keepIncomplete: false, minCoverage: 0.99 },
    ...over,
  };
}

function realS2(): SceneItem[] {
  const doc = JSON.parse(readFileSync(join(REAL, 'stac/items/pc_sentinel-2-l2a_itemcollection_site1_35MNM_9items.geojson'), 'utf8'));
  return doc.features.map((f: unknown) => parseItem(f));
}

/** A synthetic S1 scene with a box footprint. */
function s1(id: string, box: BBox, datetime: string, orbitState: 'ascending' | 'descending'): SceneItem {
  const [w, s, e, n] = box;
  return {
    id,
    collection: 'sentinel-1-grd',
    sceneKey: id,
    datatakeKey: id,
    datetime,
    bbox: box,
    geometry: { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] },
    orbitState,
    platform: 'sentinel-1a',
    assets: { VV: { href: `s3://s1/${id}/vv.tif` }, VH: { href: `s3://s1/${id}/vh.tif` } },
  };
}

describe('runDiscover on real Sentinel-2 L2A items (Planetary Computer, one datatake, tiles 35MNM..35LND)', () => {
  it('covers every cell from the one datatake, searches per group, and writes the table', async () => {
    const out = mkdtempSync(join(tmpdir(), 'discover-'));
    const fake = new FakeSource(realS2());
    const res = await runDiscover(config(), { outDir: out, collect: true, openSource: () => fake });
    const grid = new Grid({ cellSizeKm: 10, tileSizePx: 1068, resolutionM: 10 });
    const cells = res.cells!;
    expect(res.summary.cellsEnumerated).toBe(cells.length);
    expect(cells.length).toBeGreaterThan(40);
    expect(res.summary.cellsComplete).toBe(cells.length);
    // All chosen scenes come from the one datatake of 2020-06-06, least cloudy tile first.
    for (const c of cells) {
      expect(c.coverage.s2_l2a).toBeGreaterThanOrEqual(0.99);
      for (const s of c.scenes.s2_l2a!) expect(s.id).toMatch(/^S2B_MSIL2A_20200606T080609_R078_T35/);
    }
    // Tiles overlap by ~9.9 km in latitude, a little less than a 10.68 km target: a cell straddling a
    // seam would need two tiles, which must then be from the same datatake.
    const seams = cells.filter((c) => c.scenes.s2_l2a!.length > 1);
    for (const c of seams) {
      const ids = c.scenes.s2_l2a!.map((s) => s.id);
      expect(new Set(ids.map((id) => id.slice(0, 26))).size).toBe(1); // same platform + sensing time
    }
    // A cell in the middle of 35LNL (cloud 0.96) gets that one tile.
    const mid = cells.find((c) => c.cell.id === grid.cellAt(27.45, -8.6).id)!;
    expect(mid.scenes.s2_l2a!.map((s) => s.id)).toEqual(['S2B_MSIL2A_20200606T080609_R078_T35LNL_20201027T072719']);

    // One search per group, not per cell.
    expect(fake.stats.requests).toBe(res.summary.queryGroups);
    expect(res.summary.searches).toBe(res.summary.queryGroups);
    expect(res.summary.queryGroups).toBeLessThan(cells.length / 10);
    expect(fake.requests[0].filter).toEqual({ op: '<=', args: [{ property: 'eo:cloud_cover' }, 50] });

    const summary = JSON.parse(readFileSync(join(out, 'discover-summary.json'), 'utf8'));
    expect(summary).toMatchObject({ cellsEnumerated: cells.length, cellsKept: cells.length, cellsDropped: 0, requests: fake.stats.requests });

    // The table reads back with hyparquet: flat columns and the full items.
    const rows = (await parquetReadObjects({ file: await asyncBufferFromFile(res.scenesTable) })) as Record<string, unknown>[];
    expect(rows.map((r) => r.cell_id)).toEqual(cells.map((c) => c.cell.id));
    const r0 = rows.find((r) => r.cell_id === mid.cell.id)!;
    expect(r0.epsg).toBe(32735);
    expect([r0.extent_minx, r0.extent_miny, r0.extent_maxx, r0.extent_maxy]).toEqual(mid.cell.extent);
    expect(r0.s2_l2a_cloud_cover).toBeCloseTo(0.958716, 6);
    // a UTC timestamp (hyparquet gives a Date), list columns of ids, bands and hrefs side by side
    expect(r0.s2_l2a_datetime).toEqual(new Date(mid.scenes.s2_l2a![0].datetime));
    expect(r0.s2_l2a_processing_baseline).toBe(mid.scenes.s2_l2a![0].processingBaseline ?? null);
    expect(r0.s2_l2a_ids).toEqual(mid.scenes.s2_l2a!.map((i) => i.id));
    const bands = r0.s2_l2a_bands as string[];
    expect((r0.s2_l2a_hrefs as string[])[bands.indexOf('B04')]).toBe(mid.scenes.s2_l2a![0].assets.B04.href);
    expect(r0.s1_ids).toBeNull();
    expect(r0.missing).toEqual(mid.missing);
    // GeoParquet: the cell footprint and its bbox covering value
    const bb = r0.bbox as { xmin: number; ymin: number; xmax: number; ymax: number };
    expect(bb.xmin).toBeLessThan(bb.xmax);
    expect(bb.ymin).toBeLessThan(bb.ymax);
    expect(mid.cell.lon).toBeGreaterThan(bb.xmin - 0.2);
    expect(mid.cell.lon).toBeLessThan(bb.xmax);
    const back = await readScenesTable(res.scenesTable);
    expect(back).toEqual(cells);
    expect(existsSync(`${res.scenesTable}.partial`)).toBe(false);
  });
});

describe('runDiscover pairing S1 and dropping incomplete cells', () => {
  // Western half of the area has an S1 scene 2 days after the S2 datatake, the eastern half only one 12 days later.
  const west = s1('S1A_west', [27.0, -9.6, 27.45, -7.7], '2020-06-08T16:00:00Z', 'ascending');
  const eastLate = s1('S1A_east_late', [27.4, -9.6, 28.0, -7.7], '2020-06-18T16:00:00Z', 'ascending');
  const sources = { s2_l2a: src({ collection: 'sentinel-2-l2a' }), s1: src({ collection: 'sentinel-1-grd', orbit: 'ascending' }) };
  const opener = (fakes: Record<string, FakeSource>) => (k: SourceName) => fakes[k];

  it('counts and drops cells with no S1 in the window, and widens the S1 search by the window', async () => {
    const fakes = { s2_l2a: new FakeSource(realS2()), s1: new FakeSource([west, eastLate]) };
    const res = await runDiscover(config({ sources }), { outDir: mkdtempSync(join(tmpdir(), 'discover-')), collect: true, openSource: opener(fakes) });
    const s = res.summary;
    expect(s.cellsDropped).toBeGreaterThan(0);
    expect(s.cellsKept).toBeGreaterThan(0);
    expect(s.cellsKept + s.cellsDropped).toBe(s.cellsEnumerated);
    expect(s.droppedByReason.no_s1_in_window + s.droppedByReason.s1_partial).toBe(s.cellsDropped);
    for (const c of res.cells!) {
      expect(c.complete).toBe(true);
      expect(c.scenes.s1!.map((x) => x.id)).toContain('S1A_west');
      expect(c.s1GapDays).toBeCloseTo((Date.parse('2020-06-08T16:00:00Z') - Date.parse(c.scenes.s2_l2a![0].datetime)) / 86400000, 6);
    }
    const req = fakes.s1.requests[0];
    expect(req.datetime).toBe('2020-05-26T00:00:00.000Z/2020-07-06T23:59:59.000Z');
    expect(req.filter).toEqual({ op: '=', args: [{ property: 'sat:orbit_state' }, 'ascending'] });
  });

  it('keeps incomplete cells when asked, with the same counts', async () => {
    const fakes = { s2_l2a: new FakeSource(realS2()), s1: new FakeSource([west, eastLate]) };
    const keep = config({ sources, pairing: { windowDays: 6, require: ['s2_l2a', 's1'], keepIncomplete: true, minCoverage: 0.99 } });
    const res = await runDiscover(keep, { outDir: mkdtempSync(join(tmpdir(), 'discover-')), collect: true, openSource: opener(fakes) });
    expect(res.summary.cellsKept).toBe(res.summary.cellsEnumerated);
    expect(res.summary.cellsComplete).toBeLessThan(res.summary.cellsEnumerated);
    const incomplete = res.cells!.filter((c) => !c.complete);
    expect(incomplete.length).toBe(res.summary.reasons.no_s1_in_window + res.summary.reasons.s1_partial);
    expect(incomplete.every((c) => c.scenes.s2_l2a && c.missing.some((m) => m.startsWith('no_s1') || m === 's1_partial'))).toBe(true);
  });

  it('refuses a required modality that is not configured', async () => {
    const bad = config({ pairing: { windowDays: 6, require: ['s1'], keepIncomplete: false, minCoverage: 0.99 } });
    await expect(runDiscover(bad, { outDir: mkdtempSync(join(tmpdir(), 'discover-')), openSource: () => new FakeSource([]) })).rejects.toThrow(
      /pairing.require: "s1" is required but sources.s1 is not configured/,
    );
  });
});

describe('search requests', () => {
  it('sends every configured collection, the explicit page size, and no filter without cloud_max or orbit', () => {
    const cfg = config();
    const group = { index: 0, cells: [], bbox: [1, 2, 3, 4] as BBox, search: { bbox: [1, 2, 3, 4] as BBox } };
    const req = searchRequest('s2_l2a', src({ collection: 'sentinel-2-l2a', altCollections: ['sentinel-2-c1-l2a'], limit: 250 }), group, cfg);
    expect(req).toEqual({ collections: ['sentinel-2-l2a', 'sentinel-2-c1-l2a'], bbox: [1, 2, 3, 4], datetime: '2020-06-01T00:00:00Z/2020-06-30T23:59:59Z', limit: 250 });
  });

  it('searches land cover at any date (WorldCover is dated 2020/2021, not by the imagery)', () => {
    const group = { index: 0, cells: [], bbox: [1, 2, 3, 4] as BBox, search: { bbox: [1, 2, 3, 4] as BBox } };
    const req = searchRequest('landcover', src({ provider: 'planetary-computer', collection: 'esa-worldcover' }), group, config());
    expect(req.datetime).toBe('1970-01-01T00:00:00Z/2100-12-31T23:59:59Z');
    expect(req.filter).toBeUndefined();
  });
});

describe('items are checked against their source collection', () => {
  /** A server that ignores `collections` and answers with every item it has. */
  class MixedSource extends FakeSource {
    readonly returned: Record<string, number> = {};
    override async *search(req: SearchRequest): AsyncIterable<SceneItem> {
      for await (const it of super.search({ ...req, collections: ['sentinel-2-l2a', 'sentinel-2-l1c', 'sentinel-2-c1-l2a'] })) {
        this.returned[it.collection] = (this.returned[it.collection] ?? 0) + 1;
        yield it;
      }
    }
  }
  const l2a = realS2();
  // the same scenes as L1C (clear: cloud 0) and as the alternative collection name, with other ids
  const l1c = l2a.map((it) => ({ ...it, id: `L1C_${it.id}`, sceneKey: `L1C_${it.sceneKey}`, collection: 'sentinel-2-l1c', cloudCover: 0 }));
  const c1 = l2a.slice(0, 2).map((it) => ({ ...it, id: `C1_${it.id}`, collection: 'sentinel-2-c1-l2a' }));

  it('items of other collections are dropped and counted in discover-summary.json; alt_collections are accepted', async () => {
    const out = mkdtempSync(join(tmpdir(), 'discover-mixed-'));
    const sources = { s2_l2a: src({ collection: 'sentinel-2-l2a', altCollections: ['sentinel-2-c1-l2a'], cloudMax: 50 }) };
    const server = new MixedSource([...l2a, ...l1c, ...c1]);
    const res = await runDiscover(config({ sources }), { outDir: out, collect: true, openSource: () => server });
    const chosen = res.cells!.flatMap((c) => c.scenes.s2_l2a!.map((s) => s.collection));
    expect(chosen.length).toBeGreaterThan(0);
    expect(chosen.every((c) => c === 'sentinel-2-l2a' || c === 'sentinel-2-c1-l2a')).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, 'discover-summary.json'), 'utf8'));
    expect(server.returned['sentinel-2-l1c']).toBeGreaterThan(0);
    expect(server.returned['sentinel-2-c1-l2a']).toBeGreaterThan(0);
    expect(summary.itemsWrongCollection).toEqual({ s2_l2a: server.returned['sentinel-2-l1c'] });
    expect(summary.itemsSeen).toBe(server.returned['sentinel-2-l2a'] + server.returned['sentinel-2-c1-l2a']);
  });
});
