// The tile plan as plain data: no GDAL, no files read.
import { describe, expect, it } from 'vitest';
import { normalise, rules, l1cBands } from '../../src/config/sections/tile.js';
import { gdalPathFor } from '../../src/net/links.js';
import { harmonizeDnFor, parseBaseline, planTiles, targetGrid } from '../../src/tile/plan.js';
import type { SceneItem } from '../../src/model/types.js';
import type { CellScenes } from '../../src/discover/types.js';
import type { TileSourceInput } from '../../src/tile/plan.js';
import { gdalOptions } from '../../src/tile/gdal-env.js';

// Discovery's output is accepted as the tile stage's input as it is (checked by the compiler).
const _compatible: (c: CellScenes) => TileSourceInput = (c) => c;
void _compatible;
import { cell, scene } from './helpers.js';

const L2A = ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B11', 'B12'];
const L1C = ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B10', 'B11', 'B12'];
const assets = (bands: string[], root: string) => Object.fromEntries(bands.map((b) => [b, `${root}/${b}.tif`]));

describe('tile config', () => {
  it('fills documented defaults', () => {
    const c = normalise(undefined);
    expect(c.bands.s2L2a).toEqual(L2A);
    expect(c.bands.s2L1c).toEqual(L1C);
    expect(c.bands.s1).toEqual(['VV', 'VH']);
    expect(c.l1cDropBand).toBe('B10');
    expect(l1cBands(c)).toEqual(L1C.filter((b) => b !== 'B10'));
    expect(l1cBands(c)).toHaveLength(12);
    expect(c.resampling).toEqual({ s2: 'bilinear', bands: {}, s1: 'bilinear', scl: 'nearest', landcover: 'nearest' });
    expect(c).toMatchObject({ gcpTransformer: 'polynomial', s1Db: false, harmonizeOffset: true, cloudClasses: [3, 8, 9, 10], maxNodataFraction: 0.95, concurrency: 2, gdalCacheMb: 256, gdalThreads: 1 });
    expect(c.http).toEqual({ maxRetry: 3, retryDelayS: 1, timeoutS: 30 });
    expect(rules(c)).toEqual([]);
  });

  it('l1c_drop_band null keeps 13 bands; a drop band that is not an L1C band is reported', () => {
    expect(l1cBands(normalise({ l1c_drop_band: null }))).toHaveLength(13);
    expect(rules(normalise({ l1c_drop_band: 'B13', resampling: { bands: { X1: 'cubic' } } }))).toEqual([
      { path: 'tile.l1c_drop_band', message: `"B13" is not one of the L1C bands; expected one of: ${L1C.join(', ')} (or null)` },
      { path: 'tile.resampling.bands.X1', message: `"X1" is not an S2 band; expected one of: ${L1C.join(', ')}` },
    ]);
  });
});

describe('planTiles', () => {
  const c = cell('917D_239R', 32629, 250000, 2760000, 10, 256);
  const l2a: SceneItem = scene('S2B_L2A_new', { ...assets([...L2A, 'SCL'], 'https://example.com/l2a') }, { epsg: 32629, processingBaseline: '05.09', datetime: '2023-05-01T11:00:00Z' });
  const l2aOld: SceneItem = scene('S2A_L2A_old', assets([...L2A, 'SCL'], 's3://bucket/old'), { epsg: 32629, processingBaseline: '02.14' });
  const l1c: SceneItem = scene('S2B_L1C', assets(L1C, '/data/l1c'), { epsg: 32629, processingBaseline: '04.00' });
  const s1: SceneItem = scene('S1A_GRD', { vv: '/data/s1/vv.tiff', vh: '/data/s1/vh.tiff' });
  const lc: SceneItem = scene('WC', { map: 'https://example.com/wc.tif' }, { epsg: 4326 });
  const cfg = normalise({ resampling: { bands: { B09: 'cubic' }, landcover: 'mode' }, s1_db: true });

  it('builds the target grid, footprint and per-modality sources as plain data', () => {
    const plan = planTiles([{ cell: c, scenes: { s2_l2a: [l2a, l2aOld], s2_l1c: [l1c], s1: [s1], landcover: [lc] }, sampleWeight: 2.5 }], cfg);
    expect(plan.tiles).toHaveLength(1);
    const t = plan.tiles[0];
    expect(t.tileId).toBe('917D_239R');
    expect(t.sampleWeight).toBe(2.5);
    expect(t.grid).toEqual({ epsg: 32629, srs: 'EPSG:32629', resolution: 10, width: 256, height: 256, extent: [250000, 2757440, 252560, 2760000], geotransform: [250000, 10, 0, 2760000, 0, -10] });
    // The grid module's extent ring: 4 points per side, closed.
    expect(t.footprint).toHaveLength(17);
    // Lower-left corner as `gdaltransform -s_srs EPSG:32629 -t_srs EPSG:4326` gives it.
    expect(t.footprint[0][0]).toBeCloseTo(-11.4751945214749, 7);
    expect(t.footprint[0][1]).toBeCloseTo(24.9116455958203, 7);
    expect(t.footprint[16]).toEqual(t.footprint[0]);
    // Upper-right corner (index 8) as gdaltransform gives it.
    expect(t.footprint[8][0]).toBeCloseTo(-11.4503236263337, 7);
    expect(t.footprint[8][1]).toBeCloseTo(24.9351626297727, 7);

    const m = t.modalities.s2_l2a!;
    expect(m).toMatchObject({ modality: 's2_l2a', dtype: 'uint16', nodata: 0, bands: L2A, db: false });
    expect(m.scenes.map((s) => [s.itemId, s.harmonizeDn])).toEqual([['S2B_L2A_new', 1000], ['S2A_L2A_old', 0]]);
    const b09 = m.scenes[0].bands[9];
    expect(b09).toEqual({
      band: 'B09',
      href: 'https://example.com/l2a/B09.tif',
      gdalPath: '/vsicurl/https://example.com/l2a/B09.tif',
      srcNodata: 0,
      dstNodata: 0,
      resampling: 'cubic',
      outputType: 'UInt16',
      expectedEpsg: 32629,
      expectedBandCount: 1,
      warpArgs: ['-of', 'MEM', '-t_srs', 'EPSG:32629', '-te', '250000', '2757440', '252560', '2760000', '-tr', '10', '10', '-r', 'cubic', '-ot', 'UInt16', '-srcnodata', '0', '-dstnodata', '0'],
    });
    expect(m.scenes[0].bands[3].resampling).toBe('bilinear');
    expect(m.scenes[1].bands[0].gdalPath).toBe('/vsis3/bucket/old/B01.tif');

    const l1 = t.modalities.s2_l1c!;
    expect(l1.bands).toHaveLength(12);
    expect(l1.bands).not.toContain('B10');
    expect(l1.scenes[0].harmonizeDn).toBe(1000);

    const r1 = t.modalities.s1!;
    expect(r1).toMatchObject({ dtype: 'float32', bands: ['VV', 'VH'], db: true });
    expect(Number.isNaN(r1.nodata)).toBe(true);
    expect(r1.scenes[0].bands[0].href).toBe('/data/s1/vv.tiff');
    expect(r1.scenes[0].bands[0].expectedEpsg).toBeUndefined();
    expect(r1.scenes[0].bands[0].warpArgs.slice(-6)).toEqual(['-ot', 'Float32', '-srcnodata', '0', '-dstnodata', 'nan']);

    expect(t.scl!.scenes.map((s) => [s.itemId, s.source.band, s.source.resampling, s.source.outputType])).toEqual([
      ['S2B_L2A_new', 'SCL', 'nearest', 'Byte'],
      ['S2A_L2A_old', 'SCL', 'nearest', 'Byte'],
    ]);
    expect(t.landcover!.scenes[0].source).toMatchObject({ band: 'map', resampling: 'mode', outputType: 'Byte', expectedEpsg: 4326, gdalPath: '/vsicurl/https://example.com/wc.tif' });
    expect(t.cloudClasses).toEqual([3, 8, 9, 10]);
    // Pure data: survives a JSON round trip except NaN (S1 nodata), which JSON writes as null.
    expect(JSON.parse(JSON.stringify(t)).grid).toEqual(t.grid);
  });

  it('sorts tiles by id and marks unusable inputs as plan failures instead of throwing', () => {
    const plan = planTiles(
      [
        { cell: cell('B', 32629, 250000, 2760000, 10, 64), scenes: { s2_l2a: [scene('x', { B04: 'a.tif' })] } },
        { cell: cell('A', 32629, 250000, 2760000, 10, 64), scenes: {} },
        { cell: { ...cell('C', 32629, 250000, 2760000, 10, 64), sizePx: 65 }, scenes: { s2_l2a: [l2a] } },
      ],
      normalise({}),
    );
    expect(plan.tiles.map((t) => [t.tileId, t.planError?.message])).toEqual([
      ['A', 'cell A has no scenes for any modality; expected at least one of s2_l2a, s2_l1c, s1'],
      ['B', 'item x has no asset for band B01; expected one of its assets to be named B01 (has: B04)'],
      ['C', 'cell C: extent 250000,2759360,250640,2760000 at 10 m is 64 x 64 px; expected 65 x 65'],
    ]);
    expect(() => planTiles([{ cell: c, scenes: {} }, { cell: c, scenes: {} }], normalise({}))).toThrow('cell 917D_239R appears twice in the scenes input; expected each cell once');
  });

  it('resolves hrefs: remote through /vsicurl/, relative against the item, local paths as they are', () => {
    expect(gdalPathFor('https://h/x.tif', undefined, undefined)).toBe('/vsicurl/https://h/x.tif');
    expect(gdalPathFor('./B04.tif', 'https://h/items/a/item.json', undefined)).toBe('/vsicurl/https://h/items/a/B04.tif');
    expect(gdalPathFor('cogs/B04.tif', '/data/demo/items/a.json', undefined)).toBe('/data/demo/items/cogs/B04.tif');
    expect(gdalPathFor('cogs/B04.tif', undefined, '/base')).toBe('/base/cogs/B04.tif');
    expect(gdalPathFor('file:///data/x.tif', undefined, undefined)).toBe('/data/x.tif');
    expect(gdalPathFor('gs://b/k.tif', undefined, undefined)).toBe('/vsigs/b/k.tif');
    expect(() => gdalPathFor('ftp://h/x.tif', undefined, undefined)).toThrow('unsupported URL scheme in href "ftp://h/x.tif"; expected http(s)://, s3://, gs://, file:// or a path');
  });

  it('decides the baseline offset from the processing baseline, else from declared scale/offset', () => {
    expect(parseBaseline('04.00')).toBe(4);
    expect(parseBaseline('N0509')).toBe(5.09);
    expect(parseBaseline('02.14')).toBe(2.14);
    expect(parseBaseline(undefined)).toBeUndefined();
    const item = (b?: string) => scene('i', { B04: 'x' }, b ? { processingBaseline: b } : {});
    expect(harmonizeDnFor(item('03.99'), undefined, true)).toBe(0);
    expect(harmonizeDnFor(item('04.00'), undefined, true)).toBe(1000);
    expect(harmonizeDnFor(item('04.00'), undefined, false)).toBe(0);
    expect(harmonizeDnFor(item(), { href: 'x', scale: 0.0001, offset: -0.1 }, true)).toBe(1000);
    expect(harmonizeDnFor(item(), { href: 'x' }, true)).toBe(0);
  });

  it('takes sampler weights by cell id when the row has none', () => {
    const plan = planTiles([{ cell: c, scenes: { s2_l2a: [l2a] } }], normalise({}), { sampleWeights: new Map([['917D_239R', 0.25]]) });
    expect(plan.tiles[0].sampleWeight).toBe(0.25);
  });

  it('lists the GDAL options it sets from the config', () => {
    expect(gdalOptions(normalise({ gdal_cache_mb: 512, gdal_threads: 2, http: { max_retry: 5, retry_delay_s: 0.5, timeout_s: 12 } }))).toEqual({
      GDAL_CACHEMAX: '512',
      GDAL_NUM_THREADS: '2',
      GDAL_HTTP_MAX_RETRY: '5',
      GDAL_HTTP_RETRY_DELAY: '0.5',
      GDAL_HTTP_TIMEOUT: '12',
      GDAL_DISABLE_READDIR_ON_OPEN: 'EMPTY_DIR',
      CPL_VSIL_CURL_ALLOWED_EXTENSIONS: '.tif,.tiff,.TIF,.TIFF,.vrt',
      GDAL_HTTP_MERGE_CONSECUTIVE_RANGES: 'YES',
      VSI_CACHE: 'TRUE',
    });
  });

  it('targetGrid rejects an origin off the pixel lattice', () => {
    expect(() => targetGrid(cell('Z', 32629, 250005, 2760000, 10, 8))).toThrow('cell Z: origin (250005, 2760000) is not snapped to the 10 m pixel grid');
    expect(() => targetGrid(cell('Z', 3857, 0, 0, 10, 8))).toThrow('cell Z: EPSG:3857 is not a WGS84 UTM zone; expected 32601..32660 or 32701..32760');
  });
});
