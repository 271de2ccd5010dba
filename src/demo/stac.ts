// STAC 1.0.0 documents of the demo catalog, shaped like the real ones: Sentinel-2 items like Earth
// Search v1 (asset keys, eo/raster/projection/mgrs/grid/view/processing/s2 fields), Sentinel-1 like
// Planetary Computer's sentinel-1-rtc, WorldCover like Planetary Computer's esa-worldcover.
// Pure builders: plan + measured statistics in, JSON-ready objects out. Hrefs are relative.

import { round, ringBBox, sunPosition, dayOfYear, utmRingToLonLat } from './geo.js';
import { hashUnit } from './noise.js';
import type { AssetPlan, ItemPlan, PixelGrid, S1ItemPlan, S2ItemPlan, WorldCoverItemPlan } from './plan.js';
import type { SclStats } from './render.js';
import { baselineHasOffset, DEMO_GENERATOR_VERSION, type DemoPlace, type SwathEdge } from './world.js';
import { WORLDCOVER_CLASSES, WORLDCOVER_COLOURS, WORLDCOVER_NAMES } from '../landcover/worldcover.js';

export type Json = Record<string, unknown>;

const EXT = {
  eo: 'https://stac-extensions.github.io/eo/v1.1.0/schema.json',
  proj: 'https://stac-extensions.github.io/projection/v1.1.0/schema.json',
  raster: 'https://stac-extensions.github.io/raster/v1.1.0/schema.json',
  sat: 'https://stac-extensions.github.io/sat/v1.0.0/schema.json',
  sar: 'https://stac-extensions.github.io/sar/v1.0.0/schema.json',
  view: 'https://stac-extensions.github.io/view/v1.0.0/schema.json',
  grid: 'https://stac-extensions.github.io/grid/v1.1.0/schema.json',
  mgrs: 'https://stac-extensions.github.io/mgrs/v1.0.0/schema.json',
  processing: 'https://stac-extensions.github.io/processing/v1.1.0/schema.json',
  s2: 'https://stac-extensions.github.io/sentinel-2/v1.0.0/schema.json',
  classification: 'https://stac-extensions.github.io/classification/v1.0.0/schema.json',
};

const COG_TYPE = 'image/tiff; application=geotiff; profile=cloud-optimized';
const SENTINEL_LICENSE = 'https://sentinel.esa.int/documents/247904/690755/Sentinel_Data_Legal_Notice';

/** rasterio-order affine [a, b, c, d, e, f] as STAC proj:transform carries it. */
export function projTransform(grid: PixelGrid): number[] {
  return [grid.res, 0, grid.x0, 0, -grid.res, grid.y0];
}

function addHours(iso: string, h: number): string {
  return new Date(Date.parse(iso) + h * 3600000).toISOString();
}

function compact(iso: string): string {
  return iso.slice(0, 19).replace(/[-:]/g, '');
}

/** Clip a polygon (UTM) to the valid side of a swath edge (Sutherland-Hodgman against one half-plane). */
export function clipBySwath(ring: [number, number][], place: DemoPlace, edge: SwathEdge | undefined): [number, number][] {
  if (!edge) return ring;
  const px = place.centreUtm[0] + edge.x;
  const py = place.centreUtm[1] + edge.y;
  const a = (edge.angleDeg * Math.PI) / 180;
  // Same test as render.ts swathMask: > 0 is beyond the edge.
  const side = ([x, y]: [number, number]) => (x - px) * Math.cos(a) - (y - py) * Math.sin(a);
  const out: [number, number][] = [];
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i];
    const b = ring[(i + 1) % ring.length];
    const sa = side(a);
    const sb = side(b);
    if (sa <= 0) out.push(a);
    if (sa <= 0 !== sb <= 0) {
      const t = sa / (sa - sb);
      out.push([a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]);
    }
  }
  return out;
}

function polygon(ring: [number, number][]): Json {
  return { type: 'Polygon', coordinates: [ring] };
}

function links(item: ItemPlan, extra: Json[] = []): Json[] {
  return [
    { rel: 'root', href: '../../catalog.json', type: 'application/json', title: 'terrafm demo world' },
    { rel: 'parent', href: '../collection.json', type: 'application/json' },
    { rel: 'collection', href: '../collection.json', type: 'application/json' },
    ...extra,
  ];
}

function rasterBand(a: AssetPlan): Json {
  const b: Json = { nodata: a.nodata, data_type: a.dataType, spatial_resolution: a.grid.res };
  if (a.scale !== undefined) b.scale = a.scale;
  if (a.offset !== undefined) b.offset = a.offset;
  return b;
}

function s2Asset(a: AssetPlan): Json {
  if (a.kind === 'thumbnail') return { href: `./${a.file}`, type: 'image/png', title: a.title, roles: a.roles };
  const out: Json = { href: `./${a.file}`, type: COG_TYPE, title: a.title };
  if (a.band) {
    out['eo:bands'] = [{ name: a.band.name, common_name: a.band.commonName, center_wavelength: a.band.centerWavelength, full_width_half_max: a.band.fwhm }];
  }
  out.gsd = a.grid.res;
  out['proj:shape'] = [a.grid.height, a.grid.width];
  out['proj:transform'] = projTransform(a.grid);
  out['raster:bands'] = [rasterBand(a)];
  out.roles = a.roles;
  return out;
}

/** Sentinel-2 L1C or L2A item (Earth Search v1 layout). `stats` are measured from the scene's SCL raster. */
export function s2ItemJson(item: S2ItemPlan, stats: SclStats): Json {
  const { scene, tile, place } = item;
  const sat = scene.platform === 'sentinel-2a' ? 'S2A' : 'S2B';
  const ring = clipBySwath(
    [
      [tile.xmin, tile.ymin],
      [tile.xmax, tile.ymin],
      [tile.xmax, tile.ymax],
      [tile.xmin, tile.ymax],
    ],
    place,
    scene.swathEdge,
  );
  const lonlat = utmRingToLonLat(place.epsg, ring);
  const bbox = ringBBox(lonlat).map((v) => round(v, 6));
  const [clon, clat] = [(bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2];
  const sun = sunPosition(clon, clat, scene.datetime);
  const gen = addHours(scene.datetime, 2.25);
  const n = `N${scene.baseline.replace('.', '')}`;
  const dt = compact(scene.datetime);
  const product = item.level === 'L2A' ? 'MSIL2A' : 'MSIL1C';
  const levelTag = item.level === 'L2A' ? 'L2A' : 'L1C';
  const orbit = String(item.absoluteOrbit).padStart(6, '0');
  const ro = `R${String(place.s2RelativeOrbit).padStart(3, '0')}`;
  const reported = scene.reportedCloudCover ?? stats.cloud;
  const props: Json = {
    created: gen,
    platform: scene.platform,
    constellation: 'sentinel-2',
    instruments: ['msi'],
    'eo:cloud_cover': round(reported, 6),
    'proj:epsg': place.epsg,
    'proj:centroid': { lat: round(clat, 5), lon: round(clon, 5) },
    'mgrs:utm_zone': tile.mgrs.utmZone,
    'mgrs:latitude_band': tile.mgrs.latitudeBand,
    'mgrs:grid_square': tile.mgrs.gridSquare,
    'grid:code': `MGRS-${tile.mgrs.code}`,
    'view:azimuth': round(100 + 20 * hashUnit(item.absoluteOrbit, 1), 4),
    'view:incidence_angle': round(2 + 8 * hashUnit(item.absoluteOrbit, 2), 4),
    'view:sun_azimuth': round(sun.azimuth, 4),
    'view:sun_elevation': round(sun.elevation, 4),
    'sat:orbit_state': 'descending',
    'sat:relative_orbit': place.s2RelativeOrbit,
    'sat:absolute_orbit': item.absoluteOrbit,
    's2:tile_id': `${sat}_OPER_MSI_${levelTag}_TL_2BPS_${compact(gen)}_A${orbit}_T${tile.mgrs.code}_N${scene.baseline}`,
    's2:degraded_msi_data_percentage': 0,
  };
  if (item.level === 'L2A') {
    Object.assign(props, {
      's2:nodata_pixel_percentage': stats.nodata,
      's2:saturated_defective_pixel_percentage': stats.saturated,
      's2:dark_features_percentage': stats.darkArea,
      's2:cloud_shadow_percentage': stats.shadow,
      's2:vegetation_percentage': stats.vegetation,
      's2:not_vegetated_percentage': stats.notVegetated,
      's2:water_percentage': stats.water,
      's2:unclassified_percentage': stats.unclassified,
      's2:medium_proba_clouds_percentage': stats.medium,
      's2:high_proba_clouds_percentage': stats.high,
      's2:thin_cirrus_percentage': stats.cirrus,
      's2:snow_ice_percentage': stats.snow,
    });
  }
  Object.assign(props, {
    's2:product_type': item.level === 'L2A' ? 'S2MSI2A' : 'S2MSI1C',
    's2:processing_baseline': scene.baseline,
    's2:product_uri': `${sat}_${product}_${dt}_${n}_${ro}_T${tile.mgrs.code}_${compact(gen)}.SAFE`,
    's2:generation_time': gen,
    's2:datatake_id': `G${sat}_${dt}_${orbit}_N${scene.baseline}`,
    's2:datatake_type': 'INS-NOBS',
    's2:datastrip_id': `${sat}_OPER_MSI_${levelTag}_DS_2BPS_${compact(gen)}_S${dt}_N${scene.baseline}`,
    's2:reflectance_conversion_factor': round(1 / (1 - 0.01673 * Math.cos(0.0172 * (dayOfYear(scene.datetime) - 4))) ** 2, 9),
    datetime: scene.datetime,
  });
  if (item.level === 'L2A') props['earthsearch:boa_offset_applied'] = baselineHasOffset(scene.baseline);
  props['processing:software'] = { 'terrafm-demo-world': DEMO_GENERATOR_VERSION };
  props.updated = gen;
  const extra: Json[] = [{ rel: 'license', href: SENTINEL_LICENSE }];
  if (item.level === 'L2A') {
    extra.push({ rel: 'derived_from', href: `../../sentinel-2-l1c/${item.l1cId}/${item.l1cId}.json`, type: 'application/geo+json' });
  }
  return {
    type: 'Feature',
    stac_version: '1.0.0',
    stac_extensions: [EXT.grid, EXT.mgrs, EXT.processing, EXT.proj, EXT.s2, EXT.raster, EXT.view, EXT.eo, EXT.sat],
    id: item.id,
    geometry: polygon(lonlat),
    bbox,
    properties: props,
    links: links(item, extra),
    assets: Object.fromEntries(item.assets.map((a) => [a.key, s2Asset(a)])),
    collection: item.collection,
  };
}

/** Sentinel-1 RTC-like item (Planetary Computer sentinel-1-rtc layout: float32 gamma0, UTM, nodata -32768). */
export function s1ItemJson(item: S1ItemPlan): Json {
  const { scene, place, grid } = item;
  const xmin = grid.x0;
  const ymax = grid.y0;
  const xmax = grid.x0 + grid.width * grid.res;
  const ymin = grid.y0 - grid.height * grid.res;
  const lonlat = utmRingToLonLat(
    place.epsg,
    clipBySwath(
      [
        [xmin, ymin],
        [xmax, ymin],
        [xmax, ymax],
        [xmin, ymax],
      ],
      place,
      scene.swathEdge,
    ),
  );
  const bbox = ringBBox(lonlat).map((v) => round(v, 6));
  const start = new Date(Date.parse(scene.datetime) - 12000).toISOString();
  const end = new Date(Date.parse(scene.datetime) + 13000).toISOString();
  return {
    type: 'Feature',
    stac_version: '1.0.0',
    stac_extensions: [EXT.sar, EXT.sat, EXT.proj, EXT.raster],
    id: item.id,
    geometry: polygon(lonlat),
    bbox,
    properties: {
      datetime: scene.datetime,
      start_datetime: start,
      end_datetime: end,
      platform: scene.platform,
      constellation: 'sentinel-1',
      'sar:frequency_band': 'C',
      'sar:center_frequency': 5.405,
      'sar:observation_direction': 'right',
      'sar:instrument_mode': 'IW',
      'sar:polarizations': ['VV', 'VH'],
      'sar:product_type': 'GRD',
      'sar:resolution_range': 20,
      'sar:resolution_azimuth': 22,
      'sar:pixel_spacing_range': 10,
      'sar:pixel_spacing_azimuth': 10,
      'sar:looks_range': 5,
      'sar:looks_azimuth': 1,
      'sar:looks_equivalent_number': 4.4,
      'sat:orbit_state': scene.orbitState,
      'sat:relative_orbit': scene.relativeOrbit,
      'sat:absolute_orbit': item.absoluteOrbit,
      'sat:platform_international_designator': scene.platform === 'sentinel-1a' ? '2014-016A' : '2016-025A',
      'proj:epsg': place.epsg,
      'proj:bbox': [xmin, ymin, xmax, ymax],
      'proj:shape': [grid.height, grid.width],
      'proj:transform': projTransform(grid),
      's1:datatake_id': String(item.datatakeId),
      's1:instrument_configuration_ID': '7',
      's1:processing_level': '1',
      's1:product_timeliness': 'Fast-24h',
      's1:resolution': 'high',
      's1:orbit_source': 'RESORB',
      'processing:software': { 'terrafm-demo-world': DEMO_GENERATOR_VERSION },
    },
    links: links(item, [{ rel: 'license', href: SENTINEL_LICENSE }]),
    assets: Object.fromEntries(
      item.assets.map((a) => [
        a.key,
        {
          href: `./${a.file}`,
          type: COG_TYPE,
          title: a.title,
          description: `Terrain-corrected gamma naught (linear power) of the ${a.polarization} channel, synthetic.`,
          'raster:bands': [{ nodata: a.nodata, data_type: a.dataType, spatial_resolution: a.grid.res, unit: 'linear power' }],
          roles: a.roles,
        },
      ]),
    ),
    collection: item.collection,
  };
}

/** WorldCover 2021 v200 item (Planetary Computer esa-worldcover layout), EPSG:4326. */
export function worldcoverItemJson(item: WorldCoverItemPlan): Json {
  const g = item.grid;
  const w = g.x0;
  const n = g.y0;
  const e = g.x0 + g.width * g.res;
  const s = g.y0 - g.height * g.res;
  const ring: [number, number][] = [
    [w, s],
    [e, s],
    [e, n],
    [w, n],
    [w, s],
  ].map(([x, y]) => [round(x, 9), round(y, 9)]);
  const map = item.assets[0];
  return {
    type: 'Feature',
    stac_version: '1.0.0',
    stac_extensions: [EXT.proj, EXT.grid, EXT.raster, EXT.classification],
    id: item.id,
    geometry: polygon(ring),
    bbox: [round(w, 9), round(s, 9), round(e, 9), round(n, 9)],
    properties: {
      datetime: null,
      start_datetime: '2021-01-01T00:00:00Z',
      end_datetime: '2021-12-31T23:59:59Z',
      mission: 'sentinel-1, sentinel-2',
      platform: 'sentinel-1a, sentinel-1b, sentinel-2a, sentinel-2b',
      instruments: ['c-sar', 'msi'],
      description: 'Synthetic ESA WorldCover-style product at 10m resolution (terrafm demo world)',
      'grid:code': `ESAWORLDCOVER-${item.productTile}`,
      'proj:epsg': 4326,
      'esa_worldcover:product_tile': item.productTile,
      'esa_worldcover:product_version': '2.0.0',
    },
    links: links(item),
    assets: {
      map: {
        href: `./${map.file}`,
        type: COG_TYPE,
        title: map.title,
        description: 'Discrete classification according to the Land Cover Classification System scheme developed by the United Nations Food and Agriculture Organization',
        'proj:shape': [g.height, g.width],
        'proj:transform': projTransform(g),
        'raster:bands': [{ name: 'Band1', nodata: 0, sampling: 'area', data_type: 'uint8', description: 'Classification values', spatial_resolution: 10 }],
        'classification:classes': WORLDCOVER_CLASSES.slice(1).map((v) => ({
          value: v,
          'color-hint': WORLDCOVER_COLOURS[v],
          description: WORLDCOVER_NAMES[v],
        })),
        roles: map.roles,
      },
    },
    collection: item.collection,
  };
}

const COLLECTION_TEXT: Record<string, { title: string; description: string }> = {
  'sentinel-2-l2a': { title: 'Sentinel-2 Level-2A (synthetic demo)', description: 'Synthetic Sentinel-2 L2A surface reflectance COGs shaped like Earth Search v1 sentinel-2-l2a, with SCL.' },
  'sentinel-2-l1c': { title: 'Sentinel-2 Level-1C (synthetic demo)', description: 'Synthetic Sentinel-2 L1C top-of-atmosphere reflectance COGs (13 bands incl. B10) shaped like Earth Search v1 sentinel-2-l1c.' },
  'sentinel-1-rtc': { title: 'Sentinel-1 RTC (synthetic demo)', description: 'Synthetic geocoded Sentinel-1 IW gamma0 (float32 linear power, VV+VH) shaped like Planetary Computer sentinel-1-rtc.' },
  'esa-worldcover': { title: 'ESA WorldCover (synthetic demo)', description: 'Synthetic ESA WorldCover-style 10 m land cover (11 classes, EPSG:4326), the ground truth of the demo world.' },
};

/** Collection document holding `items` (all of one collection). */
export function collectionJson(id: string, items: Json[]): Json {
  const boxes = items.map((i) => i.bbox as number[]);
  const bbox = [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])), Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))];
  const times = items
    .flatMap((i) => {
      const p = i.properties as Json;
      return [p.datetime, p.start_datetime, p.end_datetime].filter((t): t is string => typeof t === 'string');
    })
    .sort();
  const text = COLLECTION_TEXT[id] ?? { title: id, description: `Synthetic demo collection ${id}` };
  return {
    type: 'Collection',
    stac_version: '1.0.0',
    id,
    title: text.title,
    description: `${text.description} Generated by terrafm-pipeline scripts/make-demo-world.ts; not real data.`,
    license: 'CC0-1.0',
    providers: [{ name: 'terrafm-pipeline demo world generator', roles: ['producer', 'processor'] }],
    extent: {
      spatial: { bbox: [bbox] },
      temporal: { interval: [[times[0] ?? null, times[times.length - 1] ?? null]] },
    },
    links: [
      { rel: 'root', href: '../catalog.json', type: 'application/json' },
      { rel: 'parent', href: '../catalog.json', type: 'application/json' },
      ...items.map((i) => ({ rel: 'item', href: `./${i.id}/${i.id}.json`, type: 'application/geo+json' })),
    ],
  };
}

/** Root catalog linking the collections. */
export function catalogJson(collectionIds: string[]): Json {
  return {
    type: 'Catalog',
    stac_version: '1.0.0',
    id: 'terrafm-demo-world',
    title: 'terrafm demo world (synthetic)',
    description: 'Small deterministic synthetic Earth-observation world: Sentinel-2 L1C/L2A, Sentinel-1 RTC and WorldCover over three places, for demos and tests.',
    links: [
      { rel: 'root', href: './catalog.json', type: 'application/json' },
      ...collectionIds.map((c) => ({ rel: 'child', href: `./${c}/collection.json`, type: 'application/json', title: COLLECTION_TEXT[c]?.title ?? c })),
    ],
  };
}
