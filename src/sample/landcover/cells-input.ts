// Cells for the land-cover pass: from a bbox through the Major-TOM grid, or from a file of GridCell /
// CellScenes records (then discovery's landcover hrefs come along, per cell).
import { readJsonRecords } from '../../json-records.js';
import { coverArea, Grid, type GridSpec } from '../../grid/index.js';
import { StageError } from '../../errors.js';
import type { BBox } from '../../model/types.js';
import type { LandcoverCell } from './plan.js';

export function cellsInBBox(bbox: BBox, spec: GridSpec, limit?: number): LandcoverCell[] {
  const grid = new Grid(spec);
  const out: LandcoverCell[] = [];
  for (const batch of coverArea(grid, { kind: 'bbox', bboxes: [bbox] }, limit ? { limit } : {})) out.push(...batch);
  return out;
}

export interface CellsFile {
  cells: LandcoverCell[];
  /** Landcover asset hrefs per cell when the records were CellScenes with landcover scenes. */
  hrefs: Map<string, string[]>;
}

/** Logical band name discovery gives the WorldCover map asset. */
const MAP_BAND = 'map';

export function cellsFromRecords(records: unknown[], where: string): CellsFile {
  const cells: LandcoverCell[] = [];
  const hrefs = new Map<string, string[]>();
  records.forEach((r, i) => {
    const o = r as Record<string, unknown>;
    const cell = (o && typeof o === 'object' && 'cell' in o ? o.cell : o) as Partial<LandcoverCell> | undefined;
    const ok =
      cell &&
      typeof cell.id === 'string' &&
      Number.isFinite(cell.lon) &&
      Number.isFinite(cell.lat) &&
      Number.isInteger(cell.epsg) &&
      Array.isArray(cell.extent) &&
      cell.extent.length === 4;
    if (!ok) throw new StageError('landcover', `${where}: record ${i} is not a grid cell; expected {id, lon, lat, epsg, extent: [minx, miny, maxx, maxy]} or a CellScenes record`);
    cells.push({ id: cell.id!, lon: cell.lon!, lat: cell.lat!, epsg: cell.epsg!, extent: cell.extent as BBox });
    const scenes = (o.scenes as { landcover?: { assets?: Record<string, { href?: string }> }[] } | undefined)?.landcover;
    if (scenes) {
      const list = scenes.map((s) => s.assets?.[MAP_BAND]?.href).filter((h): h is string => typeof h === 'string');
      hrefs.set(cell.id!, list);
    }
  });
  return { cells, hrefs };
}

export async function readCellsFile(file: string): Promise<CellsFile> {
  return cellsFromRecords(await readJsonRecords(file, 'landcover'), file);
}
