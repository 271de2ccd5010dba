// Failure cases: each bad asset becomes one row of the failures table with the right stage and
// message, and the other tiles of the run are still produced. Remote reads go through /vsicurl/ to a
// loopback HTTP server with range support (GDAL reads on its thread pool, so the server in this
// process keeps answering).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFile, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { normalise } from '../../src/config/sections/tile.js';
import { planTiles, type TileSourceInput } from '../../src/tile/plan.js';
import { tileAll } from '../../src/tile/run-tiles.js';
import type { TileRecord } from '../../src/model/types.js';
import { S2_DIR, cell, gdalTranslate, scene, tempDir } from './helpers.js';
import { sendFileBytes } from '../support/range-response.js';

let dir: string;
let server: http.Server;
let base: string;
const requests: string[] = [];
let flaky = 0;

beforeAll(async () => {
  dir = await tempDir();
  await copyFile(path.join(S2_DIR, 'B04.tif'), path.join(dir, 'B04.tif'));
  // Truncated: header and first tiles intact, later tiles cut off.
  await copyFile(path.join(S2_DIR, 'B04.tif'), path.join(dir, 'truncated.tif'));
  await truncate(path.join(dir, 'truncated.tif'), Math.floor((await stat(path.join(dir, 'truncated.tif'))).size * 0.15));
  // Corrupt: the real file with its TIFF header bytes overwritten.
  const bytes = await readFile(path.join(S2_DIR, 'B04.tif'));
  bytes.fill(0x58, 0, 16);
  await writeFile(path.join(dir, 'corrupt.tif'), bytes);
  // Not a raster at all: a STAC JSON document named .tif (GDAL's GeoJSON driver claims it and fails).
  await writeFile(path.join(dir, 'notraster.tif'), await readFile(path.join(S2_DIR, 'S2A_29RKH_20200219_0_L2A.json')));
  // Two bands where the plan expects one.
  await gdalTranslate(['-b', '1', '-b', '1', path.join(S2_DIR, 'B04.tif'), path.join(dir, 'twoband.tif')]);
  server = http.createServer(async (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    // /flaky/...: the first two requests answer 503 (a transient server error GDAL retries).
    if (req.url?.startsWith('/flaky/') && (flaky++ < 2)) {
      res.writeHead(503).end('busy');
      return;
    }
    if (req.url?.startsWith('/down/')) {
      res.writeHead(503).end('down');
      return;
    }
    const file = path.join(dir, path.basename(req.url ?? ''));
    let buf: Buffer;
    try {
      buf = await readFile(file);
    } catch {
      res.writeHead(404).end('not found');
      return;
    }
    sendFileBytes(req, res, buf);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('failures table', () => {
  it('records each broken asset with tile, href, stage and message, and keeps going', async () => {
    const c = (id: string) => cell(id, 32629, 250000, 2760000, 100, 64);
    const s2 = (id: string, href: string, extra = {}) => ({ s2_l2a: [scene(id, { B04: href }, { epsg: 32629, ...extra })] });
    const inputs: TileSourceInput[] = [
      { cell: c('t6_remote_ok'), scenes: s2('ok', `${base}/B04.tif`) },
      { cell: c('t1_http404'), scenes: s2('gone', `${base}/missing_B04.tif`) },
      { cell: c('t2_truncated'), scenes: s2('trunc', path.join(dir, 'truncated.tif')) },
      { cell: c('t3_corrupt'), scenes: s2('corrupt', path.join(dir, 'corrupt.tif')) },
      { cell: c('t4_wrong_crs'), scenes: s2('crs', path.join(dir, 'B04.tif'), { epsg: 32630 }) },
      { cell: c('t5_band_count'), scenes: s2('bands', path.join(dir, 'twoband.tif')) },
      { cell: c('t0_missing_band'), scenes: { s2_l2a: [scene('noasset', { B03: path.join(dir, 'B04.tif') })] } },
      { cell: c('t8_not_raster'), scenes: s2('json', path.join(dir, 'notraster.tif')) },
      { cell: cell('t7_bad_grid', 32629, 250005, 2760000, 100, 64), scenes: s2('grid', path.join(dir, 'B04.tif')) },
    ];
    const cfg = normalise({ bands: { s2_l2a: ['B04'] }, concurrency: 2, http: { max_retry: 0, timeout_s: 10 } });
    const got: TileRecord[] = [];
    const summary = await tileAll(planTiles(inputs, cfg), { config: cfg }, (r) => {
      got.push(r);
    });
    expect(summary.ok).toBe(1);
    expect(summary.failed).toBe(8);
    expect(summary.skipped).toBe(0);
    expect(got.map((r) => r.tileId)).toEqual(['t6_remote_ok']);
    // The remote tile really came over HTTP range requests.
    expect(requests.some((r) => r.startsWith('GET /B04.tif'))).toBe(true);
    expect(got[0].modalities.s2_l2a!.data.some((v) => v > 0)).toBe(true);

    const rows = Object.fromEntries(summary.failures.map((f) => [f.tileId, f]));
    // Sorted by tile id, whatever order they finished in.
    expect(summary.failures.map((f) => f.tileId)).toEqual(['t0_missing_band', 't1_http404', 't2_truncated', 't3_corrupt', 't4_wrong_crs', 't5_band_count', 't7_bad_grid', 't8_not_raster']);
    expect(rows.t0_missing_band).toMatchObject({ kind: 'failure', stage: 'plan', href: 'noasset' });
    expect(rows.t0_missing_band.error).toBe('item noasset has no asset for band B04; expected one of its assets to be named B04 (has: B03)');
    expect(rows.t1_http404).toMatchObject({ stage: 'open', href: `${base}/missing_B04.tif`, error: 'missing asset (HTTP 404); expected a raster at this URL' });
    expect(rows.t2_truncated).toMatchObject({ stage: 'warp', href: path.join(dir, 'truncated.tif') });
    expect(rows.t2_truncated.error).toMatch(/^warp failed: .*TIFFReadEncodedTile\(\) failed.* \(corrupt or truncated file\?\)$/);
    expect(rows.t3_corrupt).toMatchObject({ stage: 'open', href: path.join(dir, 'corrupt.tif') });
    expect(rows.t3_corrupt.error).toMatch(/^cannot open as a raster \(.*not recognized as a supported file format\.\); expected a readable GeoTIFF\/COG$/);
    expect(rows.t4_wrong_crs).toMatchObject({ stage: 'validate', error: 'unexpected CRS: found EPSG:32629, expected EPSG:32630 (from the STAC item)' });
    expect(rows.t5_band_count).toMatchObject({ stage: 'validate', error: 'unexpected band count: found 2, expected 1' });
    expect(rows.t8_not_raster).toMatchObject({ stage: 'open', error: 'cannot open as a raster (Missing features); expected a readable GeoTIFF/COG' });
    expect(rows.t7_bad_grid).toMatchObject({ stage: 'plan', error: 'cell t7_bad_grid: origin (250005, 2760000) is not snapped to the 100 m pixel grid' });
  });

  it('retries transient HTTP errors as configured (GDAL_HTTP_MAX_RETRY)', async () => {
    const inputs: TileSourceInput[] = [{ cell: cell('flaky', 32629, 250000, 2760000, 100, 32), scenes: { s2_l2a: [scene('f', { B04: `${base}/flaky/B04.tif` })] } }];
    const cfg = normalise({ bands: { s2_l2a: ['B04'] }, http: { max_retry: 3, retry_delay_s: 0.05 } });
    const summary = await tileAll(planTiles(inputs, cfg), { config: cfg });
    expect(summary.failures).toEqual([]);
    expect(summary.ok).toBe(1);
    expect(flaky).toBeGreaterThan(2);
    expect(requests.filter((r) => r.includes('/flaky/')).length).toBeGreaterThan(2);
  });

  it('reports a server that keeps failing with its HTTP status after the retries', async () => {
    const inputs: TileSourceInput[] = [{ cell: cell('down', 32629, 250000, 2760000, 100, 32), scenes: { s2_l2a: [scene('d', { B04: `${base}/down/B04.tif` })] } }];
    const cfg = normalise({ bands: { s2_l2a: ['B04'] }, http: { max_retry: 2, retry_delay_s: 0.05 } });
    const summary = await tileAll(planTiles(inputs, cfg), { config: cfg });
    expect(summary.failures).toEqual([
      { kind: 'failure', tileId: 'down', cellId: 'down', href: `${base}/down/B04.tif`, stage: 'open', error: 'server answered HTTP 503 (after the retries set by tile.http.max_retry); expected 200 or 206' },
    ]);
    // First request plus two retries.
    expect(requests.filter((r) => r.includes('/down/')).length).toBe(3);
  });

  it('skips (not fails) a tile whose every modality is over max_nodata_fraction', async () => {
    // Far east of the 29RKH footprint: no data at all.
    const inputs: TileSourceInput[] = [{ cell: cell('empty', 32629, 400000, 2760000, 100, 32), scenes: { s2_l2a: [scene('s', { B04: path.join(dir, 'B04.tif') })] } }];
    const cfg = normalise({ bands: { s2_l2a: ['B04'] } });
    const summary = await tileAll(planTiles(inputs, cfg), { config: cfg });
    expect(summary).toEqual({
      ok: 0,
      failed: 0,
      skipped: 1,
      failures: [{ kind: 'skipped', tileId: 'empty', cellId: 'empty', href: '', stage: 'filter', error: 'nodata fraction above max_nodata_fraction 0.95 in every modality (s2_l2a 1.000)' }],
    });
  });
});
