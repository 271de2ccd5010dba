// The corpus map of the dataset card: one panel per place (cells more than a few degrees apart go to
// separate panels, each zoomed to its own cells), with the cells the sampler drew filled and the
// candidate cells it left out outlined, so neither hides the other, on a lon/lat graticule.
import { escapeXml } from '../svg-to-png.js';

export interface MapCell {
  /** Footprint ring in lon/lat. */
  ring: [number, number][];
  sampled: boolean;
}

const FONT = 'font-family="DejaVu Sans, Arial, sans-serif"';
const PANEL = 300;
const PAD = 36;
/** Cells closer than this (degrees) share a panel. */
const CLUSTER_GAP_DEG = 2;

type Box = [number, number, number, number];
const boxOf = (ring: [number, number][]): Box => ring.reduce<Box>((b, [x, y]) => [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)], [Infinity, Infinity, -Infinity, -Infinity]);
const near = (a: Box, b: Box) => a[0] - CLUSTER_GAP_DEG <= b[2] && b[0] - CLUSTER_GAP_DEG <= a[2] && a[1] - CLUSTER_GAP_DEG <= b[3] && b[1] - CLUSTER_GAP_DEG <= a[3];

/** Groups cells into places: single-linkage on bounding boxes within CLUSTER_GAP_DEG. */
export function clusterCells(cells: MapCell[]): MapCell[][] {
  const groups: { box: Box; cells: MapCell[] }[] = [];
  for (const c of cells) {
    const b = boxOf(c.ring);
    const hits = groups.filter((g) => near(g.box, b));
    const merged = { box: b, cells: [c] };
    for (const g of hits) {
      merged.cells.push(...g.cells);
      merged.box = [Math.min(merged.box[0], g.box[0]), Math.min(merged.box[1], g.box[1]), Math.max(merged.box[2], g.box[2]), Math.max(merged.box[3], g.box[3])];
      groups.splice(groups.indexOf(g), 1);
    }
    groups.push(merged);
  }
  return groups.sort((a, b) => a.box[0] - b.box[0]).map((g) => g.cells);
}

const fmt = (v: number, pos: string, neg: string) => `${Math.abs(v).toFixed(2)}°${v >= 0 ? pos : neg}`;

function panelSvg(cells: MapCell[], ox: number, oy: number): string {
  const b = cells.map((c) => boxOf(c.ring)).reduce<Box>((a, x) => [Math.min(a[0], x[0]), Math.min(a[1], x[1]), Math.max(a[2], x[2]), Math.max(a[3], x[3])], [Infinity, Infinity, -Infinity, -Infinity]);
  const midLat = (b[1] + b[3]) / 2;
  const kx = Math.cos((midLat * Math.PI) / 180); // equirectangular at the panel's latitude: squares look square
  const span = Math.max((b[2] - b[0]) * kx, b[3] - b[1]) * 1.1 || 0.01;
  const cx = (b[0] + b[2]) / 2, cy = (b[1] + b[3]) / 2;
  const s = (PANEL - 2 * PAD) / span;
  const X = (lon: number) => ox + PANEL / 2 + (lon - cx) * kx * s;
  const Y = (lat: number) => oy + PANEL / 2 - (lat - cy) * s;
  const parts = [`<rect x="${ox}" y="${oy}" width="${PANEL}" height="${PANEL}" fill="#f4f8fb" stroke="#999"/>`];
  const path = (c: MapCell) => `M${c.ring.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join('L')}Z`;
  for (const c of cells.filter((x) => !x.sampled)) parts.push(`<path d="${path(c)}" fill="#ffffff" stroke="#7a7a7a" stroke-width="1"/>`);
  for (const c of cells.filter((x) => x.sampled)) parts.push(`<path d="${path(c)}" fill="#e66101" fill-opacity="0.85" stroke="#8c3a00" stroke-width="1"/>`);
  const n = cells.filter((c) => c.sampled).length;
  parts.push(`<text x="${ox + PANEL / 2}" y="${oy + 16}" text-anchor="middle" font-size="12" ${FONT}>${escapeXml(`${fmt(cy, 'N', 'S')} ${fmt(cx, 'E', 'W')}: ${n} of ${cells.length} cells`)}</text>`);
  parts.push(`<text x="${ox + 4}" y="${oy + PANEL - 6}" font-size="10" ${FONT}>${escapeXml(`${fmt(b[0], 'E', 'W')} .. ${fmt(b[2], 'E', 'W')}, ${fmt(b[1], 'N', 'S')} .. ${fmt(b[3], 'N', 'S')}`)}</text>`);
  return parts.join('\n');
}

/** The whole map: one zoomed panel per place, side by side, with a legend. */
export function corpusMapSvg(title: string, cells: MapCell[]): string {
  const groups = clusterCells(cells);
  const width = Math.max(1, groups.length) * (PANEL + 12) + 12;
  const height = PANEL + 90;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`, `<rect width="100%" height="100%" fill="#ffffff"/>`];
  parts.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold" ${FONT}>${escapeXml(title)}</text>`);
  groups.forEach((g, i) => parts.push(panelSvg(g, 12 + i * (PANEL + 12), 36)));
  const ly = PANEL + 56;
  parts.push(`<rect x="12" y="${ly}" width="14" height="14" fill="#e66101" fill-opacity="0.85" stroke="#8c3a00"/><text x="32" y="${ly + 12}" font-size="12" ${FONT}>in the corpus (sampled)</text>`);
  parts.push(`<rect x="210" y="${ly}" width="14" height="14" fill="#ffffff" stroke="#7a7a7a"/><text x="230" y="${ly + 12}" font-size="12" ${FONT}>candidate cell, not sampled</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}
