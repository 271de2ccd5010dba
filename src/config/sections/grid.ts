import { MAJOR_TOM_CORE } from '../../grid/grid.js';
import { strictObject, type ConfigSection } from '../section.js';

/** `grid:` the Major-TOM-compatible grid and the pixel grid of each tile. */
export interface GridConfig {
  /**
   * Grid spacing in km (row spacing and column width). Default 10: Major-TOM Core's spacing, the only
   * value at which cell ids match Major-TOM's (e.g. `451U_946L`). The tile (default 1068 px x 10 m =
   * 10.68 km) is larger than the spacing, so neighbouring tiles overlap by 0.68 km, as in Major-TOM.
   */
  cellSizeKm: number;
  /** Tile width and height in pixels. Default 1068. */
  tileSizePx: number;
  /** Target resolution in metres. Default 10 (Sentinel-2's finest bands). */
  resolutionM: number;
}
interface RawGrid {
  cell_size_km?: number;
  tile_size_px?: number;
  resolution_m?: number;
}

export const gridSection: ConfigSection<RawGrid, GridConfig> = {
  key: 'grid',
  required: false,
  schema: strictObject(
    {
      cell_size_km: { type: 'number', exclusiveMinimum: 0, maximum: 1000, default: MAJOR_TOM_CORE.cellSizeKm, description: `Grid spacing in km. Default ${MAJOR_TOM_CORE.cellSizeKm} (Major-TOM Core ids).` },
      tile_size_px: { type: 'integer', minimum: 16, maximum: 10000, default: MAJOR_TOM_CORE.tileSizePx, description: `Tile size in pixels. Default ${MAJOR_TOM_CORE.tileSizePx}.` },
      resolution_m: { type: 'number', exclusiveMinimum: 0, maximum: 1000, default: MAJOR_TOM_CORE.resolutionM, description: `Target resolution in metres. Default ${MAJOR_TOM_CORE.resolutionM}.` },
    },
    { description: 'Major-TOM-compatible grid and tile pixel grid.' },
  ),
  normalise: (raw) => ({
    cellSizeKm: raw?.cell_size_km ?? MAJOR_TOM_CORE.cellSizeKm,
    tileSizePx: raw?.tile_size_px ?? MAJOR_TOM_CORE.tileSizePx,
    resolutionM: raw?.resolution_m ?? MAJOR_TOM_CORE.resolutionM,
  }),
  rules(g) {
    const tileKm = (g.tileSizePx * g.resolutionM) / 1000;
    // A tile smaller than its cell would leave gaps between tiles; larger is allowed (overlap, as Major-TOM).
    if (tileKm + 1e-9 < g.cellSizeKm) {
      return [
        {
          path: 'grid.tile_size_px',
          message: `${g.tileSizePx} px at ${g.resolutionM} m covers ${tileKm} km, less than cell_size_km ${g.cellSizeKm}; expected tile_size_px * resolution_m >= cell_size_km * 1000`,
        },
      ];
    }
    return [];
  },
};
