// Land-cover pass on the REAL ESA WorldCover 2021 tile N00E006 (36000 x 36000 px COG, 6-9E 0-3N:
// Gulf of Guinea with Sao Tome and Principe). Never read whole: 80 m reads go through overviews,
// full-resolution reads are limited to single 2.5-10 km cells.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import proj4 from 'proj4';
import { afterAll, describe, expect, it } from 'vitest';
import { runLandcoverCommand } from '../../src/cli/commands/landcover.js';
import { runSampleCommand } from '../../src/cli/commands/sample.js';
import { normalise } from '../../src/config/sections/sampling.js';
import { gdalLandcoverReader } from '../../src/sample/landcover/gdal-reader.js';
import { planCellWindow, worldCoverTileName, worldCoverTilesFor, tileNameInHref, type LandcoverCell } from '../../src/sample/landcover/plan.js';
import { rasterFileSource, tileHrefSource } from '../../src/sample/landcover/sources.js';
import { readLandcoverTable } from '../../src/sample/landcover/table.js';
import type { BBox } from '../../src/model/types.js';
import { realFixture } from '../support/fixtures.js';
import { NBINS } from '../../src/landcover/worldcover.js';

const TILE = realFixture('raster/esa_worldcover_N00E006/ESA_WorldCover_10m_2021_v200_N00E006_Map.tif');
const UTM32N = '+proj=utm +zone=32 +datum=WGS84 +units=m +no_defs';

/** A square cell of `sizeM` metres in UTM 32N whose lower-left corner is at (lon, lat), snapped to 10 m. */
function cellAt(id: string, lon: number, lat: number, sizeM: number): LandcoverCell {
  const [x, y] = proj4('EPSG:4326', UTM32N, [lon, lat]);
  const x0 = Math.round(x / 10) * 10;
  const y0 = Math.round(y / 10) * 10;
  return { id, lon, lat, epsg: 32632, extent: [x0, y0, x0 + sizeM, y0 + sizeM] as BBox };
}

function shares(h: Float64Array): Float64Array {
  let valid = 0;
  for (let b = 1; b < NBINS; b++) valid += h[b];
  return h.map((v, b) => (b === 0 || valid === 0 ? 0 : v / valid));
}
const l1 = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0);

const reader80 = gdalLandcoverReader({ resampling: 'nearest' });
const readerFull = gdalLandcoverReader({ resampling: 'nearest', overview: 'NONE' });
afterAll(() => {
  reader80.close();
  readerFull.close();
});

describe('overview histogram vs full-resolution count (real WorldCover tile)', () => {
  // Tolerance: an 80 m nearest-neighbour read is a point sample of ~3900 (5 km) to ~15600 (10 km)
  // pixels. For i.i.d. points the expected L1 error of the shares is sum_c sqrt(2/pi) sqrt(p_c(1-p_c)/N)
  // ~ 0.02 for the 4-class 5 km city cell; spatial autocorrelation and the 74 m overview's own
  // decimation add to it. We measured 0.008-0.023 on these cells and bound it at 0.05 (2.5x the i.i.d.
  // expectation); mode resampling measured 0.016-0.020, biased toward the dominant class.
  const cases: [string, LandcoverCell, number][] = [
    ['Sao Tome city 5 km', cellAt('saotome-city-5km', 6.72, 0.3, 5000), 0.05],
    ['Sao Tome 10 km', cellAt('saotome-10km', 6.7, 0.2, 10000), 0.05],
    ['Principe 5 km', cellAt('principe-5km', 7.4, 1.6, 5000), 0.05],
  ];
  it.each(cases)('%s: L1 distance of 80 m class shares from full resolution < %s', async (_name, cell, bound) => {
    const paths = await rasterFileSource(TILE).pathsFor(cell);
    const w80 = planCellWindow(cell, 80);
    const w10 = planCellWindow(cell, 10);
    const h80 = await reader80.histogram(w80, paths);
    const h10 = await readerFull.histogram(w10, paths);
    expect(h80.reduce((a, b) => a + b, 0)).toBe(w80.width * w80.height);
    expect(h10.reduce((a, b) => a + b, 0)).toBe(w10.width * w10.height);
    const s10 = shares(h10);
    expect(s10[1]).toBeGreaterThan(0.2); // tree cover is there at full resolution
    const d = l1(shares(h80), s10);
    expect(d).toBeLessThan(bound);
  });
  it('counts the city cell as a mix of water, tree cover and built-up', async () => {
    const cell = cases[0][1];
    const h = shares(await reader80.histogram(planCellWindow(cell, 80), [TILE]));
    expect(h[8]).toBeGreaterThan(0.4); // permanent water
    expect(h[1]).toBeGreaterThan(0.15); // tree cover
    expect(h[5]).toBeGreaterThan(0.15); // built-up
  });
  it('counts cells outside every map as nodata, and names a missing file', async () => {
    const w = planCellWindow(cellAt('x', 6.72, 0.3, 800), 80);
    const h = await reader80.histogram(w, []);
    expect(Array.from(h)).toEqual([100, ...new Array(11).fill(0)]);
    await expect(gdalLandcoverReader({ attempts: 1 }).histogram(w, ['/nonexistent/wc.tif'])).rejects.toThrow(
      /\/nonexistent\/wc.tif: land-cover read for cell x failed after 1 attempts/,
    );
  });
});

describe('tile hrefs', () => {
  it('matches cells to WorldCover 3x3-degree tiles by name', async () => {
    expect(worldCoverTileName(6.5, 0.3)).toBe('N00E006');
    expect(worldCoverTileName(-0.5, -0.1)).toBe('S03W003');
    expect(worldCoverTilesFor([5.9, -0.1, 6.1, 0.1]).sort()).toEqual(['N00E003', 'N00E006', 'S03E003', 'S03E006']);
    expect(tileNameInHref('https://x/ESA_WorldCover_10m_2021_v200_N00E006_Map.tif')).toBe('N00E006');
    const src = tileHrefSource([TILE, 'https://example.org/ESA_WorldCover_10m_2021_v200_N03E006_Map.tif']);
    expect(await src.pathsFor(cellAt('c', 6.72, 0.3, 5000))).toEqual([TILE]);
    expect(await src.pathsFor(cellAt('d', 6.72, 2.99, 5000))).toEqual([TILE, '/vsicurl/https://example.org/ESA_WorldCover_10m_2021_v200_N03E006_Map.tif']);
    expect(() => tileHrefSource(['https://x/map.tif'])).toThrow(/cannot tell the WorldCover tile of https:\/\/x\/map.tif/);
  });
});

describe('landcover from a STAC search', () => {
  const TILE_2020 = TILE.replace('2021_v200', '2020_v100');
  const item = (id: string, datetime: string, href: string) => ({
    id, collection: 'esa-worldcover', sceneKey: id, datetime, bbox: [6, 0, 9, 3] as BBox, geometry: null, assets: { map: { href } },
  });
  const searches: unknown[] = [];
  const fakeStac = {
    provider: 'planetary-computer' as const,
    stats: { requests: 0, cacheHits: 0, retries: 0 },
    async *search(req: unknown) {
      searches.push(req);
      // newest year listed first on purpose: the 2021 map must still win
      yield item('ESA_WorldCover_10m_2021_v200_N00E006', '2021-01-01T00:00:00Z', TILE);
      yield item('ESA_WorldCover_10m_2020_v100_N00E006', '2020-01-01T00:00:00Z', TILE_2020);
    },
  };
  it('searches esa-worldcover once over the cells and reads the newest tile', async () => {
    const sink = { write: () => true } as unknown as NodeJS.WritableStream;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'terrafm-lc-stac-'));
    const cells = { bbox: [6.6, 0.2, 6.8, 0.4] as BBox, cellSizeKm: 10.68, tileSizePx: 1068, gridResolutionM: 10 };
    const lc = normalise(undefined).landcover;
    const viaStac = await runLandcoverCommand({ cells, out: path.join(dir, 'a'), landcover: lc, stac: fakeStac }, sink);
    const viaFile = await runLandcoverCommand({ cells, out: path.join(dir, 'b'), landcover: { ...lc, source: { kind: 'raster', path: TILE } } }, sink);
    expect(searches).toHaveLength(1);
    expect(searches[0]).toMatchObject({ collections: ['esa-worldcover'], limit: 100 });
    expect(viaStac.result.population.size).toBeGreaterThan(0);
    expect(Array.from(viaStac.result.population.hist)).toEqual(Array.from(viaFile.result.population.hist));
  });
});

describe('terrafm landcover + sample on the real tile, end to end', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'terrafm-lc-'));
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  it('writes the table and frequencies, and inverse-frequency / target lift the rare classes over uniform', async () => {
    const base = normalise(undefined);
    const lc = await runLandcoverCommand(
      {
        cells: { bbox: [6, 0, 9, 3], cellSizeKm: 10.68, tileSizePx: 1068, gridResolutionM: 10 },
        out: path.join(dir, 'lc'),
        landcover: { ...base.landcover, source: { kind: 'raster', path: TILE } },
      },
      sink,
    );
    const table = await readLandcoverTable(lc.table);
    expect(table.resolutionM).toBe(80);
    expect(table.population.size).toBe(lc.result.population.size);
    expect(table.population.size).toBeGreaterThan(700);
    expect(Array.from(table.population.hist)).toEqual(Array.from(lc.result.population.hist));
    const freq = JSON.parse(readFileSync(lc.freqFile, 'utf8'));
    const fsum = Object.values(freq.frequencies as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(fsum).toBeCloseTo(1, 9);
    expect(freq.frequencies['80']).toBeGreaterThan(0.8); // an ocean tile: water dominates valid pixels
    expect(freq.frequencies['70']).toBe(0); // no snow on the equator

    const out = path.join(dir, 'cmp');
    const { run } = await runSampleCommand(
      {
        landcover: lc.table,
        out,
        frequencies: lc.freqFile,
        compare: [{ name: 'uniform' }, { name: 'inverse-frequency', alpha: 1 }, { name: 'target' }],
        // Default filters: nodata <= 0.5 (the tile stores open ocean as nodata) and no all-water cells.
        sampling: { ...base, count: 6, seed: 3 },
        png: false,
      },
      sink,
    );
    const [uni, inv, tgt] = run.report.policies;
    // Rare here: everything but water and tree cover (each < 0.3 % of valid pixels on this tile).
    const rare = (s: Record<string, number>) => ['20', '30', '40', '50', '60', '90', '95'].reduce((a, c) => a + s[c], 0);
    const before = rare(run.report.filtered.classShare);
    expect(run.report.filtered.cells).toBe(26);
    expect(rare(inv.classShare)).toBeGreaterThan(1.5 * rare(uni.classShare));
    expect(rare(tgt.classShare)).toBeGreaterThan(1.5 * rare(uni.classShare));
    expect(rare(inv.classShare)).toBeGreaterThan(before);
    expect(rare(tgt.classShare)).toBeGreaterThan(before);
    expect(inv.klToUniformBits!).toBeLessThan(uni.klToUniformBits!);
    expect(existsSync(path.join(out, 'report.md'))).toBe(true);
    expect(existsSync(path.join(out, 'map-target.svg'))).toBe(true);
  });
});
