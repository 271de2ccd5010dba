// Which items of a group's search fall on which of its cells, and how much of each cell they cover.
// Coverage is measured on the cell's target extent (what the tile stage fills), by the share of its
// sample points inside the item footprint; keeping the per-point mask lets pairing compute the
// coverage of a mosaic of several scenes exactly as the union of their masks.

import type { BBox, SceneItem } from '../model/types.js';
import type { CellTarget } from './batch.js';

/** One item over one cell. */
export interface Candidate {
  item: SceneItem;
  /** 1 where the sample point is inside the item footprint. */
  mask: Uint8Array;
  /** Share of sample points inside (0..1]. */
  coverage: number;
}

type Ring = number[][];

/** Polygons (outer ring first, then holes) of a GeoJSON Polygon/MultiPolygon; [] for anything else. */
export function footprintPolygons(geometry: unknown): Ring[][] {
  const g = geometry as { type?: string; coordinates?: unknown } | null;
  if (!g || typeof g !== 'object') return [];
  if (g.type === 'Polygon') return [g.coordinates as Ring[]];
  if (g.type === 'MultiPolygon') return g.coordinates as Ring[][];
  return [];
}

/** Even-odd point-in-polygon over all rings of all polygons (holes subtract). */
function inside(polys: Ring[][], x: number, y: number): boolean {
  let odd = false;
  for (const poly of polys) {
    for (const ring of poly) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const xi = ring[i][0];
        const yi = ring[i][1];
        const xj = ring[j][0];
        const yj = ring[j][1];
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) odd = !odd;
      }
    }
  }
  return odd;
}

function polygonsBbox(polys: Ring[][]): BBox {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const p of polys)
    for (const r of p)
      for (const [x, y] of r) {
        if (x < w) w = x;
        if (x > e) e = x;
        if (y < s) s = y;
        if (y > n) n = y;
      }
  return [w, s, e, n];
}

/** Longitude ranges of a bbox, split at the antimeridian when west > east. */
function lonRanges([w, , e]: BBox): [number, number][] {
  return w <= e ? [[w, e]] : [[w, 180], [-180, e]];
}

function bboxesOverlap(a: BBox, b: BBox): boolean {
  if (a[1] > b[3] || b[1] > a[3]) return false;
  for (const [aw, ae] of lonRanges(a)) for (const [bw, be] of lonRanges(b)) if (aw <= be && bw <= ae) return true;
  return false;
}

/** Coverage mask of one footprint over one cell's sample points, or null when it covers none. */
export function coverageMask(target: CellTarget, polys: Ring[][], polysBbox: BBox = polygonsBbox(polys)): Uint8Array | null {
  const pts = target.points;
  const n = pts.length / 2;
  const mask = new Uint8Array(n);
  // Footprints written with longitudes past +-180 are tested with shifted copies of the points.
  const shifts = [0];
  if (polysBbox[2] > 180) shifts.push(360);
  if (polysBbox[0] < -180) shifts.push(-360);
  let hits = 0;
  for (let k = 0; k < n; k++) {
    const x = pts[2 * k];
    const y = pts[2 * k + 1];
    if (y < polysBbox[1] || y > polysBbox[3]) continue;
    for (const dx of shifts) {
      if (inside(polys, x + dx, y)) {
        mask[k] = 1;
        hits++;
        break;
      }
    }
  }
  return hits ? mask : null;
}

/**
 * Candidates per cell (index in `targets`): every item whose footprint covers at least one sample
 * point of the cell. Items without a polygon footprint fall back on their bbox.
 */
export function assignItems(targets: CellTarget[], items: Iterable<SceneItem>): Candidate[][] {
  const out: Candidate[][] = targets.map(() => []);
  for (const item of items) {
    let polys = footprintPolygons(item.geometry);
    if (polys.length === 0) {
      const [, s, , n] = item.bbox;
      polys = lonRanges(item.bbox).map(([a, b]) => [[[a, s], [b, s], [b, n], [a, n], [a, s]]]);
    }
    const pb = polygonsBbox(polys);
    const itemBox: BBox = pb[2] - pb[0] >= 360 ? [-180, pb[1], 180, pb[3]] : normaliseBox(pb);
    targets.forEach((t, i) => {
      if (!bboxesOverlap(itemBox, t.bbox)) return;
      const mask = coverageMask(t, polys, pb);
      if (!mask) return;
      let hits = 0;
      for (const m of mask) hits += m;
      out[i].push({ item, mask, coverage: hits / mask.length });
    });
  }
  return out;
}

/** A footprint bbox written with longitudes past +-180 as a bbox in [-180, 180] (west > east if it crosses). */
function normaliseBox([w, s, e, n]: BBox): BBox {
  const wrap = (x: number) => (x > 180 ? x - 360 : x < -180 ? x + 360 : x);
  return [wrap(w), s, wrap(e), n];
}

/** Union coverage (share of points) of several masks. */
export function unionCoverage(masks: Uint8Array[]): number {
  if (masks.length === 0) return 0;
  const n = masks[0].length;
  let hits = 0;
  for (let k = 0; k < n; k++) {
    for (const m of masks) {
      if (m[k]) {
        hits++;
        break;
      }
    }
  }
  return hits / n;
}
