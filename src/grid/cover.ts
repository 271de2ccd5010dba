// The cells covering an area, streamed in batches (the global 10 km grid has ~5 million cells; a
// caller never holds more than one batch). Cells come row by row, south to north, and west to east
// within a row (by column index, -180 side first).
//
// Membership rule:
// - bbox and polygons: a cell is in when the area and the cell overlap with positive area (cells
//   that only touch the area along an edge or a corner are out). A bbox that is a point or a line
//   (west == east or south == north) selects the cells containing it; cells own their south and west
//   edges.
// - bbox with west > east crosses the antimeridian. Polygon rings may cross it by using longitudes
//   past +-180 (e.g. 170..190) or be split at 180 (RFC 7946); both give the same cells.
// - global: every cell whose south-edge latitude is in GLOBAL_LAT_RANGE (Major-TOM's default rows).

import type { BBox, GridCell } from '../model/types.js';
import { gridError } from './errors.js';
import type { Grid } from './grid.js';
import { PolygonRows } from './polygon-rows.js';
import { GLOBAL_LAT_RANGE, type GridGeometry } from './spec.js';

export type GeoJsonPolygonal =
  | { type: 'Polygon'; coordinates: number[][][] }
  | { type: 'MultiPolygon'; coordinates: number[][][][] };

export type Area = { kind: 'bbox'; bboxes: BBox[] } | { kind: 'geojson'; geometry: GeoJsonPolygonal } | { kind: 'global' };

export interface CoverOptions {
  /** Cells per yielded batch. Default 4096. */
  batchSize?: number;
  /** Stop after this many cells (for previews). Default: no limit. */
  limit?: number;
  /** For `global`: south-edge latitude range of the rows. Default [-85, 85]. */
  globalLatRange?: readonly [number, number];
}

/** One longitude interval of a row; `point` intervals select the cell containing `a`. */
interface LonSpan {
  a: number;
  b: number;
  point: boolean;
}

/** Row range and per-row longitude spans of an area, independent of how cells are materialised. */
interface RowPlan {
  rowMin: number;
  rowMax: number;
  /** null = the whole row. */
  spans(row: number): LonSpan[] | null;
}

export function* coverArea(grid: Grid, area: Area, opts: CoverOptions = {}): Generator<GridCell[]> {
  const batchSize = opts.batchSize ?? 4096;
  const limit = opts.limit ?? Infinity;
  const g = grid.geometry;
  const plan = planRows(g, area, opts);
  let batch: GridCell[] = [];
  let n = 0;
  for (let row = plan.rowMin; row <= plan.rowMax && n < limit; row++) {
    const spans = plan.spans(row);
    const ranges = spans === null ? [[g.minCol(row), g.maxCol(row)]] : colRanges(g, row, spans);
    for (const [c0, c1] of ranges) {
      for (let col = c0; col <= c1 && n < limit; col++) {
        batch.push(grid.makeCell(row, col));
        n++;
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
    }
  }
  if (batch.length) yield batch;
}

/** Number of cells an area covers, without building them. */
export function countCells(grid: Grid, area: Area, opts: Pick<CoverOptions, 'globalLatRange'> = {}): number {
  const g = grid.geometry;
  const plan = planRows(g, area, opts);
  let n = 0;
  for (let row = plan.rowMin; row <= plan.rowMax; row++) {
    const spans = plan.spans(row);
    if (spans === null) n += g.colsInRow(row);
    else for (const [c0, c1] of colRanges(g, row, spans)) n += c1 - c0 + 1;
  }
  return n;
}

function planRows(g: GridGeometry, area: Area, opts: Pick<CoverOptions, 'globalLatRange'>): RowPlan {
  if (area.kind === 'global') {
    const [lo, hi] = opts.globalLatRange ?? GLOBAL_LAT_RANGE;
    // Rows whose south edge is inside [lo, hi], like Major-TOM's latitude_range filter.
    let rowMin = Math.ceil(lo / g.dLat);
    let rowMax = Math.floor(hi / g.dLat);
    rowMin = Math.max(rowMin, g.minRow);
    rowMax = Math.min(rowMax, g.maxRow);
    return { rowMin, rowMax, spans: () => null };
  }
  if (area.kind === 'bbox') {
    if (area.bboxes.length === 0) throw gridError('area has no bbox; expected at least one [west, south, east, north]');
    const parts = area.bboxes.map((b, i) => checkBbox(b, i));
    let rowMin = Infinity;
    let rowMax = -Infinity;
    const rowsOf = parts.map(([, s, , n]) => {
      const r = latRows(g, s, n);
      rowMin = Math.min(rowMin, r[0]);
      rowMax = Math.max(rowMax, r[1]);
      return r;
    });
    return {
      rowMin,
      rowMax,
      spans(row) {
        const out: LonSpan[] = [];
        parts.forEach(([w, , e], i) => {
          if (row < rowsOf[i][0] || row > rowsOf[i][1]) return;
          out.push({ a: w, b: w > e ? e + 360 : e, point: w === e });
        });
        return out;
      },
    };
  }
  const geom = area.geometry;
  const polys = geom.type === 'Polygon' ? [geom.coordinates] : geom.type === 'MultiPolygon' ? geom.coordinates : null;
  if (!polys) throw gridError(`area geometry type ${(geom as { type?: string }).type} is not supported; expected Polygon or MultiPolygon`);
  const rows = new PolygonRows(polys, g.dLat);
  if (!Number.isFinite(rows.minLat)) return { rowMin: 0, rowMax: -1, spans: () => [] };
  const [rowMin, rowMax] = latRows(g, Math.max(rows.minLat, -90), Math.min(rows.maxLat, 90));
  return {
    rowMin,
    rowMax,
    spans(row) {
      const lo = row * g.dLat;
      return rows.intervals(row, lo, lo + g.dLat).map(([a, b]) => ({ a, b, point: false }));
    },
  };
}

function checkBbox(b: BBox, i: number): BBox {
  const [w, s, e, n] = b;
  const ok = b.length === 4 && b.every(Number.isFinite) && w >= -180 && w <= 180 && e >= -180 && e <= 180 && s >= -90 && n <= 90 && s <= n;
  if (!ok) {
    throw gridError(`area bbox ${i} [${b.join(', ')}] is invalid; expected [west, south, east, north] with -180 <= lon <= 180, -90 <= south <= north <= 90`);
  }
  return b;
}

/** Rows overlapping latitudes (s, n) with positive area, or holding s when s == n. */
function latRows(g: GridGeometry, s: number, n: number): [number, number] {
  let r0: number;
  let r1: number;
  if (s === n) {
    r0 = r1 = Math.floor(s / g.dLat);
  } else {
    r0 = Math.floor(s / g.dLat);
    if ((r0 + 1) * g.dLat <= s) r0++;
    r1 = Math.ceil(n / g.dLat) - 1;
    if (r1 * g.dLat >= n) r1--;
  }
  return [Math.max(r0, g.minRow), Math.min(r1, g.maxRow)];
}

/** Sorted, merged, wrapped column ranges [c0, c1] of a row for some longitude spans. */
function colRanges(g: GridGeometry, row: number, spans: LonSpan[]): [number, number][] {
  const dLon = g.dLon(row);
  const n = g.colsInRow(row);
  const lo = g.minCol(row);
  const hi = g.maxCol(row);
  const pieces: [number, number][] = [];
  for (const { a, b, point } of spans) {
    let c0: number;
    let c1: number;
    if (point || a === b) {
      if (!point) continue; // a polygon sliver with no width overlaps no cell interior
      c0 = c1 = Math.floor(a / dLon);
    } else {
      c0 = Math.floor(a / dLon);
      if ((c0 + 1) * dLon <= a) c0++;
      c1 = Math.ceil(b / dLon) - 1;
      if (c1 * dLon >= b) c1--;
      if (c1 < c0) continue;
    }
    if (c1 - c0 + 1 >= n) return [[lo, hi]];
    const w0 = g.wrapCol(row, c0);
    const w1 = w0 + (c1 - c0);
    if (w1 <= hi) pieces.push([w0, w1]);
    else pieces.push([w0, hi], [lo, lo + (w1 - hi) - 1]);
  }
  pieces.sort((p, q) => p[0] - q[0]);
  const merged: [number, number][] = [];
  for (const p of pieces) {
    const last = merged[merged.length - 1];
    if (last && p[0] <= last[1] + 1) last[1] = Math.max(last[1], p[1]);
    else merged.push([p[0], p[1]]);
  }
  return merged;
}
