// Builds the `gdalwarp` argument list for one source band onto one target grid. Pure: the plan stores
// these lists, the warper hands them to gdal.warpAsync (GDAL's own gdalwarp library entry point), and
// the parity tests hand an independently written list to the gdalwarp command line.
import type { BBox, GeoTransform } from '../model/types.js';
import type { Resampling } from '../config/sections/tile.js';

/** GDAL data types our tensors use. */
export type GdalOutputType = 'UInt16' | 'Float32' | 'Byte';

/** The pixel grid every modality of one tile is warped onto. */
export interface TargetGrid {
  epsg: number;
  /** `EPSG:<code>`, as passed to `-t_srs`. */
  srs: string;
  /** Pixel size in metres (square pixels). */
  resolution: number;
  width: number;
  height: number;
  /** [minx, miny, maxx, maxy] in `srs`, multiples of `resolution`. */
  extent: BBox;
  geotransform: GeoTransform;
}

export interface WarpSpec {
  resampling: Resampling;
  srcNodata: number;
  dstNodata: number;
  outputType: GdalOutputType;
  /** Thin plate spline instead of gdalwarp's default GCP polynomial (only matters for GCP-only rasters). */
  tps: boolean;
}

/** Number as gdalwarp reads it back exactly (NaN spelled the way -dstnodata accepts). */
function fmt(n: number): string {
  return Number.isNaN(n) ? 'nan' : String(n);
}

/** gdalwarp arguments (without the source and destination names) producing an in-memory dataset. */
export function warpArgs(grid: TargetGrid, spec: WarpSpec): string[] {
  const [minx, miny, maxx, maxy] = grid.extent;
  const args = [
    '-of', 'MEM',
    '-t_srs', grid.srs,
    '-te', fmt(minx), fmt(miny), fmt(maxx), fmt(maxy),
    '-tr', fmt(grid.resolution), fmt(grid.resolution),
    '-r', spec.resampling,
    '-ot', spec.outputType,
    '-srcnodata', fmt(spec.srcNodata),
    '-dstnodata', fmt(spec.dstNodata),
  ];
  if (spec.tps) args.push('-tps');
  return args;
}
