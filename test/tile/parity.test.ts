// Our warp (plan -> gdal.warpAsync into memory) against the gdalwarp command line onto the same grid,
// on real rasters: S2 29RKH bands, the GCP-only S1 GRD, and WorldCover (read through an overview).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import proj4 from 'proj4';
import { normalise } from '../../src/config/sections/tile.js';
import { planTiles } from '../../src/tile/plan.js';
import { runTiles } from '../../src/tile/run-tiles.js';
import { gdalBandReader, nodataFreeWindow, withoutMasks } from '../../src/tile/warp.js';
import gdal from 'gdal-async';
import { configureGdal } from '../../src/tile/gdal-env.js';
import type { TileRecord } from '../../src/model/types.js';
import { S1_GRD, S2_DIR, WORLDCOVER, bandOf, cell, compare, gdalwarpCli, scene, tempDir } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Snapped [minx, maxy] in a UTM zone around a lon/lat. */
function snappedOrigin(epsg: number, lon: number, lat: number, res: number): [number, number] {
  const zone = epsg % 100;
  const [x, y] = proj4('EPSG:4326', `+proj=utm +zone=${zone} +datum=WGS84 +units=m +no_defs`, [lon, lat]);
  return [Math.round(x / res) * res, Math.round(y / res) * res];
}

async function onlyRecord(plan: ReturnType<typeof planTiles>, cfg: ReturnType<typeof normalise>): Promise<TileRecord> {
  const out = [];
  for await (const r of runTiles(plan, { config: cfg })) out.push(r);
  expect(out).toHaveLength(1);
  expect('stage' in out[0], JSON.stringify('stage' in out[0] ? out[0] : '')).toBe(false);
  return out[0] as TileRecord;
}

function cliArgs(epsg: number, extent: number[], res: number, r: string, extra: string[] = []): string[] {
  return ['-t_srs', `EPSG:${epsg}`, '-te', ...extent.map(String), '-tr', String(res), String(res), '-r', r, ...extra];
}

describe('parity with the gdalwarp command line (Sentinel-2 29RKH)', () => {
  const s2 = scene('S2A_29RKH_20200219_0_L2A', {
    B01: path.join(S2_DIR, 'B01.tif'),
    B04: path.join(S2_DIR, 'B04.tif'),
    B11: path.join(S2_DIR, 'B11.tif'),
  }, { epsg: 32629, processingBaseline: '02.14' });

  for (const [label, epsg, lonlat] of [
    ['same UTM zone (29N)', 32629, [-11.3, 24.9]],
    ['neighbouring UTM zone (28N)', 32628, [-11.6, 24.6]],
  ] as const) {
    for (const method of ['bilinear', 'cubic', 'nearest'] as const) {
      it(`${label}, ${method}: equal to gdalwarp -t_srs -te -tr -r (60, 20 and 10 m bands)`, async () => {
        const res = 100;
        const size = 96;
        const [minx, maxy] = snappedOrigin(epsg, lonlat[0], lonlat[1], res);
        const c = cell('T1', epsg, minx, maxy, res, size);
        const cfg = normalise({ bands: { s2_l2a: ['B01', 'B04', 'B11'] }, resampling: { s2: method }, harmonize_offset: false, concurrency: 1 });
        const rec = await onlyRecord(planTiles([{ cell: c, scenes: { s2_l2a: [s2] } }], cfg), cfg);
        const t = rec.modalities.s2_l2a!;
        expect(t.shape).toEqual([3, size, size]);
        for (const [b, band] of ['B01', 'B04', 'B11'].entries()) {
          const ref = await gdalwarpCli(path.join(S2_DIR, `${band}.tif`), cliArgs(epsg, c.extent, res, method), dir, `s2_${epsg}_${method}_${band}`);
          expect(ref.gt).toEqual(rec.geotransform);
          expect([ref.w, ref.h]).toEqual([size, size]);
          const cmp = compare(bandOf(t.data, b, size * size), ref.data, 0);
          expect(cmp.valid).toBeGreaterThan(size * size * 0.9);
          expect(cmp.maskMismatch).toBe(0);
          expect(cmp.maxDiff).toBeLessThanOrEqual(method === 'nearest' ? 0 : 1);
        }
      });
    }
  }
});

describe('nodata-free fast path (warp without masks when no nodata is under the target)', () => {
  for (const method of ['bilinear', 'cubic', 'nearest'] as const) {
    it(`${method}: same pixels as the masked warp (bilinear within 1 DN); not taken next to nodata or across CRSs`, async () => {
      const cfg = normalise({ bands: { s2_l2a: ['B01', 'B11'] }, resampling: { s2: method } });
      const inside = planTiles([{ cell: cell('IN', 32629, 250000, 2760000, 10, 128), scenes: { s2_l2a: [scene('s', { B01: path.join(S2_DIR, 'B01.tif'), B11: path.join(S2_DIR, 'B11.tif') })] } }], cfg).tiles[0];
      for (const src of inside.modalities.s2_l2a!.scenes[0].bands) {
        const ds = await gdal.openAsync(src.gdalPath);
        expect(await nodataFreeWindow(ds, src, inside.grid)).toBe(true);
        const masked = await gdal.warpAsync('m', null, [ds], src.warpArgs);
        const unmasked = await gdal.warpAsync('m', null, [ds], withoutMasks(src.warpArgs));
        const a = (await masked.bands.get(1).pixels.readAsync(0, 0, 128, 128)) as Uint16Array;
        const b = (await unmasked.bands.get(1).pixels.readAsync(0, 0, 128, 128)) as Uint16Array;
        const cmp = compare(a, b, 0);
        expect(cmp.maskMismatch).toBe(0);
        expect(cmp.valid).toBe(128 * 128);
        expect(cmp.maxDiff).toBeLessThanOrEqual(method === 'bilinear' ? 1 : 0);
        masked.close();
        unmasked.close();
        ds.close();
      }
      // At the east edge of the scene the window leaves the raster: masked path.
      const edge = planTiles([{ cell: cell('EDGE', 32629, 309000, 2760000, 10, 128), scenes: { s2_l2a: [scene('s', { B01: path.join(S2_DIR, 'B01.tif'), B11: path.join(S2_DIR, 'B11.tif') })] } }], cfg).tiles[0];
      const src = edge.modalities.s2_l2a!.scenes[0].bands[0];
      const ds = await gdal.openAsync(src.gdalPath);
      expect(await nodataFreeWindow(ds, src, edge.grid)).toBe(false);
      // Another UTM zone: masked path.
      expect(await nodataFreeWindow(ds, src, { ...inside.grid, epsg: 32628, srs: 'EPSG:32628' })).toBe(false);
      ds.close();
      expect(withoutMasks(['-r', 'cubic', '-srcnodata', '0', '-dstnodata', 'nan'])).toEqual(['-r', 'cubic', '-srcnodata', 'None', '-dstnodata', 'None']);
    });
  }
});

describe('parity for Sentinel-1 GRD georeferenced only by GCPs', () => {
  const s1 = scene('S1A_IW_GRDH_1SDV_20180716T004042', {
    VV: path.join(S1_GRD, 'iw-vv.tiff'),
    VH: path.join(S1_GRD, 'iw-vh.tiff'),
  });
  for (const method of ['bilinear', 'nearest'] as const) {
    it(`${method}: GCP polynomial warp onto UTM 43N equals gdalwarp, nodata stays NaN`, async () => {
      const res = 200;
      const size = 128;
      const [minx, maxy] = snappedOrigin(32643, 76.9, 10.4, res);
      const c = cell('S1T', 32643, minx, maxy, res, size);
      const cfg = normalise({ resampling: { s1: method }, concurrency: 2 });
      const rec = await onlyRecord(planTiles([{ cell: c, scenes: { s1: [s1] } }], cfg), cfg);
      const t = rec.modalities.s1!;
      expect(t.dtype).toBe('float32');
      expect(t.bands).toEqual(['VV', 'VH']);
      for (const [b, band] of ['vv', 'vh'].entries()) {
        const ref = await gdalwarpCli(
          path.join(S1_GRD, `iw-${band}.tiff`),
          cliArgs(32643, c.extent, res, method, ['-ot', 'Float32', '-srcnodata', '0', '-dstnodata', 'nan']),
          dir,
          `s1_${method}_${band}`,
        );
        const cmp = compare(bandOf(t.data, b, size * size), ref.data, Number.NaN);
        expect(cmp.valid).toBeGreaterThan(size * size * 0.5);
        expect(cmp.maskMismatch).toBe(0);
        expect(cmp.maxDiff).toBeLessThanOrEqual(method === 'nearest' ? 0 : 1);
      }
      // Nodata is NaN, never zero.
      expect(Array.from(t.data).some((v) => v === 0)).toBe(false);
    });
  }

  it('crossing the swath edge: pixels outside the GCP footprint are NaN and counted as nodata', async () => {
    const res = 400;
    const size = 64;
    // West of the swath (over the Arabian Sea side) so part of the target is outside the image.
    const [minx, maxy] = snappedOrigin(32643, 75.65, 10.5, res);
    const c = cell('S1E', 32643, minx, maxy, res, size);
    const cfg = normalise({ concurrency: 1, s1_db: true });
    const rec = await onlyRecord(planTiles([{ cell: c, scenes: { s1: [s1] } }], cfg), cfg);
    const t = rec.modalities.s1!;
    const ref = await gdalwarpCli(path.join(S1_GRD, 'iw-vv.tiff'), cliArgs(32643, c.extent, res, 'bilinear', ['-ot', 'Float32', '-srcnodata', '0', '-dstnodata', 'nan']), dir, 's1_edge');
    const vv = bandOf(t.data, 0, size * size);
    let nan = 0;
    for (let i = 0; i < vv.length; i++) {
      const r = ref.data[i];
      if (Number.isNaN(r)) {
        expect(Number.isNaN(vv[i])).toBe(true);
        nan++;
      } else {
        // s1_db: 10*log10 of the warped value.
        expect(vv[i]).toBeCloseTo(10 * Math.log10(r), 3);
      }
    }
    expect(nan).toBeGreaterThan(0);
    expect(nan).toBeLessThan(size * size);
    expect(t.nodataFraction).toBeGreaterThan(0);
  });
});

describe('parity for WorldCover (EPSG:4326, 36000 px, read through an overview)', () => {
  for (const method of ['nearest', 'mode'] as const) {
    it(`${method}: onto UTM 32N at 80 m equals gdalwarp exactly, histogram counts the classes`, async () => {
      configureGdal(normalise({}));
      const res = 80;
      const size = 128;
      const [minx, maxy] = snappedOrigin(32632, 6.55, 0.4, res);
      const c = cell('WC', 32632, minx, maxy, res, size);
      const cfg = normalise({ resampling: { landcover: method } });
      const lc = scene('ESA_WorldCover_10m_2021_v200_N00E006', { map: WORLDCOVER }, { epsg: 4326 });
      // A tile needs imagery in its plan; only the land-cover layer is read here.
      const s2 = scene('unused', { B04: '/nonexistent/B04.tif' });
      const plan = planTiles([{ cell: c, scenes: { s2_l2a: [s2], landcover: [lc] } }], normalise({ bands: { s2_l2a: ['B04'] }, resampling: { landcover: method } }));
      const job = plan.tiles[0];
      expect(job.landcover!.scenes[0].source.resampling).toBe(method);
      const ours = (await gdalBandReader.read(job.landcover!.scenes[0].source, job.grid)) as Uint8Array;
      const ref = await gdalwarpCli(WORLDCOVER, cliArgs(32632, c.extent, res, method), dir, `wc_${method}`);
      const cmp = compare(ours, ref.data, 0);
      expect(cmp.maskMismatch).toBe(0);
      expect(cmp.maxDiff).toBe(0);
      // The island has land classes and the sea around it is water (80).
      const codes = new Set(ours);
      expect(codes.has(80)).toBe(true);
      expect([...codes].filter((v) => v !== 0 && v !== 80).length).toBeGreaterThan(1);
      // Only real WorldCover codes: never interpolated.
      for (const v of codes) expect([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100]).toContain(v);
      void cfg;
    });
  }

  it('the tile record carries the land cover on the grid and its 12-bin class histogram', async () => {
    const res = 80;
    const size = 128;
    const [minx, maxy] = snappedOrigin(32632, 6.55, 0.4, res);
    const c = cell('WC_TILE', 32632, minx, maxy, res, size);
    // The S2 scene is real but far away (Western Sahara): all nodata here, kept because
    // max_nodata_fraction is 1, so the record is produced and its land cover can be checked.
    const cfg = normalise({ bands: { s2_l2a: ['B04'] }, max_nodata_fraction: 1 });
    const s2 = scene('far', { B04: path.join(S2_DIR, 'B04.tif') });
    const lc = scene('ESA_WorldCover_10m_2021_v200_N00E006', { map: WORLDCOVER }, { epsg: 4326 });
    const rec = await onlyRecord(planTiles([{ cell: c, scenes: { s2_l2a: [s2], landcover: [lc] } }], cfg), cfg);
    expect(rec.modalities.s2_l2a!.nodataFraction).toBe(1);
    const ref = await gdalwarpCli(WORLDCOVER, cliArgs(32632, c.extent, res, 'nearest'), dir, 'wc_tile');
    expect([...rec.landcover]).toEqual([...ref.data]);
    const codes = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100];
    const want = codes.map((code) => ref.data.filter((v) => v === code).length);
    expect(rec.classHistogram).toEqual(want);
    expect(rec.classHistogram.reduce((a, b) => a + b, 0)).toBe(size * size);
    expect(rec.classHistogram[8]).toBeGreaterThan(0); // permanent water
  });
});
