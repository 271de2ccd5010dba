// Hand-written SVG charts: class-share bars (population vs every policy) and an equirectangular world
// map of the sampled cells with a lat/lon graticule. Plain strings, no chart library: the pictures are
// simple and must render identically in a browser and in resvg (for the PNG copies).
import { CLASS_COLOURS } from '../classes.js';
import { WORLDCOVER_NAMES } from '../../model/types.js';
import type { SampleReport } from './build.js';

/** Series colours: grey for the population, then distinct hues for policies (colour-blind friendly order). */
export const SERIES_COLOURS = ['#9e9e9e', '#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
const FONT = 'font-family="DejaVu Sans, Arial, sans-serif"';

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Grouped horizontal bars: one group per class, one bar per series (filtered population + each policy). */
export function classShareBarsSvg(r: SampleReport): string {
  const series: { name: string; share: Record<string, number> }[] = [
    { name: 'population (after filters)', share: r.filtered.classShare },
    ...r.policies.map((p) => ({ name: p.label, share: p.classShare })),
  ];
  const codes = Object.keys(r.filtered.classShare);
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
  parts.push(`<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold" ${FONT}>Class pixel share: population vs sample (seed ${r.seed})</text>`);
  // Vertical grid every 5 %.
  for (let v = 0; v <= scaleMax + 1e-9; v += 0.05) {
    const gx = x(v).toFixed(1);
    parts.push(`<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${top + codes.length * groupH}" stroke="#dddddd"/>`);
    parts.push(`<text x="${gx}" y="${top + codes.length * groupH + 16}" text-anchor="middle" font-size="11" ${FONT}>${Math.round(v * 100)}%</text>`);
  }
  codes.forEach((code, gi) => {
    const gy = top + gi * groupH;
    parts.push(`<rect x="8" y="${gy + 2}" width="12" height="12" fill="${CLASS_COLOURS[Number(code)]}" stroke="#555"/>`);
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

/**
 * Equirectangular world map (2 px per degree): the filtered population as grey 1-degree bins, the
 * sampled cells as coloured dots (or bins when there are many), and a 30-degree graticule.
 */
export function worldMapSvg(title: string, population: MapPoints, sample: MapPoints, colour: string): string {
  const s = 2;
  const ml = 40;
  const mt = 40;
  const W = 360 * s;
  const H = 180 * s;
  const width = W + ml + 20;
  const height = H + mt + 40;
  const px = (lon: number) => ml + (lon + 180) * s;
  const py = (lat: number) => mt + (90 - lat) * s;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`);
  parts.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  parts.push(`<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold" ${FONT}>${escapeXml(title)}</text>`);
  parts.push(`<rect x="${ml}" y="${mt}" width="${W}" height="${H}" fill="#f4f8fb" stroke="#333"/>`);
  for (let lon = -150; lon <= 150; lon += 30) {
    parts.push(`<line x1="${px(lon)}" y1="${mt}" x2="${px(lon)}" y2="${mt + H}" stroke="#c8d3dc" stroke-width="0.8"/>`);
    parts.push(`<text x="${px(lon)}" y="${mt + H + 14}" text-anchor="middle" font-size="10" ${FONT}>${Math.abs(lon)}${lon < 0 ? 'W' : lon > 0 ? 'E' : ''}</text>`);
  }
  for (let lat = -60; lat <= 60; lat += 30) {
    parts.push(`<line x1="${ml}" y1="${py(lat)}" x2="${ml + W}" y2="${py(lat)}" stroke="#c8d3dc" stroke-width="0.8"/>`);
    parts.push(`<text x="${ml - 4}" y="${py(lat) + 3}" text-anchor="end" font-size="10" ${FONT}>${Math.abs(lat)}${lat < 0 ? 'S' : lat > 0 ? 'N' : ''}</text>`);
  }
  parts.push(binsLayer(population, '#8a8a8a', 0.15, 0.75, px, py, s));
  if (sample.lon.length <= MAX_DOTS) {
    const dots: string[] = [];
    for (let i = 0; i < sample.lon.length; i++) dots.push(`<circle cx="${px(sample.lon[i]).toFixed(1)}" cy="${py(sample.lat[i]).toFixed(1)}" r="1.6"/>`);
    parts.push(`<g fill="${colour}" fill-opacity="0.85">${dots.join('')}</g>`);
  } else {
    parts.push(binsLayer(sample, colour, 0.35, 1, px, py, s));
  }
  parts.push(`<rect x="${ml}" y="${height - 22}" width="10" height="10" fill="#8a8a8a" fill-opacity="0.5"/>`);
  parts.push(`<text x="${ml + 14}" y="${height - 13}" font-size="11" ${FONT}>cells after filters (${population.lon.length})</text>`);
  parts.push(`<circle cx="${ml + 255}" cy="${height - 17}" r="4" fill="${colour}"/>`);
  parts.push(`<text x="${ml + 263}" y="${height - 13}" font-size="11" ${FONT}>sampled cells (${sample.lon.length})</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

/** 1-degree bins, opacity growing with the log of the count. */
function binsLayer(
  pts: MapPoints,
  colour: string,
  minOpacity: number,
  maxOpacity: number,
  px: (lon: number) => number,
  py: (lat: number) => number,
  s: number,
): string {
  const counts = new Map<number, number>();
  for (let i = 0; i < pts.lon.length; i++) {
    const gx = Math.min(359, Math.floor(pts.lon[i] + 180));
    const gy = Math.min(179, Math.floor(pts.lat[i] + 90));
    const key = gy * 360 + gx;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let max = 1;
  for (const v of counts.values()) max = Math.max(max, v);
  const rects: string[] = [];
  for (const [key, v] of counts) {
    const gx = key % 360;
    const gy = Math.floor(key / 360);
    const op = minOpacity + (maxOpacity - minOpacity) * (Math.log(1 + v) / Math.log(1 + max));
    rects.push(`<rect x="${px(gx - 180)}" y="${py(gy - 90 + 1)}" width="${s}" height="${s}" fill-opacity="${op.toFixed(2)}"/>`);
  }
  return `<g fill="${colour}">${rects.join('')}</g>`;
}
