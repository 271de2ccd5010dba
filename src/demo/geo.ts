// Geodesy for the demo world: UTM <-> lon/lat (proj4), MGRS tile names, the sun's position.
// Pure functions; no file or GDAL access.

import proj4 from 'proj4';
import { StageError } from '../errors.js';
import type { BBox } from '../model/types.js';

/** proj4 definition of a WGS84 UTM zone from its EPSG code (326zz north, 327zz south). */
export function utmProj4(epsg: number): string {
  const { zone, south } = utmZoneOf(epsg);
  return `+proj=utm +zone=${zone}${south ? ' +south' : ''} +datum=WGS84 +units=m +no_defs`;
}

export function utmZoneOf(epsg: number): { zone: number; south: boolean } {
  const zone = epsg % 100;
  const south = Math.floor(epsg / 100) === 327;
  if (!(Math.floor(epsg / 100) === 326 || south) || zone < 1 || zone > 60) {
    throw new StageError('demo', `EPSG:${epsg} is not a WGS84 UTM zone; expected 32601..32660 or 32701..32760`);
  }
  return { zone, south };
}

const converters = new Map<number, proj4.Converter>();
function converter(epsg: number): proj4.Converter {
  let c = converters.get(epsg);
  if (!c) {
    c = proj4('WGS84', utmProj4(epsg));
    converters.set(epsg, c);
  }
  return c;
}

export function utmToLonLat(epsg: number, x: number, y: number): [number, number] {
  const [lon, lat] = converter(epsg).inverse([x, y]);
  return [lon, lat];
}

export function lonLatToUtm(epsg: number, lon: number, lat: number): [number, number] {
  const [x, y] = converter(epsg).forward([lon, lat]);
  return [x, y];
}

/**
 * Lon/lat of every pixel centre of a north-up UTM grid. Exact proj4 transforms are computed on a
 * lattice every `step` pixels and interpolated bilinearly in between (as GDAL's approximate
 * transformer does): over a few km the error is far below a millimetre, and it is ~30x faster.
 */
export function utmGridLonLat(
  epsg: number,
  originX: number,
  originY: number,
  res: number,
  width: number,
  height: number,
  step = 32,
): { lon: Float64Array; lat: Float64Array } {
  const nx = Math.ceil((width - 1) / step) + 1;
  const ny = Math.ceil((height - 1) / step) + 1;
  const lx = new Float64Array(nx * ny);
  const ly = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const [lon, lat] = utmToLonLat(epsg, originX + (i * step + 0.5) * res, originY - (j * step + 0.5) * res);
      lx[j * nx + i] = lon;
      ly[j * nx + i] = lat;
    }
  }
  const lon = new Float64Array(width * height);
  const lat = new Float64Array(width * height);
  for (let r = 0; r < height; r++) {
    const j = Math.min(Math.floor(r / step), ny - 2);
    const fy = (r - j * step) / step;
    for (let c = 0; c < width; c++) {
      const i = Math.min(Math.floor(c / step), nx - 2);
      const fx = (c - i * step) / step;
      const k = j * nx + i;
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      const o = r * width + c;
      lon[o] = lx[k] * w00 + lx[k + 1] * w10 + lx[k + nx] * w01 + lx[k + nx + 1] * w11;
      lat[o] = ly[k] * w00 + ly[k + 1] * w10 + ly[k + nx] * w01 + ly[k + nx + 1] * w11;
    }
  }
  return { lon, lat };
}

/** Lon/lat ring (closed, counter-clockwise) of a UTM polygon given by its vertices, densified along edges. */
export function utmRingToLonLat(epsg: number, ring: [number, number][], densify = 4): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < ring.length; i++) {
    const [x0, y0] = ring[i];
    const [x1, y1] = ring[(i + 1) % ring.length];
    for (let k = 0; k < densify; k++) {
      const t = k / densify;
      const [lon, lat] = utmToLonLat(epsg, x0 + (x1 - x0) * t, y0 + (y1 - y0) * t);
      out.push([round(lon, 7), round(lat, 7)]);
    }
  }
  out.push(out[0]);
  return out;
}

export function ringBBox(ring: [number, number][]): BBox {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const [x, y] of ring) {
    w = Math.min(w, x);
    e = Math.max(e, x);
    s = Math.min(s, y);
    n = Math.max(n, y);
  }
  return [w, s, e, n];
}

export function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

const BAND_LETTERS = 'CDEFGHJKLMNPQRSTUVWX';
const COLUMN_SETS = ['STUVWXYZ', 'ABCDEFGH', 'JKLMNPQR'];
const ROW_LETTERS = 'ABCDEFGHJKLMNPQRSTUV';

/**
 * MGRS parts of a UTM point: zone, latitude band and the 100 km square letters (AA scheme, WGS84).
 * Checked against Earth Search tiles 20EPT (EPSG:32720, x 600000, y 3300040) and 29RKH.
 */
export function mgrsOf(epsg: number, x: number, y: number): { utmZone: number; latitudeBand: string; gridSquare: string; code: string } {
  const { zone } = utmZoneOf(epsg);
  const [, lat] = utmToLonLat(epsg, x, y);
  const band = BAND_LETTERS[Math.min(19, Math.max(0, Math.floor((lat + 80) / 8)))];
  const col = COLUMN_SETS[zone % 3][Math.floor(x / 100000) - 1];
  const rowIndex = (Math.floor(y / 100000) + (zone % 2 === 0 ? 5 : 0)) % 20;
  const square = `${col}${ROW_LETTERS[rowIndex]}`;
  return { utmZone: zone, latitudeBand: band, gridSquare: square, code: `${zone}${band}${square}` };
}

/** Sun azimuth (degrees from north, clockwise) and elevation at a place and instant (NOAA low-accuracy formulas, ~0.5 deg). */
export function sunPosition(lon: number, lat: number, isoTime: string): { azimuth: number; elevation: number } {
  const t = new Date(isoTime);
  const start = Date.UTC(t.getUTCFullYear(), 0, 1);
  const doy = Math.floor((t.getTime() - start) / 86400000) + 1;
  const hours = t.getUTCHours() + t.getUTCMinutes() / 60 + t.getUTCSeconds() / 3600;
  const g = ((2 * Math.PI) / 365) * (doy - 1 + (hours - 12) / 24);
  const eqTime = 229.18 * (0.000075 + 0.001868 * Math.cos(g) - 0.032077 * Math.sin(g) - 0.014615 * Math.cos(2 * g) - 0.040849 * Math.sin(2 * g));
  const decl =
    0.006918 - 0.399912 * Math.cos(g) + 0.070257 * Math.sin(g) - 0.006758 * Math.cos(2 * g) + 0.000907 * Math.sin(2 * g) - 0.002697 * Math.cos(3 * g) + 0.00148 * Math.sin(3 * g);
  const trueSolarMin = hours * 60 + eqTime + 4 * lon;
  const ha = ((trueSolarMin / 4 - 180) * Math.PI) / 180;
  const phi = (lat * Math.PI) / 180;
  const cosZen = Math.sin(phi) * Math.sin(decl) + Math.cos(phi) * Math.cos(decl) * Math.cos(ha);
  const zen = Math.acos(Math.min(1, Math.max(-1, cosZen)));
  const az = Math.atan2(Math.sin(ha), Math.cos(ha) * Math.sin(phi) - Math.tan(decl) * Math.cos(phi));
  return { azimuth: ((az * 180) / Math.PI + 180 + 360) % 360, elevation: 90 - (zen * 180) / Math.PI };
}

/** Day of year (1..366) of an ISO instant, UTC. */
export function dayOfYear(isoTime: string): number {
  const t = new Date(isoTime);
  return Math.floor((t.getTime() - Date.UTC(t.getUTCFullYear(), 0, 1)) / 86400000) + 1;
}
