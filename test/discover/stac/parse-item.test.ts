// Parsing real STAC items (Earth Search v1/v0, Planetary Computer) into SceneItem.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dedupeByScene } from '../../../src/discover/stac/dedupe.js';
import { parseItem, resolveHref } from '../../../src/discover/stac/parse-item.js';
import { deriveSceneKeys } from '../../../src/discover/stac/scene-keys.js';
import { cassetteItems, realItems } from '../../support/stac-fixtures.js';
import { realFixture } from '../../support/fixtures.js';

const ITEMS_DIR = realFixture('stac/items');
const byId = new Map(realItems().map((i) => [i.id, i]));
const parse = (id: string) => parseItem(byId.get(id));

describe('scene keys', () => {
  it('the same S2 acquisition in sentinel-2-l2a and sentinel-2-c1-l2a (Earth Search) gets one sceneKey', () => {
    const l2a = parse('S2B_24MVV_20250731_0_L2A');
    const c1 = parse('S2B_T24MVV_20250731T130245_L2A');
    expect(l2a.sceneKey).toBe('S2B_MSIL2A_20250731T130249_T24MVV');
    expect(c1.sceneKey).toBe(l2a.sceneKey);
  });

  it('L1C and L2A of one acquisition share datatakeKey but not sceneKey', () => {
    const l1c = parse('S2B_24MVV_20250731_0_L1C');
    const l2a = parse('S2B_24MVV_20250731_0_L2A');
    expect(l1c.sceneKey).toBe('S2B_MSIL1C_20250731T130249_T24MVV');
    expect(l1c.datatakeKey).toBe('S2B_20250731T130249_T24MVV');
    expect(l2a.datatakeKey).toBe(l1c.datatakeKey);
    expect(l2a.sceneKey).not.toBe(l1c.sceneKey);
  });

  it('Earth Search v0, v1 and Planetary Computer naming of one product agree', () => {
    // v0 uses sentinel:* properties and an id without time; v1 has s2:product_uri; PC uses the product name as id.
    const v0 = cassetteItems('earth-search-v0_search_s2l2acogs_limit1.yaml')[0]!;
    const v1 = parse('S2B_20EPT_20250731_0_L2A');
    expect(parseItem(v0).sceneKey).toBe(v1.sceneKey);
    const pcStyle = deriveSceneKeys('S2B_MSIL2A_20250731T131909_R095_T20EPT_20250731T143919', 'sentinel-2-l2a', {});
    expect(pcStyle.sceneKey).toBe(v1.sceneKey);
    expect(pcStyle.datatakeKey).toBe(v1.datatakeKey);
  });

  it('falls back to platform + MGRS tile + datatake/datetime when there is no product name', () => {
    const k = deriveSceneKeys('demo-1', 'sentinel-2-l2a', { platform: 'sentinel-2a', 's2:mgrs_tile': '33UUP', datetime: '2024-06-01T10:20:31.5Z' });
    expect(k.sceneKey).toBe('S2A_MSIL2A_20240601T102031_T33UUP');
    const k2 = deriveSceneKeys('demo-2', 'sentinel-2-l1c', { platform: 'Sentinel-2A', 'mgrs:utm_zone': 33, 'mgrs:latitude_band': 'U', 'mgrs:grid_square': 'UP', datetime: '2024-06-01T10:20:31Z' });
    expect(k2.sceneKey).toBe('S2A_MSIL1C_20240601T102031_T33UUP');
    expect(k2.datatakeKey).toBe(k.datatakeKey);
  });

  it('Sentinel-1: GRD keys from the product name; RTC of the same slice shares datatakeKey', () => {
    const grd = parse('S1A_IW_GRDH_1SSH_20250731T135702_20250731T135722_060328_077F7E');
    expect(grd.sceneKey).toBe('S1A_IW_GRDH_20250731T135702_060328');
    expect(grd.datatakeKey).toBe('S1A_IW_20250731T135702_060328');
    const rtc = deriveSceneKeys('S1A_IW_GRDH_1SDV_20250311T044231_20250311T044249_058252_073302_rtc', 'sentinel-1-rtc', {});
    expect(rtc.sceneKey).toBe('S1A_IW_GRDH_20250311T044231_058252_RTC');
    expect(rtc.datatakeKey).toBe('S1A_IW_20250311T044231_058252');
  });

  it('dedupeByScene keeps the preferred collection and first-seen order', () => {
    const items = ['S2B_24MVV_20250731_0_L2A', 'S2B_T24MVV_20250731T130245_L2A', 'S2B_24MVV_20250731_0_L1C', 'S2B_T24MWV_20250731T130245_L2A', 'S2B_24MWV_20250731_0_L2A'].map(parse);
    const kept = dedupeByScene(items, ['sentinel-2-c1-l2a', 'sentinel-2-l2a']);
    expect(kept.map((i) => i.id)).toEqual(['S2B_T24MVV_20250731T130245_L2A', 'S2B_24MVV_20250731_0_L1C', 'S2B_T24MWV_20250731T130245_L2A']);
    expect(dedupeByScene(items, ['sentinel-2-l2a']).map((i) => i.id)).toEqual(['S2B_24MVV_20250731_0_L2A', 'S2B_24MVV_20250731_0_L1C', 'S2B_24MWV_20250731_0_L2A']);
  });
});

describe('parsed fields', () => {
  it('Earth Search v1 C1 L2A: common-name assets mapped to bands with raster:bands nodata/scale/offset', () => {
    const it = parse('S2B_T20EPT_20250731T131905_L2A');
    expect(Object.keys(it.assets).sort()).toEqual(['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B09', 'B11', 'B12', 'B8A', 'SCL'].sort());
    expect(it.assets.B04).toEqual({
      href: 'https://e84-earth-search-sentinel-data.s3.us-west-2.amazonaws.com/sentinel-2-c1-l2a/20/E/PT/2025/7/S2B_T20EPT_20250731T131905_L2A/B04.tif',
      nodata: 0,
      scale: 0.0001,
      offset: -0.1,
      gsd: 10,
    });
    expect(it.assets.SCL).toMatchObject({ nodata: 0, gsd: 20 });
    expect(it).toMatchObject({ epsg: 32720, cloudCover: 26.02542, processingBaseline: '05.11', platform: 'sentinel-2b', datetime: '2025-07-31T13:19:22.930Z', collection: 'sentinel-2-c1-l2a' });
    expect(it.selfHref).toBe('https://earth-search.aws.element84.com/v1/collections/sentinel-2-c1-l2a/items/S2B_T20EPT_20250731T131905_L2A');
  });

  it('Earth Search L1C has B10 (cirrus); S1 GRD maps hh and orbit state', () => {
    expect(parse('S2B_20EPT_20250731_0_L1C').assets.B10!.href).toBe('s3://sentinel-s2-l1c/tiles/20/E/PT/2025/7/31/0/B10.jp2');
    const s1 = parse('S1A_IW_GRDH_1SSH_20250731T135702_20250731T135722_060328_077F7E');
    expect(Object.keys(s1.assets)).toEqual(['HH']);
    expect(s1.assets.HH!.nodata).toBe(0);
    expect(s1.orbitState).toBe('ascending');
    expect(s1.epsg).toBe(4326);
  });

  it('Planetary Computer items: S1 RTC vv/vh with nodata, WorldCover map, PC datetime with a space', () => {
    const rtc = JSON.parse(readFileSync(path.join(ITEMS_DIR, 'pc_sentinel-1-rtc_4items.json'), 'utf8'))[0];
    const p = parseItem(rtc);
    expect(Object.keys(p.assets).sort()).toEqual(['VH', 'VV']);
    expect(p.assets.VV!.nodata).toBe(-32768);
    expect(p.sceneKey).toMatch(/^S1A_IW_GRDH_20240419T\d{6}_\d{6}_RTC$/);
    const wc = cassetteItems('pc_items_esa-worldcover_limit1.yaml')[0]!;
    const w = parseItem(wc);
    expect(w.assets.map).toMatchObject({ nodata: 0, gsd: 10 });
    expect(w.datetime).toBe('2021-01-01T00:00:00.000Z'); // datetime null -> start_datetime
    expect(w.sceneKey).toBe('ESA_WorldCover_10m_2021_v200_S60W030');
  });

  it('proj:code is read when proj:epsg is absent; bandAssets override wins', () => {
    const raw = { ...byId.get('S2B_20EPT_20250731_0_L2A')! };
    const props = { ...(raw.properties as Record<string, unknown>) };
    delete props['proj:epsg'];
    props['proj:code'] = 'EPSG:32720';
    const it = parseItem({ ...raw, properties: props }, { bandAssets: { B04: 'red-jp2' } });
    expect(it.epsg).toBe(32720);
    expect(it.assets.B04!.href).toBe('s3://sentinel-s2-l2a/tiles/20/E/PT/2025/7/31/0/R10m/B04.jp2');
  });

  it('bad items fail with the item and what is missing', () => {
    expect(() => parseItem({ type: 'Feature', id: 'x', properties: { datetime: 'nope' }, bbox: [0, 0, 1, 1], collection: 'c' }, { where: 'page 1' })).toThrow(
      'page 1: item x has no valid datetime (nor start_datetime); got "nope"',
    );
    expect(() => parseItem({ type: 'Feature', id: 'x', properties: { datetime: '2020-01-01T00:00:00Z' }, collection: 'c' }, { where: 'p' })).toThrow('p: item x has neither "bbox" nor "geometry"');
    expect(() => parseItem({ type: 'Collection' }, { where: 'p' })).toThrow('p: expected a STAC Item (GeoJSON Feature)');
  });

  it('resolveHref: relative to URLs and file paths, absolute untouched', () => {
    expect(resolveHref('./B04.tif', 'https://x.org/a/b/item.json')).toBe('https://x.org/a/b/B04.tif');
    expect(resolveHref('../B04.tif', '/data/cat/items/i.json')).toBe('/data/cat/B04.tif');
    expect(resolveHref('s3://bucket/k.tif', '/data/i.json')).toBe('s3://bucket/k.tif');
    expect(resolveHref('/abs/k.tif', 'https://x.org/i.json')).toBe('/abs/k.tif');
  });
});
