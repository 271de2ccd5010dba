// Hand-written SVG charts: class-share bars (population vs every policy) and an equirectangular world
// map of the sampled cells with a lat/lon graticule. Plain strings, no chart library: the pictures are
// simple and must render identically in a browser and in resvg (for the PNG copies).
import type { SampleReport } from './build.js';
import { escapeXml } from '../../svg-to-png.js';
import { classColourCss, WORLDCOVER_NAMES } from '../../landcover/worldcover.js';

/** Series colours: grey for the population, then distinct hues for policies (colour-blind friendly order). */
export const SERIES_COLOURS = ['#9e9e9e', '#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
const FONT = 'font-family="DejaVu Sans, Arial, sans-serif"';


/** Grouped horizontal bars: one group per class, one bar per series (filtered population + each policy). */
export function classShareBarsSvg(r: SampleReport): string {
  return shareBarsSvg(`Class pixel share: population vs sample (seed ${r.seed})`, [
    { name: 'population (after filters)', share: r.filtered.classShare },
    ...r.policies.map((p) => ({ name: p.label, share: p.classShare })),
  ]);
}

/** Grouped horizontal bars of class shares (keys: WorldCover codes as strings), one bar per series. */
export function shareBarsSvg(title: string, series: { name: string; share: Record<string, number> }[]): string {
  const codes = Object.keys(series[0]?.share ?? {});
  const bar = 11;
  const groupGap = 10;
  const groupH = series.length * bar + groupGap;
  const left = 190;
  const plotW = 560;
  const top = 50;
  const legendH = series.length * 18 + 10;
  const height = top + codes.length * groupH + 40 + legendH;
  const width = left + plotW + 90;
  let max = 0;
  for (const s of series) for (const c of codes) max = Math.max(max, s.share[c] ?? 0);
  const scaleMax = Math.max(0.05, Math.ceil(max * 20) / 20); // round up to 5 %
  const x = (v: number) => left + (v / scaleMax) * plotW;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`);
  parts.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  parts.push(`<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold" ${FONT}>${escapeXml(title)}</text>`);
  // Vertical grid every 5 %.
  for (let v = 0; v <= scaleMax + 1e-9; v += 0.05) {
    const gx = x(v).toFixed(1);
    parts.push(`<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${top + codes.length * groupH}" stroke="#dddddd"/>`);
    parts.push(`<text x="${gx}" y="${top + codes.length * groupH + 16}" text-anchor="middle" font-size="11" ${FONT}>${Math.round(v * 100)}%</text>`);
  }
  codes.forEach((code, gi) => {
    const gy = top + gi * groupH;
    parts.push(`<rect x="8" y="${gy + 2}" width="12" height="12" fill="${classColourCss(Number(code))}" stroke="#555"/>`);
    parts.push(`<text x="26" y="${gy + 13}" font-size="12" ${FONT}>${escapeXml(`${code} ${WORLDCOVER_NAMES[Number(code)]}`)}</text>`);
    series.forEach((s, si) => {
      const v = s.share[code] ?? 0;
      const y = gy + si * bar;
      parts.push(`<rect x="${left}" y="${y}" width="${(x(v) - left).toFixed(2)}" height="${bar - 2}" fill="${SERIES_COLOURS[si % SERIES_COLOURS.length]}"/>`);
      parts.push(`<text x="${(x(v) + 4).toFixed(1)}" y="${y + bar - 3}" font-size="9" ${FONT}>${(v * 100).toFixed(1)}%</text>`);
    });
  });
  const ly = top + codes.length * groupH + 34;
  series.forEach((s, si) => {
    const y = ly + si * 18;
    parts.push(`<rect x="${left}" y="${y}" width="14" height="12" fill="${SERIES_COLOURS[si % SERIES_COLOURS.length]}"/>`);
    parts.push(`<text x="${left + 20}" y="${y + 11}" font-size="12" ${FONT}>${escapeXml(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

export interface MapPoints {
  lon: ArrayLike<number>;
  lat: ArrayLike<number>;
}

/** Above this many points a layer is drawn as 1-degree bins instead of dots, to keep the SVG small. */
export const MAX_DOTS = 20000;

/** Map window in degrees: [west, south, east, north]. */
export type MapWindow = [number, number, number, number];

const NICE_STEPS = [0.25, 0.5, 1, 2, 5, 10, 15, 30];

/**
 * The whole world when the cells spread over more than a third of it; otherwise their bounding box
 * padded by 10 % (at least 1 degree) and snapped outward to a graticule step, so a one-region run
 * is not a dot in an empty world.
 */
export function mapWindow(pts: MapPoints): { window: MapWindow; step: number } {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (let i = 0; i < pts.lon.length; i++) {
    w = Math.min(w, pts.lon[i]);
    e = Math.max(e, pts.lon[i]);
    s = Math.min(s, pts.lat[i]);
    n = Math.max(n, pts.lat[i]);
  }
  if (!(e >= w) || e - w > 120 || n - s > 60) return { window: [-180, -90, 180, 90], step: 30 };
  const pad = Math.max(1, 0.1 * Math.max(e - w, n - s));
  const span = Math.max(e - w, n - s) + 2 * pad;
  const step = NICE_STEPS.find((st) => span / st <= 8) ?? 30;
  return {
    window: [
      Math.max(-180, Math.floor((w - pad) / step) * step),
      Math.max(-90, Math.floor((s - pad) / step) * step),
      Math.min(180, Math.ceil((e + pad) / step) * step),
      Math.min(90, Math.ceil((n + pad) / step) * step),
    ],
    step,
  };
}

const fmtDeg = (v: number, pos: string, neg: string) => `${+Math.abs(v).toFixed(2)}${v > 0 ? pos : v < 0 ? neg : ''}`;

/**
 * Equirectangular map of the filtered population (grey) and the sampled cells (coloured), with a
 * lat/lon graticule. Layers with more than MAX_DOTS points are drawn as small bins instead of dots.
 * The window is the world, or the cells' region when they are concentrated (mapWindow).
 */
export function worldMapSvg(title: string, population: MapPoints, sample: MapPoints, colour: string): string {
  const { window: win, step } = mapWindow(population.lon.length > 0 ? population : sample);
  const [w0, s0, e0, n0] = win;
  const scale = Math.min(720 / (e0 - w0), 400 / (n0 - s0)); // px per degree
  const ml = 50;
  const mt = 40;
  const W = (e0 - w0) * scale;
  const H = (n0 - s0) * scale;
  const width = Math.max(W + ml + 20, 560);
  const height = H + mt + 40;
  const px = (lon: number) => ml + (lon - w0) * scale;
  const py = (lat: number) => mt + (n0 - lat) * scale;
  const binDeg = Math.max((e0 - w0) / 360, (n0 - s0) / 180);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width.toFixed(0)}" height="${height.toFixed(0)}" viewBox="0 0 ${width.toFixed(1)} ${height.toFixed(1)}">`);
  parts.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  parts.push(`<text x="${(width / 2).toFixed(1)}" y="24" text-anchor="middle" font-size="15" font-weight="bold" ${FONT}>${escapeXml(title)}</text>`);
  parts.push(`<rect x="${ml}" y="${mt}" width="${W.toFixed(1)}" height="${H.toFixed(1)}" fill="#f4f8fb" stroke="#333"/>`);
  for (let lon = Math.ceil(w0 / step) * step; lon <= e0 + 1e-9; lon += step) {
    if (lon <= w0 + 1e-9 || lon >= e0 - 1e-9) continue;
    parts.push(`<line x1="${px(lon).toFixed(1)}" y1="${mt}" x2="${px(lon).toFixed(1)}" y2="${(mt + H).toFixed(1)}" stroke="#c8d3dc" stroke-width="0.8"/>`);
    parts.push(`<text x="${px(lon).toFixed(1)}" y="${(mt + H + 14).toFixed(1)}" text-anchor="middle" font-size="10" ${FONT}>${fmtDeg(lon, 'E', 'W')}</text>`);
  }
  for (let lat = Math.ceil(s0 / step) * step; lat <= n0 + 1e-9; lat += step) {
    if (lat <= s0 + 1e-9 || lat >= n0 - 1e-9) continue;
    parts.push(`<line x1="${ml}" y1="${py(lat).toFixed(1)}" x2="${(ml + W).toFixed(1)}" y2="${py(lat).toFixed(1)}" stroke="#c8d3dc" stroke-width="0.8"/>`);
    parts.push(`<text x="${ml - 4}" y="${(py(lat) + 3).toFixed(1)}" text-anchor="end" font-size="10" ${FONT}>${fmtDeg(lat, 'N', 'S')}</text>`);
  }
  parts.push(pointsLayer(population, '#8a8a8a', 0.55, 1.3, { px, py, binDeg, scale, w0, s0 }, 0.15, 0.75));
  parts.push(pointsLayer(sample, colour, 0.9, 2.2, { px, py, binDeg, scale, w0, s0 }, 0.35, 1));
  const ly = height - 17;
  parts.push(`<circle cx="${ml + 5}" cy="${ly}" r="4" fill="#8a8a8a"/>`);
  parts.push(`<text x="${ml + 14}" y="${ly + 4}" font-size="11" ${FONT}>cells after filters (${population.lon.length})</text>`);
  parts.push(`<circle cx="${ml + 255}" cy="${ly}" r="4" fill="${colour}"/>`);
  parts.push(`<text x="${ml + 263}" y="${ly + 4}" font-size="11" ${FONT}>sampled cells (${sample.lon.length})</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

interface Frame {
  px: (lon: number) => number;
  py: (lat: number) => number;
  binDeg: number;
  scale: number;
  w0: number;
  s0: number;
}

/** Dots when there are few points, else bins of binDeg degrees with opacity growing with log(count). */
function pointsLayer(pts: MapPoints, colour: string, dotOpacity: number, r: number, f: Frame, minOpacity: number, maxOpacity: number): string {
  if (pts.lon.length <= MAX_DOTS) {
    const dots: string[] = [];
    for (let i = 0; i < pts.lon.length; i++) dots.push(`<circle cx="${f.px(pts.lon[i]).toFixed(1)}" cy="${f.py(pts.lat[i]).toFixed(1)}" r="${r}"/>`);
    return `<g fill="${colour}" fill-opacity="${dotOpacity}">${dots.join('')}</g>`;
  }
  const counts = new Map<number, number>();
  const nx = Math.ceil(360 / f.binDeg) + 1;
  for (let i = 0; i < pts.lon.length; i++) {
    const gx = Math.floor((pts.lon[i] - f.w0) / f.binDeg);
    const gy = Math.floor((pts.lat[i] - f.s0) / f.binDeg);
    const key = gy * nx + gx;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let max = 1;
  for (const v of counts.values()) max = Math.max(max, v);
  const size = (f.binDeg * f.scale).toFixed(2);
  const rects: string[] = [];
  for (const [key, v] of counts) {
    const gx = key % nx;
    const gy = Math.floor(key / nx);
    const op = minOpacity + (maxOpacity - minOpacity) * (Math.log(1 + v) / Math.log(1 + max));
    rects.push(`<rect x="${f.px(f.w0 + gx * f.binDeg).toFixed(1)}" y="${f.py(f.s0 + (gy + 1) * f.binDeg).toFixed(1)}" width="${size}" height="${size}" fill-opacity="${op.toFixed(2)}"/>`);
  }
  return `<g fill="${colour}">${rects.join('')}</g>`;
}
