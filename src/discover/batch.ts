// Query groups: neighbouring cells searched together, so a run makes one STAC search per group and
// source instead of one per cell. Groups are blocks of about `batchCells` cells, some rows tall and
// some cells wide (near-square blocks return fewer items per cell than long row segments, because a
// scene overlapping the block overlaps more of its cells). The cell stream is row-major, so one band
// of rows is buffered at a time: memory stays bounded by a band even for the whole globe.

import type { BBox, GridCell } from '../model/types.js';
import { gridError } from '../grid/errors.js';
import { extentRing, type Grid } from '../grid/grid.js';

/** A cell with the lon/lat sample points of its target extent (see samplePoints). */
export interface CellTarget {
  cell: GridCell;
  /** Sample points over the target extent: lon, lat pairs, lon in [-180, 180). */
  points: Float64Array;
  /** Bounds of the target extent in lon/lat; west may be > east across the antimeridian. */
  bbox: BBox;
}

export interface QueryGroup {
  /** Sequence number in the stream (0-based). */
  index: number;
  cells: CellTarget[];
  /** Union of the cells' target bounds; west > east when the group crosses the antimeridian. */
  bbox: BBox;
  /** What to send as the search area: a bbox, or a MultiPolygon of two boxes across the antimeridian. */
  search: { bbox: BBox } | { intersects: { type: 'MultiPolygon'; coordinates: number[][][][] } };
}

export interface GroupOptions {
  /** The grid the cells come from (for column widths). */
  grid: Grid;
  /** Cells per group, at most. */
  batchCells: number;
  /** Sample points per side of a cell's target extent. Default 11 (121 points). */
  samplesPerSide?: number;
}

/**
 * Block shape for a group size, near square: `rows` grid rows by a longitude width of `cols` columns.
 * A longitude window of `cols` columns can hold `cols + 1` cells of a row (cells are keyed by their
 * west edge), so rows * (cols + 1) <= batchCells where possible.
 */
export function blockShape(batchCells: number): { rows: number; cols: number } {
  const rows = Math.max(1, Math.round(Math.sqrt(batchCells)));
  return { rows, cols: Math.max(1, Math.floor(batchCells / rows) - 1) };
}

/**
 * Lon/lat sample points over a cell's target extent: a `perSide` x `perSide` lattice from corner to
 * corner in UTM, inverse-projected. Coverage of a scene is the share of these points inside it.
 */
export function cellTarget(cell: GridCell, perSide = 11): CellTarget {
  const n = Math.max(2, perSide);
  // The ring gives the extent's corners and edge points; interior points are interpolated in
  // lon/lat between the west and east edge points of each row (error << 1 m over 10 km).
  const ring = extentRing(cell, n - 1);
  const side = n - 1;
  const south = ring.slice(0, side + 1); // x0..x1 at y0
  const north = ring.slice(2 * side, 3 * side + 1).reverse(); // x0..x1 at y1
  const west = ring.slice(3 * side, 4 * side + 1).reverse(); // y0..y1 at x0
  const east = ring.slice(side, 2 * side + 1); // y0..y1 at x1
  const pts = new Float64Array(n * n * 2);
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let nn = -Infinity;
  for (let j = 0; j < n; j++) {
    const v = j / side;
    for (let i = 0; i < n; i++) {
      const u = i / side;
      // Coons patch from the four projected edges: exact on the edges, bilinear blend inside.
      const lon =
        (1 - v) * south[i][0] + v * north[i][0] + (1 - u) * west[j][0] + u * east[j][0] -
        ((1 - u) * (1 - v) * south[0][0] + u * (1 - v) * south[side][0] + (1 - u) * v * north[0][0] + u * v * north[side][0]);
      const lat =
        (1 - v) * south[i][1] + v * north[i][1] + (1 - u) * west[j][1] + u * east[j][1] -
        ((1 - u) * (1 - v) * south[0][1] + u * (1 - v) * south[side][1] + (1 - u) * v * north[0][1] + u * v * north[side][1]);
      if (lon < w) w = lon;
      if (lon > e) e = lon;
      if (lat < s) s = lat;
      if (lat > nn) nn = lat;
      const k = (j * n + i) * 2;
      pts[k] = wrapLon(lon);
      pts[k + 1] = lat;
    }
  }
  return { cell, points: pts, bbox: [wrapLon(w), s, wrapLon(e), nn] };
}

function wrapLon(lon: number): number {
  return lon >= 180 ? lon - 360 : lon < -180 ? lon + 360 : lon;
}

/**
 * Groups a row-major stream of cell batches into query groups of at most `batchCells` cells.
 * Cells are keyed by (band of `rows` grid rows, block of `cols` column widths of the band).
 */
export function* groupCells(batches: Iterable<GridCell[]>, opts: GroupOptions): Generator<QueryGroup> {
  if (!Number.isInteger(opts.batchCells) || opts.batchCells < 1) {
    throw gridError(`batchCells ${opts.batchCells} is not a positive integer; expected e.g. 64`);
  }
  const { rows, cols } = blockShape(opts.batchCells);
  let band: number | undefined;
  let blocks = new Map<number, GridCell[]>();
  let index = 0;
  let widthDeg = 0;
  let west = 0;
  let firstRow: number | undefined;
  const flush = function* (): Generator<QueryGroup> {
    const keys = [...blocks.keys()].sort((a, b) => a - b);
    for (const k of keys) {
      const cells = blocks.get(k)!;
      for (let i = 0; i < cells.length; i += opts.batchCells) {
        yield makeGroup(index++, cells.slice(i, i + opts.batchCells), opts.samplesPerSide);
      }
    }
    blocks = new Map();
  };
  for (const batch of batches) {
    for (const cell of batch) {
      // Bands and blocks start at the area's first row and at each band's first (west-most) cell,
      // so a small area is not cut into slivers by blocks aligned to the whole globe.
      firstRow ??= cell.row;
      const b = Math.floor((cell.row - firstRow) / rows);
      if (band !== b) {
        if (band !== undefined) yield* flush();
        band = b;
        const colDeg = bandColumnWidth(opts.grid, firstRow + b * rows, rows);
        widthDeg = cols * colDeg;
        // One column of slack: other rows of the band may start up to a column further west.
        west = cell.lon - colDeg;
      }
      const key = Math.floor((cell.lon - west) / widthDeg);
      let list = blocks.get(key);
      if (!list) blocks.set(key, (list = []));
      list.push(cell);
    }
  }
  yield* flush();
}

/** Widest column width among a band's rows (the row farthest from the equator), so no row packs more than cols + 1 cells per block. */
function bandColumnWidth(grid: Grid, bandRow: number, rows: number): number {
  const g = grid.geometry;
  const lo = Math.max(bandRow, g.minRow);
  const hi = Math.min(bandRow + rows - 1, g.maxRow);
  return Math.max(g.dLon(lo), g.dLon(hi));
}

export function makeGroup(index: number, cells: GridCell[], samplesPerSide = 11): QueryGroup {
  const targets = cells.map((c) => cellTarget(c, samplesPerSide));
  // Union in a longitude frame centred on the first cell so blocks at the antimeridian stay contiguous.
  const ref = targets[0].bbox[0];
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const t of targets) {
    let [tw, ts, te, tn] = t.bbox;
    if (te < tw) te += 360;
    while (tw - ref > 180) {
      tw -= 360;
      te -= 360;
    }
    while (tw - ref < -180) {
      tw += 360;
      te += 360;
    }
    w = Math.min(w, tw);
    e = Math.max(e, te);
    s = Math.min(s, ts);
    n = Math.max(n, tn);
  }
  if (e - w >= 360) {
    const bbox: BBox = [-180, s, 180, n];
    return { index, cells: targets, bbox, search: { bbox } };
  }
  const bbox: BBox = [wrapLon(w), s, wrapLon(e), n];
  if (bbox[0] <= bbox[2]) return { index, cells: targets, bbox, search: { bbox } };
  // Across the antimeridian: two boxes, since not every STAC API accepts west > east.
  const box = (a: number, b: number) => [[[a, s], [b, s], [b, n], [a, n], [a, s]]];
  return { index, cells: targets, bbox, search: { intersects: { type: 'MultiPolygon', coordinates: [box(bbox[0], 180), box(-180, bbox[2])] } } };
}
