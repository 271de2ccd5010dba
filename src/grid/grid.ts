// A Major-TOM grid plus the pixel grid of each cell's tile: turns (row, col) into a GridCell with
// its UTM zone and pixel-snapped target extent.
//
// Target extent rule (ours; Major-TOM Core took each cell's CRS from the scene it used):
// - EPSG: the UTM zone holding the cell centroid (Norway/Svalbard exceptions applied; 326zz when
//   the centroid is north of the equator, else 327zz). Polar cells keep UTM (no UPS), as Major-TOM's
//   grid code does; with the default global latitude range (-85..85) distortion stays moderate.
// - Extent: the centroid projected into that zone, the square of side S = tileSizePx * resolutionM
//   centred on it, its lower-left corner rounded to the nearest multiple of the resolution. So every
//   edge lies on the resolution lattice (no sub-pixel shifts between modalities) and the square holds
//   the whole cell whenever S >= d * (cos g + sin g) + resolution, g the grid convergence (<= ~3 deg
//   in regular zones): 10.68 km tiles on the 10 km grid cover their cell up to g ~ 3.8 deg.

import type { BBox, GridCell } from '../model/types.js';
import { gridError } from './errors.js';
import { cellId, GridGeometry, parseCellId } from './spec.js';
import { tmForward, tmInverse, utmZone, centralMeridian } from './utm.js';

export interface GridSpec {
  /** Grid spacing d in km (Major-TOM Core: 10). */
  cellSizeKm: number;
  /** Tile side in pixels (Major-TOM Core: 1068). */
  tileSizePx: number;
  /** Pixel size in metres (10 for Sentinel-2's finest bands). */
  resolutionM: number;
}

/** Major-TOM Core's grid: 10 km spacing (the only one at which ids match Major-TOM's), 1068 px tiles
 *  of 10 m (10.68 km: neighbouring tiles overlap by 0.68 km). The grid section's and `terrafm grid`'s
 *  defaults. */
export const MAJOR_TOM_CORE: Readonly<GridSpec> = { cellSizeKm: 10, tileSizePx: 1068, resolutionM: 10 };

export class Grid {
  readonly spec: GridSpec;
  readonly geometry: GridGeometry;
  /** Tile side in metres. */
  readonly sizeM: number;
  private readonly xy: [number, number] = [0, 0];

  constructor(spec: GridSpec) {
    if (!Number.isInteger(spec.tileSizePx) || spec.tileSizePx <= 0) {
      throw gridError(`tile size ${spec.tileSizePx} px is not a positive integer; expected e.g. ${MAJOR_TOM_CORE.tileSizePx}`);
    }
    if (!(spec.resolutionM > 0) || !Number.isFinite(spec.resolutionM)) {
      throw gridError(`resolution ${spec.resolutionM} m is not a positive number; expected e.g. 10`);
    }
    this.spec = { ...spec };
    this.geometry = new GridGeometry(spec.cellSizeKm);
    this.sizeM = spec.tileSizePx * spec.resolutionM;
  }

  /** The cell at (row, col); throws when the grid has no such cell. */
  cell(row: number, col: number): GridCell {
    if (!this.geometry.hasCell(row, col)) {
      const g = this.geometry;
      const cols = g.hasRow(row) ? `; row ${row} has columns ${g.minCol(row)}..${g.maxCol(row)}` : `; rows are ${g.minRow}..${g.maxRow}`;
      throw gridError(`no grid cell at row ${row}, column ${col} for cell size ${this.spec.cellSizeKm} km${cols}`);
    }
    return this.makeCell(row, col);
  }

  /** The cell with a Major-TOM id such as `917D_239R`. */
  cellById(id: string): GridCell {
    const { row, col } = parseCellId(id);
    if (!this.geometry.hasCell(row, col)) {
      throw gridError(`grid cell id "${id}" is outside the ${this.spec.cellSizeKm} km grid (rows ${this.geometry.minRow}..${this.geometry.maxRow})`);
    }
    return this.makeCell(row, col);
  }

  /** The cell containing a lon/lat point. */
  cellAt(lon: number, lat: number): GridCell {
    const { row, col } = this.geometry.cellAt(lon, lat);
    return this.makeCell(row, col);
  }

  /** Unchecked constructor for hot loops that already know (row, col) is valid. */
  makeCell(row: number, col: number): GridCell {
    const g = this.geometry;
    const lat = row * g.dLat;
    const dLon = g.dLon(row);
    const lon = col * dLon;
    const top = Math.min(lat + g.dLat, 90);
    const cLat = (lat + top) / 2;
    let cLon = lon + dLon / 2;
    if (cLon >= 180) cLon -= 360;
    const zone = utmZone(cLon, cLat);
    const south = cLat < 0;
    const xy = tmForward(cLon, cLat, centralMeridian(zone), south ? 10000000 : 0, this.xy);
    const res = this.spec.resolutionM;
    const half = this.sizeM / 2;
    // `+ 0` turns -0 (cells straddling the equator) into 0.
    const minx = Math.round((xy[0] - half) / res) * res + 0;
    const miny = Math.round((xy[1] - half) / res) * res + 0;
    return {
      id: cellId(row, col),
      row,
      col,
      lon,
      lat,
      epsg: (south ? 32700 : 32600) + zone,
      extent: [minx, miny, minx + this.sizeM, miny + this.sizeM],
      resolution: res,
      sizePx: this.spec.tileSizePx,
    };
  }

  /** The nominal cell in degrees [west, south, east, north] (east may pass 180 for a wrapping cell). */
  cellBounds(cell: Pick<GridCell, 'row' | 'col'>): BBox {
    const g = this.geometry;
    const lat = cell.row * g.dLat;
    const dLon = g.dLon(cell.row);
    return [cell.col * dLon, lat, (cell.col + 1) * dLon, Math.min(lat + g.dLat, 90)];
  }
}

/**
 * The target extent of a cell as a lon/lat ring (closed, counter-clockwise), `perSide` points per
 * edge inverse-projected from UTM so the curved edges are followed. Longitudes are continuous
 * around the cell (they may pass +-180 for cells on the antimeridian).
 */
export function extentRing(cell: Pick<GridCell, 'epsg' | 'extent'>, perSide = 4): [number, number][] {
  const zone = cell.epsg % 100;
  const south = cell.epsg - zone === 32700;
  const lon0 = centralMeridian(zone);
  const fn = south ? 10000000 : 0;
  const [x0, y0, x1, y1] = cell.extent;
  const pts: [number, number][] = [];
  const push = (x: number, y: number) => {
    const p = tmInverse(x, y, lon0, fn, [0, 0]);
    // Keep longitudes continuous with the zone's central meridian.
    if (p[0] - lon0 > 180) p[0] -= 360;
    else if (p[0] - lon0 < -180) p[0] += 360;
    pts.push(p);
  };
  for (let i = 0; i < perSide; i++) push(x0 + ((x1 - x0) * i) / perSide, y0);
  for (let i = 0; i < perSide; i++) push(x1, y0 + ((y1 - y0) * i) / perSide);
  for (let i = 0; i < perSide; i++) push(x1 - ((x1 - x0) * i) / perSide, y1);
  for (let i = 0; i < perSide; i++) push(x0, y1 - ((y1 - y0) * i) / perSide);
  pts.push([pts[0][0], pts[0][1]]);
  return pts;
}

/**
 * The lon/lat box [west, south, east, north] enclosing a cell's target extent: the bounds of its
 * extentRing with 8 points per edge, so the curved edges are enclosed. A box that would pass +-180
 * (a cell on the antimeridian) spans every longitude instead, as a box in [-180, 180] must.
 */
export function extentLonLatBBox(cell: Pick<GridCell, 'epsg' | 'extent'>): BBox {
  const ring = extentRing(cell, 8);
  const lons = ring.map((p) => p[0]);
  const lats = ring.map((p) => p[1]);
  const west = Math.min(...lons);
  const east = Math.max(...lons);
  const [south, north] = [Math.min(...lats), Math.max(...lats)];
  return west < -180 || east > 180 ? [-180, south, 180, north] : [west, south, east, north];
}
