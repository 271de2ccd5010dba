// The generated demo world on disk: COG layout (gdal-async and the gdalinfo CLI), grids matching the
// STAC metadata, class distribution of the land-cover map, and the physics the pixels must show.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import gdal from 'gdal-async';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoWorld, type DemoWorldInfo } from '../../src/demo/ensure.js';
import { utmToLonLat } from '../../src/demo/geo.js';
import { WORLDCOVER_CLASSES } from '../../src/landcover/worldcover.js';

const run = promisify(execFile);

let world: DemoWorldInfo;
// Generates data/demo on first use (~30 s of CPU); other demo test files wait on the same lock.
beforeAll(async () => {
  world = await ensureDemoWorld();
}, 600_000);

type Item = { id: string; properties: Record<string, any>; assets: Record<string, any>; geometry: any; bbox: number[] };
const itemCache = new Map<string, Item>();
async function item(collection: string, id: string): Promise<Item> {
  const key = `${collection}/${id}`;
  if (!itemCache.has(key)) itemCache.set(key, JSON.parse(await readFile(join(world.dir, collection, id, `${id}.json`), 'utf8')));
  return itemCache.get(key)!;
}
const href = (collection: string, id: string, file: string) => join(world.dir, collection, id, file);

function readBand(path: string): { data: any; width: number; height: number; ds: gdal.Dataset } {
  const ds = gdal.open(path);
  const b = ds.bands.get(1);
  const data = b.pixels.read(0, 0, ds.rasterSize.x, ds.rasterSize.y);
  return { data, width: ds.rasterSize.x, height: ds.rasterSize.y, ds };
}

/** WorldCover class at each (sub-sampled) pixel centre of a UTM raster: the map is the truth of the world. */
function truthOnGrid(place: string, epsg: number, gt: number[], width: number, height: number, step: number): { idx: number[]; cls: number[] } {
  const wc = world.places.find((p) => p.id === place)!;
  const wcItem = `ESA_WorldCover_10m_2021_v200_${{ 'mafia-coast': 'S09E039', radolfzell: 'N45E009', abisko: 'N66E018' }[wc.id]}`;
  const map = readBand(href('esa-worldcover', wcItem, `${wcItem}_Map.tif`));
  const mgt = map.ds.geoTransform!;
  const idx: number[] = [];
  const cls: number[] = [];
  for (let r = step >> 1; r < height; r += step) {
    for (let c = step >> 1; c < width; c += step) {
      const [lon, lat] = utmToLonLat(epsg, gt[0] + (c + 0.5) * gt[1], gt[3] + (r + 0.5) * gt[5]);
      const mc = Math.floor((lon - mgt[0]) / mgt[1]);
      const mr = Math.floor((lat - mgt[3]) / mgt[5]);
      idx.push(r * width + c);
      cls.push(map.data[mr * map.width + mc]);
    }
  }
  map.ds.close();
  return { idx, cls };
}

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
};
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;

describe('demo world COGs', () => {
  const cases = [
    { c: 'sentinel-2-l2a', id: 'S2B_32TNT_20220722_0_L2A', file: 'B04.tif', epsg: 32632, size: [630, 1140], res: 10, type: 'UInt16', nodata: 0 },
    { c: 'sentinel-2-l2a', id: 'S2B_32TNT_20220722_0_L2A', file: 'B05.tif', epsg: 32632, size: [315, 570], res: 20, type: 'UInt16', nodata: 0 },
    { c: 'sentinel-2-l2a', id: 'S2B_37MEM_20210814_0_L2A', file: 'B01.tif', epsg: 32737, size: [105, 190], res: 60, type: 'UInt16', nodata: 0 },
    { c: 'sentinel-2-l2a', id: 'S2B_37MEM_20210814_0_L2A', file: 'SCL.tif', epsg: 32737, size: [315, 570], res: 20, type: 'Byte', nodata: 0 },
    { c: 'sentinel-2-l1c', id: 'S2B_34WCA_20210719_0_L1C', file: 'B10.tif', epsg: 32634, size: [105, 190], res: 60, type: 'UInt16', nodata: 0 },
  ];

  it.each(cases)('$c/$id/$file is a COG in EPSG:$epsg at $res m (gdal-async)', async (k) => {
    const ds = gdal.open(href(k.c, k.id, k.file));
    try {
      expect(ds.getMetadata('IMAGE_STRUCTURE')).toMatchObject({ LAYOUT: 'COG', COMPRESSION: 'DEFLATE' });
      expect(ds.bands.count()).toBe(1);
      expect([ds.rasterSize.x, ds.rasterSize.y]).toEqual(k.size);
      expect(ds.srs?.getAuthorityCode()).toBe(String(k.epsg));
      const gt = ds.geoTransform!;
      expect([gt[1], gt[5]]).toEqual([k.res, -k.res]);
      const band = ds.bands.get(1);
      expect(band.dataType).toBe(k.type);
      expect(band.noDataValue).toBe(k.nodata);
      expect(band.overviews.count()).toBeGreaterThanOrEqual(1);
      // The STAC asset describes exactly this grid.
      const asset = Object.values((await item(k.c, k.id)).assets).find((a: any) => a.href === `./${k.file}`);
      expect(asset['proj:shape']).toEqual([k.size[1], k.size[0]]);
      expect(asset['proj:transform']).toEqual([gt[1], 0, gt[0], 0, gt[5], gt[3]]);
      expect(asset['raster:bands'][0].nodata).toBe(k.nodata);
    } finally {
      ds.close();
    }
  });

  it('gdalinfo -json agrees: COG layout, overviews, EPSG, nodata (S2, S1, WorldCover)', async () => {
    const s1 = world.itemCounts['sentinel-1-rtc'] > 0 ? (await readFile(world.collections['sentinel-1-rtc'], 'utf8')) : '';
    const s1Id = /"href": "\.\/(S1[^/]+)\//.exec(s1)![1];
    const files = [
      { path: href('sentinel-2-l2a', 'S2A_37MFM_20220620_0_L2A', 'B08.tif'), epsg: '32737', type: 'UInt16', nodata: 0, size: [630, 1140], overviews: 3 },
      { path: href('sentinel-1-rtc', s1Id, 'vh.tif'), epsg: '32737', type: 'Float32', nodata: -32768, size: [1140, 1140], overviews: 3 },
      { path: href('esa-worldcover', 'ESA_WorldCover_10m_2021_v200_N66E018', 'ESA_WorldCover_10m_2021_v200_N66E018_Map.tif'), epsg: '4326', type: 'Byte', nodata: 0, size: [3452, 1275], overviews: 4 },
    ];
    for (const f of files) {
      const { stdout } = await run('gdalinfo', ['-json', f.path], { maxBuffer: 16 << 20 });
      const info = JSON.parse(stdout);
      expect(info.metadata.IMAGE_STRUCTURE.LAYOUT).toBe('COG');
      expect(info.size).toEqual(f.size);
      expect(info.coordinateSystem.wkt).toContain(`ID["EPSG",${f.epsg}]]`);
      expect(info.bands).toHaveLength(1);
      expect(info.bands[0].type).toBe(f.type);
      expect(info.bands[0].noDataValue).toBe(f.nodata);
      expect(info.bands[0].overviews).toHaveLength(f.overviews);
      expect(info.bands[0].block).toEqual([256, 256]);
    }
  });

  it('WorldCover maps are EPSG:4326 at 1/12000 degree on the global product grid', () => {
    const { ds } = readBand(href('esa-worldcover', 'ESA_WorldCover_10m_2021_v200_S09E039', 'ESA_WorldCover_10m_2021_v200_S09E039_Map.tif'));
    const gt = ds.geoTransform!;
    expect(gt[1]).toBeCloseTo(1 / 12000, 12);
    expect(gt[5]).toBeCloseTo(-1 / 12000, 12);
    expect(Math.abs(gt[0] * 12000 - Math.round(gt[0] * 12000))).toBeLessThan(1e-6);
    expect(ds.srs?.getAuthorityCode()).toBe('4326');
    ds.close();
  });
});

describe('demo world content', () => {
  it('land cover is long-tailed: water and tree cover dominate, mangrove/moss/snow are rare', () => {
    // Shares of AREA: a 1/12000 degree pixel covers cos(lat) times less ground at Abisko than at the equator.
    const counts = new Map<number, number>();
    let total = 0;
    for (const tile of ['S09E039', 'N45E009', 'N66E018']) {
      const id = `ESA_WorldCover_10m_2021_v200_${tile}`;
      const { data, ds, height } = readBand(href('esa-worldcover', id, `${id}_Map.tif`));
      const lat = ds.geoTransform![3] + (height / 2) * ds.geoTransform![5];
      const w = Math.cos((lat * Math.PI) / 180);
      for (const v of data as Uint8Array) counts.set(v, (counts.get(v) ?? 0) + w);
      total += data.length * w;
      ds.close();
    }
    const share = (c: number) => (counts.get(c) ?? 0) / total;
    // Every one of the 11 classes occurs, nothing else (no nodata inside the maps).
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual(WORLDCOVER_CLASSES.filter((c) => c !== 0));
    const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([c]) => c);
    expect(ranked.slice(0, 2)).toEqual([80, 10]);
    expect(share(80)).toBeGreaterThan(0.3);
    expect(share(10)).toBeGreaterThan(0.2);
    for (const rare of [95, 100, 70]) {
      expect(share(rare)).toBeGreaterThan(0.002);
      expect(share(rare)).toBeLessThan(0.015);
    }
    // Head vs tail: the two largest classes hold > 25x the three rarest together... of each one.
    expect(share(10)).toBeGreaterThan(15 * Math.max(share(95), share(100), share(70)));
  });

  it('NDVI is high over tree cover and negative over water (clear L2A scene, no offset)', async () => {
    const id = 'S2B_37MEM_20210814_0_L2A';
    const it2 = await item('sentinel-2-l2a', id);
    expect(it2.assets.red['raster:bands'][0].offset).toBe(0);
    const red = readBand(href('sentinel-2-l2a', id, 'B04.tif'));
    const nir = readBand(href('sentinel-2-l2a', id, 'B08.tif'));
    const scl = readBand(href('sentinel-2-l2a', id, 'SCL.tif'));
    const { idx, cls } = truthOnGrid('mafia-coast', 32737, red.ds.geoTransform!, red.width, red.height, 5);
    const ndvi: Record<number, number[]> = {};
    idx.forEach((i, k) => {
      const r = Math.floor(i / red.width);
      const c = i % red.width;
      const s = scl.data[(r >> 1) * scl.width + (c >> 1)];
      if (s !== 4 && s !== 5 && s !== 6) return; // clear pixels only
      const v = (nir.data[i] - red.data[i]) / (nir.data[i] + red.data[i]);
      (ndvi[cls[k]] ??= []).push(v);
    });
    expect(median(ndvi[10])).toBeGreaterThan(0.7);
    expect(median(ndvi[95])).toBeGreaterThan(0.7);
    expect(median(ndvi[80])).toBeLessThan(0);
    expect(median(ndvi[40] ?? [0.5])).toBeLessThan(median(ndvi[10]));
    for (const r of [red, nir, scl]) r.ds.close();
  });

  it('baseline 04.00+ scenes carry the +1000 DN offset and declare offset -0.1', async () => {
    // Same place and tile, water pixels: 2021 (03.01) vs 2022 (04.00).
    const before = 'S2B_37MFM_20210814_0_L2A';
    const after = 'S2B_37MFM_20230117_0_L2A';
    expect((await item('sentinel-2-l2a', after)).assets.nir['raster:bands'][0]).toMatchObject({ scale: 0.0001, offset: -0.1 });
    expect((await item('sentinel-2-l2a', before)).properties['s2:processing_baseline']).toBe('03.01');
    expect((await item('sentinel-2-l2a', after)).properties['earthsearch:boa_offset_applied']).toBe(true);
    const water = (id: string) => {
      const nir = readBand(href('sentinel-2-l2a', id, 'B08.tif'));
      const scl = readBand(href('sentinel-2-l2a', id, 'SCL.tif'));
      const v: number[] = [];
      for (let r = 0; r < nir.height; r += 3) for (let c = 0; c < nir.width; c += 3) if (scl.data[(r >> 1) * scl.width + (c >> 1)] === 6) v.push(nir.data[r * nir.width + c]);
      nir.ds.close();
      scl.ds.close();
      return median(v);
    };
    const b = water(before);
    const a = water(after);
    expect(b).toBeLessThan(400); // water NIR reflectance ~0.015 -> DN ~150
    expect(a - b).toBeGreaterThan(850);
    expect(a - b).toBeLessThan(1150);
  });

  it('the understated scene says 0 % cloud, but its SCL and pixels are cloudy', async () => {
    const id = 'S2B_37MEM_20230117_0_L2A';
    const props = (await item('sentinel-2-l2a', id)).properties;
    expect(props['eo:cloud_cover']).toBe(0);
    const scl = readBand(href('sentinel-2-l2a', id, 'SCL.tif'));
    const blue = readBand(href('sentinel-2-l2a', id, 'B02.tif'));
    let cloudy = 0;
    let shadow = 0;
    const bright: number[] = [];
    const clear: number[] = [];
    for (let r = 0; r < scl.height; r++) {
      for (let c = 0; c < scl.width; c++) {
        const s = scl.data[r * scl.width + c];
        if (s === 8 || s === 9 || s === 10) cloudy++;
        if (s === 3) shadow++;
        const v = (blue.data[2 * r * blue.width + 2 * c] - 1000) / 10000; // baseline 05.09: remove the offset
        if (s === 9) bright.push(v);
        else if (s === 4) clear.push(v);
      }
    }
    expect(cloudy / scl.data.length).toBeGreaterThan(0.05);
    expect(shadow).toBeGreaterThan(0);
    expect(props['s2:high_proba_clouds_percentage']).toBeGreaterThan(1);
    expect(median(bright)).toBeGreaterThan(0.3);
    expect(median(clear)).toBeLessThan(0.08);
    scl.ds.close();
    blue.ds.close();
  });

  it('a cloudy scene has cloud (8, 9), cirrus (10) and shadow (3) in SCL, and a bright L1C cirrus band under cloud', async () => {
    const l2a = 'S2A_32TMT_20230912_0_L2A';
    const scl = readBand(href('sentinel-2-l2a', l2a, 'SCL.tif'));
    const b10 = readBand(href('sentinel-2-l1c', 'S2A_32TMT_20230912_0_L1C', 'B10.tif'));
    const hist = new Map<number, number>();
    for (const v of scl.data as Uint8Array) hist.set(v, (hist.get(v) ?? 0) + 1);
    for (const code of [3, 4, 6, 8, 9, 10]) expect(hist.get(code) ?? 0).toBeGreaterThan(100);
    const props = (await item('sentinel-2-l2a', l2a)).properties;
    const measured = (100 * ((hist.get(8) ?? 0) + (hist.get(9) ?? 0) + (hist.get(10) ?? 0))) / scl.data.length;
    expect(props['eo:cloud_cover']).toBeCloseTo(measured, 3);
    // B10 is 60 m: compare it over 60 m pixels whose 3 x 3 SCL block is all high-probability cloud vs all clear.
    const cloudy: number[] = [];
    const clear: number[] = [];
    for (let r = 0; r < b10.height; r++) {
      for (let c = 0; c < b10.width; c++) {
        const codes = new Set<number>();
        for (let j = 0; j < 3; j++) for (let i = 0; i < 3; i++) codes.add(scl.data[(3 * r + j) * scl.width + 3 * c + i]);
        const v = (b10.data[r * b10.width + c] - 1000) / 10000;
        if (codes.size === 1 && codes.has(9)) cloudy.push(v);
        if ([...codes].every((x) => x === 4 || x === 5 || x === 6)) clear.push(v);
      }
    }
    expect(median(cloudy)).toBeGreaterThan(0.03);
    expect(median(clear)).toBeLessThan(0.005);
    scl.ds.close();
    b10.ds.close();
  });

  it('L1C and L2A of a datatake share the time; L1C is brighter in blue (path radiance) and has B10', async () => {
    const l2a = await item('sentinel-2-l2a', 'S2B_34WDA_20210719_0_L2A');
    const l1c = await item('sentinel-2-l1c', 'S2B_34WDA_20210719_0_L1C');
    expect(l1c.properties.datetime).toBe(l2a.properties.datetime);
    expect(Object.keys(l1c.assets)).toContain('cirrus');
    expect(Object.keys(l2a.assets)).not.toContain('cirrus');
    expect(Object.keys(l2a.assets)).toContain('scl');
    const a = readBand(href('sentinel-2-l2a', l2a.id, 'B02.tif'));
    const b = readBand(href('sentinel-2-l1c', l1c.id, 'B02.tif'));
    const diffs: number[] = [];
    for (let i = 0; i < a.data.length; i += 97) diffs.push(b.data[i] - a.data[i]);
    expect(median(diffs)).toBeGreaterThan(400); // + ~0.05-0.1 reflectance of path radiance
    a.ds.close();
    b.ds.close();
  });

  it('two tiles of one datatake carry identical pixels where they overlap', () => {
    for (const file of ['B04.tif', 'B11.tif', 'B09.tif']) {
      const w = readBand(href('sentinel-2-l2a', 'S2A_32TMT_20230912_0_L2A', file));
      const e = readBand(href('sentinel-2-l2a', 'S2A_32TNT_20230912_0_L2A', file));
      const res = w.ds.geoTransform![1];
      const overlapPx = 1200 / res;
      const offset = (e.ds.geoTransform![0] - w.ds.geoTransform![0]) / res;
      expect(offset).toBe(w.width - overlapPx);
      let same = 0;
      for (let r = 0; r < w.height; r++) for (let c = 0; c < overlapPx; c++) if (w.data[r * w.width + offset + c] === e.data[r * e.width + c]) same++;
      expect(same).toBe(w.height * overlapPx);
      w.ds.close();
      e.ds.close();
    }
  });

  it('the swath-edge scene has nodata (0) east of the edge, and its footprint and metadata say so', async () => {
    const id = 'S2B_32TNT_20220722_0_L2A';
    const props = (await item('sentinel-2-l2a', id)).properties;
    expect(props['s2:nodata_pixel_percentage']).toBeGreaterThan(5);
    expect(props['s2:nodata_pixel_percentage']).toBeLessThan(60);
    const red = readBand(href('sentinel-2-l2a', id, 'B04.tif'));
    expect(red.data[red.width - 1]).toBe(0); // top-right corner is beyond the edge
    expect(red.data[(red.height - 1) * red.width]).toBeGreaterThan(0); // bottom-left is inside
    red.ds.close();
    const west = await item('sentinel-2-l2a', 'S2B_32TMT_20220722_0_L2A');
    const eastItem = await item('sentinel-2-l2a', id);
    expect(eastItem.bbox[2] - eastItem.bbox[0]).toBeLessThan(west.bbox[2] - west.bbox[0]);
  });

  it('the S1 scene cut by its swath edge holds -32768 (not 0) beyond it, and its footprint is narrower', async () => {
    const coll = JSON.parse(await readFile(world.collections['sentinel-1-rtc'], 'utf8'));
    const ids: string[] = coll.links.filter((l: any) => l.rel === 'item').map((l: any) => l.href.split('/')[1]);
    const cut = ids.find((i) => i.includes('20230727'))!;
    const whole = ids.find((i) => i.includes('20220801'))!; // same place (Abisko), full swath
    const vv = readBand(href('sentinel-1-rtc', cut, 'vv.tif'));
    expect(vv.ds.bands.get(1).noDataValue).toBe(-32768);
    expect(vv.data[0]).toBe(-32768); // north-west corner: beyond the edge
    expect(vv.data[vv.width - 1]).toBeGreaterThan(0); // north-east corner: inside
    let nodata = 0;
    let zeros = 0;
    for (const v of vv.data as Float32Array) {
      if (v === -32768) nodata++;
      if (v === 0) zeros++;
    }
    expect(nodata / vv.data.length).toBeGreaterThan(0.05);
    expect(nodata / vv.data.length).toBeLessThan(0.3);
    expect(zeros).toBe(0);
    vv.ds.close();
    const a = await item('sentinel-1-rtc', cut);
    const b = await item('sentinel-1-rtc', whole);
    expect(a.assets.vv['raster:bands'][0].nodata).toBe(-32768);
    expect(a.bbox[0]).toBeGreaterThan(b.bbox[0]);
    expect(a.bbox[2]).toBeCloseTo(b.bbox[2], 6);
  });

  it('S1 backscatter follows land cover: water << tree cover < built-up, VH < VV', async () => {
    const coll = JSON.parse(await readFile(world.collections['sentinel-1-rtc'], 'utf8'));
    const ids: string[] = coll.links.filter((l: any) => l.rel === 'item').map((l: any) => l.href.split('/')[1]);
    const states = new Set<string>();
    for (const id of ids) states.add((await item('sentinel-1-rtc', id)).properties['sat:orbit_state']);
    expect(states).toEqual(new Set(['ascending', 'descending']));
    const id = ids.find((i) => i.includes('20220720'))!; // Radolfzell
    const vv = readBand(href('sentinel-1-rtc', id, 'vv.tif'));
    const vh = readBand(href('sentinel-1-rtc', id, 'vh.tif'));
    const { idx, cls } = truthOnGrid('radolfzell', 32632, vv.ds.geoTransform!, vv.width, vv.height, 7);
    const by: Record<number, { vv: number[]; vh: number[] }> = {};
    idx.forEach((i, k) => {
      const e = (by[cls[k]] ??= { vv: [], vh: [] });
      e.vv.push(vv.data[i]);
      e.vh.push(vh.data[i]);
    });
    const db = (x: number) => 10 * Math.log10(x);
    expect(db(mean(by[80].vv))).toBeLessThan(-17);
    expect(db(mean(by[10].vv))).toBeGreaterThan(-12);
    expect(mean(by[50].vv)).toBeGreaterThan(2 * mean(by[10].vv));
    expect(mean(by[10].vh)).toBeLessThan(mean(by[10].vv));
    let min = Infinity;
    for (const v of vv.data as Float32Array) min = Math.min(min, v);
    expect(min).toBeGreaterThan(0);
    vv.ds.close();
    vh.ds.close();
  });
});
