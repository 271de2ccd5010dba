// Pure planning for the land-cover pass: which window of which map each cell reads, at what size.
import { StageError } from '../../errors.js';
import type { BBox } from '../../model/types.js';

/** What the pass needs of a grid cell (a GridCell has all of it). */
export interface LandcoverCell {
  id: string;
  /** Lower-left corner in degrees. */
  lon: number;
  lat: number;
  /** UTM EPSG of the cell; `extent` is in it. */
  epsg: number;
  /** [minx, miny, maxx, maxy] in metres of `epsg`. */
  extent: BBox;
}

/** One warp to run: the cell's extent on a grid of `resolutionM` metres in the cell's own CRS. */
export interface CellWindow {
  cellId: string;
  srs: string;
  extent: BBox;
  width: number;
  height: number;
  /** Requested resolution; the actual one is extent/size (within half a pixel of it). */
  resolutionM: number;
}

export function planCellWindow(cell: LandcoverCell, resolutionM: number): CellWindow {
  if (!(resolutionM > 0)) throw new StageError('landcover', `resolution_m is ${resolutionM}; expected a number > 0`);
  const [minx, miny, maxx, maxy] = cell.extent;
  if (!(maxx > minx && maxy > miny))
    throw new StageError('landcover', `cell ${cell.id}: extent ${JSON.stringify(cell.extent)} is empty; expected minx < maxx and miny < maxy`);
  return {
    cellId: cell.id,
    srs: `EPSG:${cell.epsg}`,
    extent: cell.extent,
    width: Math.max(1, Math.round((maxx - minx) / resolutionM)),
    height: Math.max(1, Math.round((maxy - miny) / resolutionM)),
    resolutionM,
  };
}

/** WorldCover 3x3-degree tile name containing (lon, lat), e.g. (6.5, 0.3) -> `N00E006`. */
export function worldCoverTileName(lon: number, lat: number): string {
  const la = Math.floor(lat / 3) * 3;
  const lo = Math.floor(lon / 3) * 3;
  return `${la < 0 ? 'S' : 'N'}${String(Math.abs(la)).padStart(2, '0')}${lo < 0 ? 'W' : 'E'}${String(Math.abs(lo)).padStart(3, '0')}`;
}

/** Names of every WorldCover tile a lon/lat box touches. */
export function worldCoverTilesFor(b: BBox): string[] {
  const out: string[] = [];
  const eps = 1e-9; // a box ending exactly on a tile edge does not need the next tile
  for (let la = Math.floor(b[1] / 3) * 3; la < b[3] - eps; la += 3)
    for (let lo = Math.floor(b[0] / 3) * 3; lo < b[2] - eps; lo += 3) out.push(worldCoverTileName(lo + 1, la + 1));
  return out;
}

/** Tile name embedded in a WorldCover href (`..._N00E006_Map.tif`), or null. */
export function tileNameInHref(href: string): string | null {
  const m = /[_/]([NS]\d{2}[EW]\d{3})[_.]/.exec(href);
  return m ? m[1] : null;
}
