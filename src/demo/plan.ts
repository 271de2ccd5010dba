// Plan-as-data: which items and raster files the demo world consists of, with every grid, id and
// file name decided here, before any pixel is computed. generate.ts renders a plan; tests inspect it.

import { StageError } from '../errors.js';
import { mgrsOf } from './geo.js';
import { hash32, stringKey } from './noise.js';
import { L1C_BANDS, L2A_BANDS, type S2Band } from './spectra.js';
import { DEMO_COLLECTIONS, DEMO_LAYOUT, DEMO_PLACES, DEMO_SEED, placeById, type DemoPlace, type DemoS1Scene, type DemoS2Scene, type PlaceId } from './world.js';

/** A north-up pixel grid: top-left corner (x0, y0), square pixels of `res` CRS units. */
export interface PixelGrid {
  epsg: number;
  x0: number;
  y0: number;
  res: number;
  width: number;
  height: number;
}

/** One S2 scene footprint ("tile") of a place. */
export interface TilePlan {
  side: 'west' | 'east';
  /** UTM bounds in metres. */
  xmin: number;
  xmax: number;
  ymin: number;
  ymax: number;
  mgrs: { utmZone: number; latitudeBand: string; gridSquare: string; code: string };
}

export type AssetKind = 'reflectance' | 'scl' | 'thumbnail' | 'sar' | 'map';

export interface AssetPlan {
  key: string;
  /** File name inside the item's folder. */
  file: string;
  kind: AssetKind;
  title: string;
  roles: string[];
  grid: PixelGrid;
  dataType: 'uint8' | 'uint16' | 'float32';
  /** Nodata value written into the file and declared in raster:bands (undefined for the PNG thumbnail). */
  nodata?: number;
  scale?: number;
  offset?: number;
  band?: S2Band;
  /** SAR polarisation of a `sar` asset. */
  polarization?: 'VV' | 'VH';
}

interface ItemBase {
  collection: string;
  id: string;
  place: DemoPlace;
  /** Folder of the item relative to the catalog root: `<collection>/<id>`. */
  dir: string;
  assets: AssetPlan[];
}

export interface S2ItemPlan extends ItemBase {
  kind: 's2';
  level: 'L1C' | 'L2A';
  scene: DemoS2Scene;
  sceneIndex: number;
  tile: TilePlan;
  /** Id of the L1C item of the same datatake (for the L2A derived_from link). */
  l1cId: string;
  absoluteOrbit: number;
}

export interface S1ItemPlan extends ItemBase {
  kind: 's1';
  scene: DemoS1Scene;
  sceneIndex: number;
  grid: PixelGrid;
  absoluteOrbit: number;
  datatakeId: number;
}

export interface WorldCoverItemPlan extends ItemBase {
  kind: 'worldcover';
  grid: PixelGrid;
  /** 3-degree product tile name, e.g. N45E009. */
  productTile: string;
}

export type ItemPlan = S2ItemPlan | S1ItemPlan | WorldCoverItemPlan;

export interface WorldPlan {
  places: DemoPlace[];
  items: ItemPlan[];
}

export interface PlanOptions {
  /** Only these places (default: all). A subset renders byte-identical to the same part of the full world. */
  places?: PlaceId[];
  /** At most this many S2 and S1 scenes per place (default: all). */
  maxScenesPerPlace?: number;
}

/** The two overlapping S2 tiles of a place (west and east of its centre easting). */
export function placeTiles(place: DemoPlace): TilePlan[] {
  const { coverageHalfM: h, tileOverlapM: ov } = DEMO_LAYOUT;
  const [cx, cy] = place.centreUtm;
  const sides: [TilePlan['side'], number, number][] = [
    ['west', cx - h, cx + ov / 2],
    ['east', cx - ov / 2, cx + h],
  ];
  return sides.map(([side, xmin, xmax]) => ({
    side,
    xmin,
    xmax,
    ymin: cy - h,
    ymax: cy + h,
    mgrs: mgrsOf(place.epsg, (xmin + xmax) / 2, cy),
  }));
}

/** The 10 m UTM grid covering a place (both tiles); all S2 and S1 rasters are windows of it. */
export function placeGrid(place: DemoPlace, res = 10): PixelGrid {
  const h = DEMO_LAYOUT.coverageHalfM;
  const [cx, cy] = place.centreUtm;
  return { epsg: place.epsg, x0: cx - h, y0: cy + h, res, width: (2 * h) / res, height: (2 * h) / res };
}

/** WorldCover grid (EPSG:4326, 1/12000 degree, aligned to the global product grid) holding the place's coverage. */
export function worldcoverGrid(place: DemoPlace, lonLatBounds: [number, number, number, number]): PixelGrid {
  const d = DEMO_LAYOUT.worldcoverDeg;
  const [w, s, e, n] = lonLatBounds;
  const c0 = Math.floor(w / d);
  const c1 = Math.ceil(e / d);
  const r0 = Math.ceil(n / d);
  const r1 = Math.floor(s / d);
  return { epsg: 4326, x0: c0 * d, y0: r0 * d, res: d, width: c1 - c0, height: r0 - r1 };
}

function compactTime(iso: string): string {
  return iso.slice(0, 19).replace(/[-:]/g, '');
}

/** Approximate absolute orbit number from the date (S2: 143 orbits per 10 days; S1: 175 per 12 days). */
export function absoluteOrbit(platform: string, iso: string): number {
  const t = Date.parse(iso);
  const ref: Record<string, [string, number]> = {
    'sentinel-2a': ['2015-06-23T00:00:00Z', 143 / 10],
    'sentinel-2b': ['2017-03-07T00:00:00Z', 143 / 10],
    'sentinel-1a': ['2014-04-03T00:00:00Z', 175 / 12],
    'sentinel-1b': ['2016-04-25T00:00:00Z', 175 / 12],
  };
  const r = ref[platform];
  if (!r) throw new StageError('demo', `unknown platform "${platform}"; expected sentinel-1a/b or sentinel-2a/b`);
  return 1 + Math.floor(((t - Date.parse(r[0])) / 86400000) * r[1]);
}

function s2Assets(level: 'L1C' | 'L2A', tile: TilePlan, epsg: number, offset: number): AssetPlan[] {
  const bands = level === 'L2A' ? L2A_BANDS : L1C_BANDS;
  const gridAt = (res: number): PixelGrid => ({
    epsg,
    x0: tile.xmin,
    y0: tile.ymax,
    res,
    width: (tile.xmax - tile.xmin) / res,
    height: (tile.ymax - tile.ymin) / res,
  });
  const assets: AssetPlan[] = bands.map((band) => ({
    key: band.key,
    file: `${band.name}.tif`,
    kind: 'reflectance',
    title: band.title,
    roles: ['data', 'reflectance'],
    grid: gridAt(band.gsd),
    dataType: 'uint16',
    nodata: 0,
    scale: 0.0001,
    offset,
    band,
  }));
  if (level === 'L2A') {
    assets.push({ key: 'scl', file: 'SCL.tif', kind: 'scl', title: 'Scene classification map (SCL)', roles: ['data'], grid: gridAt(20), dataType: 'uint8', nodata: 0 });
    assets.push({ key: 'thumbnail', file: 'preview.png', kind: 'thumbnail', title: 'Thumbnail of preview image', roles: ['thumbnail', 'overview'], grid: gridAt(60), dataType: 'uint8' });
  }
  return assets;
}

/** Earth Search v1 style S2 item id, e.g. S2B_37MFN_20210814_0_L2A. */
export function s2ItemId(scene: DemoS2Scene, tile: TilePlan, level: 'L1C' | 'L2A'): string {
  const sat = scene.platform === 'sentinel-2a' ? 'S2A' : 'S2B';
  return `${sat}_${tile.mgrs.code}_${scene.datetime.slice(0, 10).replace(/-/g, '')}_0_${level}`;
}

/** Planetary Computer style S1 RTC id, e.g. S1A_IW_GRDH_1SDV_20220618T031932_20220618T031957_043702_0537C1_rtc. */
export function s1ItemId(scene: DemoS1Scene, absOrbit: number, datatakeId: number): string {
  const sat = scene.platform === 'sentinel-1a' ? 'S1A' : 'S1B';
  const start = compactTime(new Date(Date.parse(scene.datetime) - 12000).toISOString());
  const end = compactTime(new Date(Date.parse(scene.datetime) + 13000).toISOString());
  const orbit = String(absOrbit).padStart(6, '0');
  const dt = datatakeId.toString(16).toUpperCase().padStart(6, '0');
  return `${sat}_IW_GRDH_1SDV_${start}_${end}_${orbit}_${dt}_rtc`;
}

/** WorldCover 3x3 degree product tile holding a point, e.g. N45E009 or S09E039. */
export function worldcoverTileName(lon: number, lat: number): string {
  const la = Math.floor(lat / 3) * 3;
  const lo = Math.floor(lon / 3) * 3;
  const ns = la < 0 ? `S${String(-la).padStart(2, '0')}` : `N${String(la).padStart(2, '0')}`;
  const ew = lo < 0 ? `W${String(-lo).padStart(3, '0')}` : `E${String(lo).padStart(3, '0')}`;
  return `${ns}${ew}`;
}

/**
 * The whole demo world as data. `coverageLonLat(place)` gives the lon/lat box of a place's UTM
 * coverage (computed by the caller with proj4, kept out of here so this stays cheap to call).
 */
export function planWorld(coverageLonLat: (p: DemoPlace) => [number, number, number, number], opts: PlanOptions = {}): WorldPlan {
  const places = opts.places ? opts.places.map(placeById) : [...DEMO_PLACES];
  const max = opts.maxScenesPerPlace ?? Infinity;
  const items: ItemPlan[] = [];
  for (const place of places) {
    const tiles = placeTiles(place);
    place.s2.slice(0, max).forEach((scene, sceneIndex) => {
      const offset = Number.parseFloat(scene.baseline) >= 4 ? -0.1 : 0;
      const absOrbit = absoluteOrbit(scene.platform, scene.datetime);
      for (const tile of tiles) {
        const l1cId = s2ItemId(scene, tile, 'L1C');
        for (const level of ['L1C', 'L2A'] as const) {
          const collection = level === 'L1C' ? DEMO_COLLECTIONS.s2_l1c : DEMO_COLLECTIONS.s2_l2a;
          const id = s2ItemId(scene, tile, level);
          items.push({
            kind: 's2',
            level,
            collection,
            id,
            place,
            dir: `${collection}/${id}`,
            scene,
            sceneIndex,
            tile,
            l1cId,
            absoluteOrbit: absOrbit,
            assets: s2Assets(level, tile, place.epsg, offset),
          });
        }
      }
    });
    place.s1.slice(0, max).forEach((scene, sceneIndex) => {
      const grid = placeGrid(place, DEMO_LAYOUT.s1ResolutionM);
      const absOrbit = absoluteOrbit(scene.platform, scene.datetime);
      const datatakeId = hash32(DEMO_SEED, stringKey(place.id), sceneIndex, 0x51) & 0xfffff;
      const id = s1ItemId(scene, absOrbit, datatakeId);
      const collection = DEMO_COLLECTIONS.s1;
      const sar = (pol: 'VV' | 'VH'): AssetPlan => ({
        key: pol.toLowerCase(),
        file: `${pol.toLowerCase()}.tif`,
        kind: 'sar',
        title: `${pol}: vertical transmit, ${pol === 'VV' ? 'vertical' : 'horizontal'} receive`,
        roles: ['data'],
        grid,
        dataType: 'float32',
        nodata: -32768,
        polarization: pol,
      });
      items.push({ kind: 's1', collection, id, place, dir: `${collection}/${id}`, scene, sceneIndex, grid, absoluteOrbit: absOrbit, datatakeId, assets: [sar('VV'), sar('VH')] });
    });
    const bounds = coverageLonLat(place);
    const productTile = worldcoverTileName(place.centreLonLat[0], place.centreLonLat[1]);
    const id = `ESA_WorldCover_10m_2021_v200_${productTile}`;
    const grid = worldcoverGrid(place, bounds);
    const collection = DEMO_COLLECTIONS.landcover;
    items.push({
      kind: 'worldcover',
      collection,
      id,
      place,
      dir: `${collection}/${id}`,
      grid,
      productTile,
      assets: [{ key: 'map', file: `${id}_Map.tif`, kind: 'map', title: 'Land Cover Classes', roles: ['data'], grid, dataType: 'uint8', nodata: 0 }],
    });
  }
  return { places, items };
}
