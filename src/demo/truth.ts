// The one ground truth of the demo world: (lon, lat) -> ESA WorldCover class. Every modality (S2 L1C,
// S2 L2A, S1, the WorldCover map) samples this same function at its own pixel centres, so the land
// cover seen by a model in any sensor agrees with the label map up to each raster's pixel size.
//
// Each place is a small procedural landscape in local metres around its centre: domain-warped
// fractal noise gives organic boundaries; rules per place put water, forest, fields, towns, etc.
// where they would plausibly be. Fields are rotated parcels so crops change parcel by parcel.

import { DEMO_PLACES, DEMO_SEED, type DemoPlace } from './world.js';
import { fbm, hash32, hashUnit, smoothstep, stringKey } from './noise.js';

/** What the landscape holds at a point: its class and, for field parcels, a parcel key (0 = none). */
export interface LandSample {
  cls: number;
  parcel: number;
}

const M_PER_DEG_LAT = 110574;
const M_PER_DEG_LON_EQ = 111320;

function placeSeed(place: DemoPlace): number {
  return hash32(DEMO_SEED, stringKey(place.id));
}

/** Local metres (east, north) of a lon/lat point from the place centre (equirectangular, fine over 10 km). */
function localMetres(place: DemoPlace, lon: number, lat: number): [number, number] {
  const [lon0, lat0] = place.centreLonLat;
  return [(lon - lon0) * M_PER_DEG_LON_EQ * Math.cos((lat0 * Math.PI) / 180), (lat - lat0) * M_PER_DEG_LAT];
}

/** Parcel key of a point on a rotated grid of w x h metre fields (non-zero). */
function parcelKey(seed: number, x: number, y: number, angleDeg: number, w: number, h: number): number {
  const a = (angleDeg * Math.PI) / 180;
  const u = x * Math.cos(a) + y * Math.sin(a);
  const v = -x * Math.sin(a) + y * Math.cos(a);
  // Alternate rows are offset by half a field so the pattern is not a plain checkerboard.
  const row = Math.floor(v / h);
  const col = Math.floor(u / w + (row & 1) * 0.5);
  return hash32(seed, col, row) | 1;
}

function mafiaCoast(s: number, x: number, y: number, out: LandSample): number {
  const wx = x + 220 * fbm(s + 1, x / 1800, y / 1800, 3);
  const wy = y + 220 * fbm(s + 2, x / 1800, y / 1800, 3);
  const coast = 1400 + 500 * fbm(s + 3, 0.5, wy / 4000, 3) + 150 * Math.sin(wy / 900);
  const inland = coast - wx;
  out.parcel = 0;
  if (inland < 0) return 80;
  // Tidal creek meandering to the sea, wider towards its mouth.
  const creekY = -900 + 600 * Math.sin(wx / 1300) + 250 * fbm(s + 4, wx / 2000, 0.5, 2);
  const dc = Math.abs(wy - creekY);
  const width = 25 + 70 * smoothstep(-4000, coast, wx);
  if (dc < width && wx > -4200) return 80;
  const sandy = fbm(s + 5, 0.5, wy / 1500, 2) > 0.25;
  if (sandy && inland < 45) return 60;
  const mangroveBelt = 260 + 120 * fbm(s + 6, wx / 900, wy / 900, 2);
  if ((!sandy && inland < mangroveBelt) || (dc < width + 200 && wx > coast - 2600)) return 95;
  const moist = fbm(s + 7, wx / 1200, wy / 1200, 3);
  if (inland < 900 && moist > 0.05) return 90;
  const rv = Math.hypot(wx + 2300, wy - 1800) + 160 * fbm(s + 8, wx / 400, wy / 400, 2);
  if (rv < 600) return 50;
  const landuse = fbm(s + 9, wx / 2500, wy / 2500, 4);
  if (landuse > 0.22) {
    const p = parcelKey(s + 10, x, y, 12, 180, 120);
    const u = hashUnit(p, 1);
    out.parcel = p;
    return u < 0.75 ? 40 : u < 0.9 ? 30 : 20;
  }
  if (landuse < -0.4) return 20;
  if (landuse < -0.3) return 30;
  return 10;
}

function radolfzell(s: number, x: number, y: number, out: LandSample): number {
  const wx = x + 200 * fbm(s + 1, x / 2000, y / 2000, 3);
  const wy = y + 200 * fbm(s + 2, x / 2000, y / 2000, 3);
  const shore = -1800 + 0.4 * wx + 400 * fbm(s + 3, wx / 3000, 0.5, 3);
  const above = wy - shore;
  out.parcel = 0;
  if (above < 0) return 80;
  if (above < 90 && fbm(s + 4, wx / 700, wy / 700, 2) > -0.1) return 90;
  const townCx = -2200;
  const townCy = -1800 + 0.4 * townCx + 1000;
  const rt = Math.hypot(wx - townCx, wy - townCy) + 300 * fbm(s + 5, wx / 800, wy / 800, 3);
  if (rt < 1300) return 50;
  const rv = Math.hypot(wx - 2600, wy - 3200) + 120 * fbm(s + 6, wx / 300, wy / 300, 2);
  if (rv < 330) return 50;
  if (Math.hypot(wx - 3500, wy - 4300) < 180) return 60;
  const forest = fbm(s + 7, wx / 3000, wy / 3000, 4) + wy / 14000;
  if (forest > 0.2) return 10;
  const p = parcelKey(s + 10, x, y, 20, 260, 160);
  const u = hashUnit(p, 1);
  out.parcel = p;
  return u < 0.62 ? 40 : u < 0.9 ? 30 : u < 0.94 ? 20 : 10;
}

function abisko(s: number, x: number, y: number, out: LandSample): number {
  const wx = x + 250 * fbm(s + 1, x / 2000, y / 2000, 3);
  const wy = y + 250 * fbm(s + 2, x / 2000, y / 2000, 3);
  const shore = 1500 + 500 * fbm(s + 3, wx / 3500, 0.5, 3) - 0.1 * wx;
  out.parcel = 0;
  if (wy > shore) return 80;
  // Elevation (m): lake level 345 m, a gentle rise to the south and one massif south-west of the
  // centre whose summit (about 1900 m) carries the only snow and is ringed by moss/lichen heath.
  const dx = wx + 2200;
  const dy = wy + 3000;
  const massif = 1000 * Math.exp(-(dx * dx + dy * dy) / (2 * 1400 * 1400));
  const h = 345 + 0.12 * (shore - wy) + massif + 140 * fbm(s + 4, wx / 2500, wy / 2500, 4);
  if (h < 900 && fbm(s + 5, wx / 600, wy / 600, 2) > 0.62) return 80;
  const moist = fbm(s + 6, wx / 1200, wy / 1200, 3);
  if (h < 700) return moist > 0.35 ? 90 : moist > 0.18 ? 20 : 10;
  if (h < 850) return moist > 0.15 ? 30 : 20;
  const patch = fbm(s + 7, wx / 700, wy / 700, 3);
  if (h < 1000) return patch > -0.1 ? 30 : 60;
  if (h < 1070) return patch > 0 ? 100 : 60;
  if (h > 1650 && patch > 0.0) return 70;
  return 60;
}

/** Per-place rule: returns the class code and sets `out.parcel` for field parcels. */
const RULES: Record<DemoPlace['id'], (s: number, x: number, y: number, out: LandSample) => number> = {
  'mafia-coast': mafiaCoast,
  radolfzell,
  abisko,
};

const seeds = new Map<string, number>(DEMO_PLACES.map((p) => [p.id, placeSeed(p)]));

/** Land sample of a place at a lon/lat point; writes into `out` (reused to avoid allocation). */
export function sampleLand(place: DemoPlace, lon: number, lat: number, out: LandSample): LandSample {
  const [x, y] = localMetres(place, lon, lat);
  out.cls = RULES[place.id](seeds.get(place.id)!, x, y, out);
  return out;
}

/** The demo place whose centre is nearest to a point (places are thousands of km apart). */
export function nearestPlace(lon: number, lat: number): DemoPlace {
  let best = DEMO_PLACES[0];
  let bestD = Infinity;
  for (const p of DEMO_PLACES) {
    const d = Math.hypot(lon - p.centreLonLat[0], lat - p.centreLonLat[1]);
    if (d < bestD) {
      bestD = d;
      best = p;
    }
  }
  return best;
}

/** THE truth function: WorldCover class code at (lon, lat), anywhere on Earth (nearest place's landscape). */
export function truthClass(lon: number, lat: number): number {
  return sampleLand(nearestPlace(lon, lat), lon, lat, { cls: 0, parcel: 0 }).cls;
}

/** Classes and parcel keys of many points of one place (pixel centres), into the given arrays. */
export function renderLand(place: DemoPlace, lon: Float64Array, lat: Float64Array, cls: Uint8Array, parcel?: Uint32Array): void {
  const s: LandSample = { cls: 0, parcel: 0 };
  for (let i = 0; i < lon.length; i++) {
    sampleLand(place, lon[i], lat[i], s);
    cls[i] = s.cls;
    if (parcel) parcel[i] = s.parcel;
  }
}
