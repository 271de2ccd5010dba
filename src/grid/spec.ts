// The Major-TOM grid, restated from its definition (ESA-PhiLab/Major-TOM `majortom/grid.py`, paper
// arXiv 2402.12095 §3.1) and written from scratch here:
//
// - R = 6378.137 km (equatorial radius). N_rows = ceil(pi * R / d); rows are spaced dLat = 180 / N_rows
//   degrees, row k at latitude k * dLat. Rows run from -floor(N_rows / 2) (the south pole row when
//   N_rows is even) to N_rows - 1 - floor(N_rows / 2). Row k >= 0 is named `kU`, k < 0 `|k|D` (there
//   is no `0D`).
// - Row k has n_k = max(1, ceil(2 pi R cos(lat_k) / d)) columns, where lat_k is the row's own (south
//   edge) latitude; column c is at longitude c * 360 / n_k, c from -floor(n_k / 2) to
//   n_k - 1 - floor(n_k / 2). c >= 0 is `cR`, c < 0 `|c|L`. With an odd n_k the easternmost cell
//   continues across the antimeridian.
// - A grid point is the south-west (lower-left) corner of its cell; the cell spans [lat_k, lat_k + dLat]
//   x [lon_c, lon_c + 360 / n_k]. Ids are `<row>_<col>`, e.g. `451U_946L`.
//
// Everything here is pure arithmetic on a precomputed per-row table so that enumerating millions of
// cells costs a few multiplications each.

import { gridError } from './errors.js';

/** Equatorial radius Major-TOM uses for its sphere, km. */
export const MAJOR_TOM_RADIUS_KM = 6378.137;

/** Rows Major-TOM's `Grid` generates by default: south-edge latitudes in [-85, 85]. Used for `global`. */
export const GLOBAL_LAT_RANGE: readonly [number, number] = [-85, 85];

export class GridGeometry {
  /** Grid spacing d in km. */
  readonly cellSizeKm: number;
  readonly nRows: number;
  /** Row spacing in degrees of latitude. */
  readonly dLat: number;
  readonly minRow: number;
  readonly maxRow: number;
  /** Columns per row, indexed by row - minRow. */
  private readonly cols: Int32Array;
  /** Column width in degrees, indexed by row - minRow. */
  private readonly dLons: Float64Array;

  constructor(cellSizeKm: number) {
    if (!(cellSizeKm > 0) || !Number.isFinite(cellSizeKm)) {
      throw gridError(`grid cell size ${cellSizeKm} km is not a positive number; expected e.g. 10 (Major-TOM Core)`);
    }
    this.cellSizeKm = cellSizeKm;
    this.nRows = Math.ceil((Math.PI * MAJOR_TOM_RADIUS_KM) / cellSizeKm);
    this.dLat = 180 / this.nRows;
    this.minRow = -Math.floor(this.nRows / 2);
    this.maxRow = this.nRows - 1 + this.minRow;
    this.cols = new Int32Array(this.nRows);
    this.dLons = new Float64Array(this.nRows);
    for (let i = 0; i < this.nRows; i++) {
      const lat = (i + this.minRow) * this.dLat;
      const circumference = 2 * Math.PI * MAJOR_TOM_RADIUS_KM * Math.cos((lat * Math.PI) / 180);
      const n = Math.max(1, Math.ceil(circumference / cellSizeKm));
      this.cols[i] = n;
      this.dLons[i] = 360 / n;
    }
  }

  /** South-edge latitude of a row. */
  rowLat(row: number): number {
    return row * this.dLat;
  }
  /** Number of columns in a row. */
  colsInRow(row: number): number {
    return this.cols[row - this.minRow];
  }
  /** Column width of a row in degrees. */
  dLon(row: number): number {
    return this.dLons[row - this.minRow];
  }
  /** Lowest column index of a row (west-most, at or after -180). */
  minCol(row: number): number {
    return -Math.floor(this.cols[row - this.minRow] / 2);
  }
  maxCol(row: number): number {
    const n = this.cols[row - this.minRow];
    return n - 1 - Math.floor(n / 2);
  }
  hasRow(row: number): boolean {
    return Number.isInteger(row) && row >= this.minRow && row <= this.maxRow;
  }
  hasCell(row: number, col: number): boolean {
    return this.hasRow(row) && Number.isInteger(col) && col >= this.minCol(row) && col <= this.maxCol(row);
  }
  /** Bring any column index of a row (e.g. one past the antimeridian) into its valid range. */
  wrapCol(row: number, col: number): number {
    const n = this.cols[row - this.minRow];
    const h = Math.floor(n / 2);
    return ((((col + h) % n) + n) % n) - h;
  }
  /** The row holding a latitude (clamped to the grid's rows). */
  rowAt(lat: number): number {
    const r = Math.floor(lat / this.dLat);
    return r < this.minRow ? this.minRow : r > this.maxRow ? this.maxRow : r;
  }
  /** The cell (row, col) containing a point; cells own their south and west edges. */
  cellAt(lon: number, lat: number): { row: number; col: number } {
    const row = this.rowAt(lat);
    return { row, col: this.wrapCol(row, Math.floor(lon / this.dLon(row))) };
  }
}

/** Major-TOM cell id of a (row, col): `917D_239R`. */
export function cellId(row: number, col: number): string {
  return (row >= 0 ? `${row}U_` : `${-row}D_`) + (col >= 0 ? `${col}R` : `${-col}L`);
}

const ID_RE = /^(\d+)([UD])_(\d+)([RL])$/;

/** Row and column of a Major-TOM id; throws on malformed ids (including `0D`/`0L`, which do not exist). */
export function parseCellId(id: string): { row: number; col: number } {
  const m = ID_RE.exec(id);
  if (!m) throw gridError(`grid cell id "${id}" is malformed; expected <row><U|D>_<col><R|L>, e.g. 917D_239R`);
  const r = Number(m[1]);
  const c = Number(m[3]);
  if ((m[2] === 'D' && r === 0) || (m[4] === 'L' && c === 0)) {
    throw gridError(`grid cell id "${id}" does not exist: the equator row is 0U and the 0-degree column 0R (no 0D or 0L)`);
  }
  return { row: m[2] === 'U' ? r : -r, col: m[4] === 'R' ? c : -c };
}
