// Pixel synthesis of the demo world. Pure functions over typed arrays: no files, no GDAL.
//
// Per place, the landscape (class, field parcel, texture) is rendered once on a 10 m UTM grid that
// covers both S2 tiles and the S1 footprint. Each S2 datatake then adds its own clouds, cirrus,
// cloud shadows, swath edge, illumination and haze; each band is rendered at 10 m, averaged to its
// native 10/20/60 m pixels and given sensor noise keyed by the pixel's UTM position (so two tiles of
// one datatake agree exactly where they overlap, as real overlapping MGRS tiles do).

import { StageError } from '../errors.js';
import { utmGridLonLat, sunPosition, utmToLonLat } from './geo.js';
import { fbm, hash32, hashUnit, latticeHash, pixelGauss, smoothstep, stringKey } from './noise.js';
import type { PixelGrid } from './plan.js';
import {
  CIRRUS,
  CLASS_SPECTRA,
  CLOUD,
  NOISE_SIGMA,
  PATH_RADIANCE,
  SAR_GAMMA0,
  SAR_SOIL,
  SCL,
  SOIL,
  TRANSMITTANCE,
  VEGETATED,
  sclOfClass,
} from './spectra.js';
import { renderLand } from './truth.js';
import { DEMO_SEED, type DemoPlace, type DemoS1Scene, type DemoS2Scene, type SwathEdge } from './world.js';

/** The landscape of a place on its 10 m UTM grid. */
export interface PlaceRaster {
  place: DemoPlace;
  grid: PixelGrid;
  cls: Uint8Array;
  /** Field parcel key per pixel (0 outside fields). */
  parcel: Uint32Array;
  /** Smooth multi-scale texture in about [-1, 1] (within-class variation: vigour, roughness, brightness). */
  tex: Float32Array;
}

export function renderPlace(place: DemoPlace, grid: PixelGrid): PlaceRaster {
  const n = grid.width * grid.height;
  const { lon, lat } = utmGridLonLat(grid.epsg, grid.x0, grid.y0, grid.res, grid.width, grid.height);
  const cls = new Uint8Array(n);
  const parcel = new Uint32Array(n);
  renderLand(place, lon, lat, cls, parcel);
  const tex = new Float32Array(n);
  const s = hash32(DEMO_SEED, stringKey(place.id), 0x7e7);
  for (let r = 0; r < grid.height; r++) {
    const y = grid.y0 - (r + 0.5) * grid.res;
    for (let c = 0; c < grid.width; c++) {
      const x = grid.x0 + (c + 0.5) * grid.res;
      tex[r * grid.width + c] = 0.65 * fbm(s, x / 450, y / 450, 3) + 0.35 * fbm(s + 1, x / 70, y / 70, 2);
    }
  }
  return { place, grid, cls, parcel, tex };
}

/** Integer key of a scene (place + sensor + index), the root of all its randomness. */
export function sceneKey(place: DemoPlace, sensor: 's1' | 's2', index: number): number {
  return hash32(DEMO_SEED, stringKey(place.id), sensor === 's2' ? 2 : 1, index);
}

/** Share of green cover of a field parcel at a scene (crop calendar stand-in); 1 for other vegetation. */
function greenFraction(cls: number, parcel: number, key: number): number {
  if (parcel === 0) return VEGETATED.has(cls) ? 1 : 0;
  const u = hashUnit(parcel, key, 0x6e);
  if (cls === 40) return u < 0.3 ? 0.05 : u < 0.5 ? 0.45 : 0.92;
  if (cls === 30) return 0.75 + 0.25 * u;
  return 1;
}

/** What a datatake adds on top of the landscape, on the place's 10 m grid. */
export interface SceneFields {
  key: number;
  /** Opaque cloud opacity 0..1. */
  alpha: Float32Array;
  /** Thin cirrus opacity 0..1. */
  beta: Float32Array;
  /** Cloud-shadow darkness 0..1. */
  shadow: Float32Array;
  /** Green cover of each pixel's vegetation at this date, 0..1. */
  green: Float32Array;
  /** Vegetation vigour (vegetated pixels) or brightness factor (others), from season and texture. */
  vigour: Float32Array;
  /** Illumination x shadow darkening. */
  shade: Float32Array;
  illumination: number;
  haze: number;
}

/** Clouds are smooth at 40 m; render them there and interpolate to 10 m. */
const CLOUD_RES = 40;
const CLOUD_HEIGHT_M = 1500;

export function renderSceneFields(pr: PlaceRaster, scene: DemoS2Scene, index: number): SceneFields {
  const { grid, place } = pr;
  const key = sceneKey(place, 's2', index);
  const n = grid.width * grid.height;
  const [clon, clat] = utmToLonLat(grid.epsg, grid.x0 + (grid.width * grid.res) / 2, grid.y0 - (grid.height * grid.res) / 2);
  const sun = sunPosition(clon, clat, scene.datetime);
  // Shadow lies away from the sun, at the cloud height times tan(zenith).
  const reach = CLOUD_HEIGHT_M / Math.tan((Math.max(sun.elevation, 10) * Math.PI) / 180);
  const az = (sun.azimuth * Math.PI) / 180;
  const sdx = reach * Math.sin(az);
  const sdy = reach * Math.cos(az);
  // Cloud field on a coarse grid with a margin wide enough for the shadow offset.
  const margin = Math.ceil((Math.abs(reach) + 200) / CLOUD_RES) * CLOUD_RES;
  const cw = (grid.width * grid.res + 2 * margin) / CLOUD_RES + 1;
  const ch = (grid.height * grid.res + 2 * margin) / CLOUD_RES + 1;
  const cx0 = grid.x0 - margin;
  const cy0 = grid.y0 + margin;
  const field = new Float32Array(cw * ch);
  const ck = hash32(key, 0xc10d);
  for (let j = 0; j < ch; j++) for (let i = 0; i < cw; i++) field[j * cw + i] = fbm(ck, (cx0 + i * CLOUD_RES) / 2200, (cy0 - j * CLOUD_RES) / 2200, 5);
  // Threshold at the (1 - cover) quantile of the field inside the coverage, so `cloud` is the cloudy share.
  const inner: number[] = [];
  const m = margin / CLOUD_RES;
  for (let j = m; j < ch - m; j += 2) for (let i = m; i < cw - m; i += 2) inner.push(field[j * cw + i]);
  inner.sort((a, b) => a - b);
  const t = inner[Math.min(inner.length - 1, Math.floor((1 - scene.cloud) * inner.length))];
  const opacity = (f: number) => (scene.cloud <= 0 ? 0 : smoothstep(t - 0.05, t + 0.1, f));
  const sampleField = (x: number, y: number): number => {
    const fx = (x - cx0) / CLOUD_RES;
    const fy = (cy0 - y) / CLOUD_RES;
    const i = Math.min(cw - 2, Math.max(0, Math.floor(fx)));
    const j = Math.min(ch - 2, Math.max(0, Math.floor(fy)));
    const ax = fx - i;
    const ay = fy - j;
    const k = j * cw + i;
    return (field[k] * (1 - ax) + field[k + 1] * ax) * (1 - ay) + (field[k + cw] * (1 - ax) + field[k + cw + 1] * ax) * ay;
  };
  const alpha = new Float32Array(n);
  const beta = new Float32Array(n);
  const shadow = new Float32Array(n);
  const green = new Float32Array(n);
  const vigour = new Float32Array(n);
  const shade = new Float32Array(n);
  const illumination = 0.93 + 0.14 * hashUnit(key, 1);
  const bk = hash32(key, 0xc1e5);
  for (let r = 0; r < grid.height; r++) {
    const y = grid.y0 - (r + 0.5) * grid.res;
    for (let c = 0; c < grid.width; c++) {
      const x = grid.x0 + (c + 0.5) * grid.res;
      const i = r * grid.width + c;
      const a = opacity(sampleField(x, y));
      alpha[i] = a;
      // The pixel is shadowed by the cloud that sits between it and the sun.
      shadow[i] = a > 0.5 ? 0 : opacity(sampleField(x + sdx, y + sdy)) * (1 - a);
      beta[i] = scene.cirrus > 0 ? scene.cirrus * smoothstep(0.05, 0.55, fbm(bk, x / 5000, y / 1500, 3)) : 0;
      green[i] = greenFraction(pr.cls[i], pr.parcel[i], key);
      const t = pr.tex[i];
      vigour[i] = VEGETATED.has(pr.cls[i]) ? scene.greenness * (1 + 0.15 * t) : 1 + 0.12 * t;
      shade[i] = illumination * (1 - 0.6 * shadow[i]);
    }
  }
  return { key, alpha, beta, shadow, green, vigour, shade, illumination, haze: 0.7 + 0.6 * hashUnit(key, 2) };
}

/** Class spectra as a flat table [classCode * 13 + band] for the inner loops; vegetated flag per code. */
const SPECTRUM_TABLE = new Float32Array(256 * 13);
const VEGETATED_CODE = new Uint8Array(256);
const SAR_TABLE = new Float32Array(256 * 2);
for (const [code, [vv, vh]] of Object.entries(SAR_GAMMA0)) {
  SAR_TABLE[Number(code) * 2] = vv;
  SAR_TABLE[Number(code) * 2 + 1] = vh;
}
for (const [code, spec] of Object.entries(CLASS_SPECTRA)) {
  spec.forEach((v, b) => (SPECTRUM_TABLE[Number(code) * 13 + b] = v));
  VEGETATED_CODE[Number(code)] = VEGETATED.has(Number(code)) ? 1 : 0;
}

/**
 * Surface reflectance (what L2A holds) of one band at 10 m, before sensor noise: class spectrum (mixed
 * with bare soil by a field's green cover), vigour or brightness texture, illumination and cloud
 * shadow, then opaque cloud and cirrus on top. Not for B10, which has no surface signal.
 */
export function renderSurfaceBand(pr: PlaceRaster, sf: SceneFields, band: number, out: Float32Array): Float32Array {
  // How vigour acts on this band: fully in the NIR plateau, inversely (weaker) in the visible and SWIR.
  const k = band >= 5 && band <= 9 ? 1 : band <= 4 ? -0.3 : -0.2;
  const soil = SOIL[band];
  const cloud = CLOUD[band];
  const cirrus = CIRRUS[band];
  const { cls, parcel } = pr;
  const { green, vigour, shade, alpha, beta } = sf;
  for (let i = 0; i < out.length; i++) {
    const c = cls[i];
    let v = SPECTRUM_TABLE[c * 13 + band];
    if (parcel[i] !== 0) v = soil + (v - soil) * green[i];
    const m = vigour[i];
    v *= (VEGETATED_CODE[c] ? 1 + k * (m - 1) : m) * shade[i];
    const a = alpha[i];
    out[i] = (1 - a) * v + a * cloud + beta[i] * cirrus;
  }
  return out;
}

/** Top-of-atmosphere (L1C) reflectance from surface reflectance: affine per band, so it commutes with averaging. */
export function toTopOfAtmosphere(surface: Float32Array, sf: SceneFields, band: number): Float32Array {
  const out = new Float32Array(surface.length);
  const t = TRANSMITTANCE[band];
  const p = PATH_RADIANCE[band] * sf.haze;
  for (let i = 0; i < out.length; i++) out[i] = surface[i] * t + p;
  return out;
}

/** B10 (cirrus, 1.375 um) top-of-atmosphere at 10 m: water vapour hides the surface; high cirrus and cloud tops show. */
export function renderCirrusBand(sf: SceneFields, out: Float32Array): Float32Array {
  const base = 0.0015 * sf.haze;
  for (let i = 0; i < out.length; i++) out[i] = base + 0.28 * sf.beta[i] + 0.06 * sf.alpha[i];
  return out;
}

/** Offset in 10 m pixels of a target grid inside the place grid, and its block factor. */
function windowOf(src: PixelGrid, dst: PixelGrid): { ox: number; oy: number; k: number } {
  const k = dst.res / src.res;
  const ox = (dst.x0 - src.x0) / src.res;
  const oy = (src.y0 - dst.y0) / src.res;
  if (!Number.isInteger(k) || !Number.isInteger(ox) || !Number.isInteger(oy) || ox < 0 || oy < 0) {
    throw new StageError('demo', `grid ${JSON.stringify(dst)} is not an aligned window of ${JSON.stringify(src)}`);
  }
  return { ox, oy, k };
}

/** Block-average a 10 m field into an aligned window at a coarser (or equal) resolution. */
export function averageToGrid(src: Float32Array, srcGrid: PixelGrid, dst: PixelGrid): Float32Array {
  const { ox, oy, k } = windowOf(srcGrid, dst);
  const out = new Float32Array(dst.width * dst.height);
  if (k === 1) {
    for (let r = 0; r < dst.height; r++) out.set(src.subarray((oy + r) * srcGrid.width + ox, (oy + r) * srcGrid.width + ox + dst.width), r * dst.width);
    return out;
  }
  const inv = 1 / (k * k);
  for (let r = 0; r < dst.height; r++) {
    for (let c = 0; c < dst.width; c++) {
      let s = 0;
      for (let j = 0; j < k; j++) {
        const row = (oy + r * k + j) * srcGrid.width + ox + c * k;
        for (let i = 0; i < k; i++) s += src[row + i];
      }
      out[r * dst.width + c] = s * inv;
    }
  }
  return out;
}

/** 1 where a pixel centre lies inside the acquisition's swath, 0 beyond its edge (nodata). */
export function swathMask(place: DemoPlace, edge: SwathEdge | undefined, grid: PixelGrid): Uint8Array {
  const mask = new Uint8Array(grid.width * grid.height).fill(1);
  if (!edge) return mask;
  const px = place.centreUtm[0] + edge.x;
  const py = place.centreUtm[1] + edge.y;
  const a = (edge.angleDeg * Math.PI) / 180;
  for (let r = 0; r < grid.height; r++) {
    const y = grid.y0 - (r + 0.5) * grid.res;
    for (let c = 0; c < grid.width; c++) {
      const x = grid.x0 + (c + 0.5) * grid.res;
      if ((x - px) * Math.cos(a) - (y - py) * Math.sin(a) > 0) mask[r * grid.width + c] = 0;
    }
  }
  return mask;
}

/**
 * Digital numbers as the ground segment writes them: reflectance * 10000, plus 1000 from processing
 * baseline 04.00 on; 0 is nodata, so valid pixels are clamped to >= 1. Sensor noise is keyed by the
 * pixel's UTM position, band and level, so overlapping tiles of a datatake carry the same values.
 */
export function encodeDn(values: Float32Array, grid: PixelGrid, valid: Uint8Array, key: number, band: number, level: 'L1C' | 'L2A', addOffset: boolean): Uint16Array {
  const out = new Uint16Array(values.length);
  const sigma = NOISE_SIGMA[band];
  const seed = hash32(key, band, level === 'L1C' ? 1 : 2);
  const add = addOffset ? 1000 : 0;
  const gx0 = Math.round(grid.x0 / grid.res);
  const gy0 = Math.round(grid.y0 / grid.res);
  for (let r = 0; r < grid.height; r++) {
    for (let c = 0; c < grid.width; c++) {
      const i = r * grid.width + c;
      if (!valid[i]) continue;
      const v = values[i] + sigma * pixelGauss(seed, gx0 + c, gy0 - r);
      out[i] = Math.min(65535, Math.max(1, Math.round(v * 10000) + add));
    }
  }
  return out;
}

/** Scene classification at 20 m from the landscape and the scene's clouds (0 where not valid). */
export function renderScl(pr: PlaceRaster, sf: SceneFields, dst: PixelGrid, valid: Uint8Array): Uint8Array {
  const { ox, oy, k } = windowOf(pr.grid, dst);
  const W = pr.grid.width;
  const out = new Uint8Array(dst.width * dst.height);
  const counts = new Map<number, number>();
  for (let r = 0; r < dst.height; r++) {
    for (let c = 0; c < dst.width; c++) {
      const o = r * dst.width + c;
      if (!valid[o]) continue;
      let a = 0;
      let b = 0;
      let s = 0;
      counts.clear();
      let bestCls = 0;
      let bestN = 0;
      let bestIdx = 0;
      for (let j = 0; j < k; j++) {
        for (let i = 0; i < k; i++) {
          const idx = (oy + r * k + j) * W + ox + c * k + i;
          a += sf.alpha[idx];
          b += sf.beta[idx];
          s += sf.shadow[idx];
          const cl = pr.cls[idx];
          const nn = (counts.get(cl) ?? 0) + 1;
          counts.set(cl, nn);
          if (nn > bestN) {
            bestN = nn;
            bestCls = cl;
            bestIdx = idx;
          }
        }
      }
      const kk = k * k;
      a /= kk;
      b /= kk;
      s /= kk;
      let code: number;
      if (a > 0.6) code = SCL.cloudHigh;
      else if (a > 0.25) code = SCL.cloudMedium;
      else if (b > 0.12) code = SCL.thinCirrus;
      else if (s > 0.3) code = SCL.cloudShadow;
      else if (hashUnit(sf.key, 0x5c1, ox + c, oy + r) < 0.004) code = SCL.unclassified;
      else code = sclOfClass(bestCls, sf.green[bestIdx]);
      out[o] = code;
    }
  }
  return out;
}

/** Percentages of an SCL raster as Earth Search reports them (of valid pixels; nodata of all pixels). */
export interface SclStats {
  nodata: number;
  cloud: number;
  high: number;
  medium: number;
  cirrus: number;
  shadow: number;
  vegetation: number;
  notVegetated: number;
  water: number;
  unclassified: number;
  snow: number;
  darkArea: number;
  saturated: number;
}

export function sclStats(scl: Uint8Array): SclStats {
  const h = new Array<number>(12).fill(0);
  for (const v of scl) h[v]++;
  const valid = scl.length - h[0];
  const pct = (n: number) => (valid === 0 ? 0 : Math.round((1e8 * n) / valid) / 1e6);
  return {
    nodata: Math.round((1e8 * h[0]) / scl.length) / 1e6,
    cloud: pct(h[8] + h[9] + h[10]),
    high: pct(h[9]),
    medium: pct(h[8]),
    cirrus: pct(h[10]),
    shadow: pct(h[3]),
    vegetation: pct(h[4]),
    notVegetated: pct(h[5]),
    water: pct(h[6]),
    unclassified: pct(h[7]),
    snow: pct(h[11]),
    darkArea: pct(h[2]),
    saturated: pct(h[1]),
  };
}

/**
 * Sentinel-1 gamma0 (linear power, float32) for one polarisation on the place's 10 m grid: class
 * backscatter x texture x incidence-angle falloff across the swath x multiplicative speckle (4 looks).
 */
export function renderSar(pr: PlaceRaster, scene: DemoS1Scene, index: number, pol: 'VV' | 'VH'): Float32Array {
  const { grid } = pr;
  const key = sceneKey(pr.place, 's1', index);
  const p = pol === 'VV' ? 0 : 1;
  const out = new Float32Array(grid.width * grid.height);
  const rough = scene.waterRoughness;
  const waterFactor = p === 0 ? rough : Math.sqrt(rough);
  const seedA = hash32(key, p, 0xa);
  const seedB = hash32(key, p, 0xb);
  for (let r = 0; r < grid.height; r++) {
    for (let c = 0; c < grid.width; c++) {
      const i = r * grid.width + c;
      const cls = pr.cls[i];
      let g = SAR_TABLE[cls * 2 + p];
      if (cls === 40 && pr.parcel[i] !== 0) g = SAR_SOIL[p] + (g - SAR_SOIL[p]) * greenFraction(cls, pr.parcel[i], key);
      const t = pr.tex[i];
      if (cls === 80) g *= waterFactor;
      else g *= 1 + (cls === 50 ? 0.5 : VEGETATED_CODE[cls] ? 0.3 : 0.2) * t;
      // Right-looking radar: ascending passes look east, descending west; backscatter falls with range.
      const u = c / grid.width;
      g *= scene.orbitState === 'ascending' ? 1.12 - 0.24 * u : 0.88 + 0.24 * u;
      const gx = Math.round(grid.x0 / grid.res) + c;
      const gy = Math.round(grid.y0 / grid.res) - r;
      // 4-look speckle: mean of four unit exponentials = -ln(u1 u2 u3 u4) / 4, uniforms from two hashes.
      const h1 = latticeHash(seedA, gx, gy);
      const h2 = latticeHash(seedB, gx, gy);
      const prod = (((h1 & 0xffff) + 0.5) / 65536) * (((h1 >>> 16) + 0.5) / 65536) * (((h2 & 0xffff) + 0.5) / 65536) * (((h2 >>> 16) + 0.5) / 65536);
      out[i] = g * (-Math.log(prod) / 4);
    }
  }
  // Keep 12 significant bits (0.02 % relative, far below speckle): the float predictor + DEFLATE then
  // compresses the rasters well instead of storing meaningless low mantissa bits.
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) bits[i] = (bits[i] + 0x400) & 0xfffff800;
  if (scene.swathEdge) {
    const valid = swathMask(pr.place, scene.swathEdge, grid);
    for (let i = 0; i < out.length; i++) if (!valid[i]) out[i] = S1_NODATA;
  }
  return out;
}

/** Nodata of the S1 rasters: a value gamma0 can never take (0 could be a valid, if extreme, backscatter). */
export const S1_NODATA = -32768;

/** WorldCover-style class map on an EPSG:4326 grid: the truth function at each pixel centre. */
export function renderWorldCover(place: DemoPlace, grid: PixelGrid): Uint8Array {
  const n = grid.width * grid.height;
  const lon = new Float64Array(n);
  const lat = new Float64Array(n);
  for (let r = 0; r < grid.height; r++) {
    const y = grid.y0 - (r + 0.5) * grid.res;
    for (let c = 0; c < grid.width; c++) {
      lon[r * grid.width + c] = grid.x0 + (c + 0.5) * grid.res;
      lat[r * grid.width + c] = y;
    }
  }
  const cls = new Uint8Array(n);
  renderLand(place, lon, lat, cls);
  return cls;
}

/** 8-bit true-colour preview from three reflectance rasters (0..0.3 stretched to 1..255, 0 = nodata). */
export function previewRgb(red: Float32Array, green: Float32Array, blue: Float32Array, valid: Uint8Array): Uint8Array[] {
  return [red, green, blue].map((src) => {
    const out = new Uint8Array(src.length);
    for (let i = 0; i < src.length; i++) if (valid[i]) out[i] = Math.min(255, Math.max(1, Math.round((src[i] / 0.3) * 255)));
    return out;
  });
}
