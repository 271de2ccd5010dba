// The cells that passed discovery, as the sampler needs them: id -> cloud cover (percent or null).
// Accepts discovery's CellScenes records ({cell: {id}, scenes: {s2_l2a: [{cloudCover}]}}) or plain
// {cellId, cloudCover} / {cell_id, cloud_cover} records, as a JSON array or JSON lines.
import { readJsonRecords } from '../json-records.js';
import type { CellScenes } from '../discover/types.js';
import { StageError } from '../errors.js';
import { allocatePopulation, type CellPopulation } from './population.js';
import { NBINS } from '../landcover/worldcover.js';

/** Cloud cover of a discovered cell: its first (main) optical scene's, L2A before L1C; null if unknown. */
export function cloudCoverOfCellScenes(cs: Pick<CellScenes, 'scenes'>): number | null {
  const s = cs.scenes.s2_l2a?.[0] ?? cs.scenes.s2_l1c?.[0];
  return s?.cloudCover ?? null;
}

export function passedCellsFromRecords(records: unknown[], where: string): Map<string, number | null> {
  const out = new Map<string, number | null>();
  records.forEach((r, i) => {
    const o = r as Record<string, unknown>;
    let id: unknown;
    let cloud: unknown = null;
    if (o && typeof o === 'object' && o.cell && typeof o.cell === 'object' && o.scenes && typeof o.scenes === 'object') {
      id = (o.cell as { id?: unknown }).id;
      cloud = cloudCoverOfCellScenes(o as unknown as CellScenes);
    } else if (o && typeof o === 'object') {
      id = o.cellId ?? o.cell_id;
      cloud = o.cloudCover ?? o.cloud_cover ?? null;
    }
    if (typeof id !== 'string' || id === '')
      throw new StageError('sample', `${where}: record ${i} has no cell id; expected {cellId, cloudCover?}, {cell_id, cloud_cover?} or a CellScenes record`);
    if (cloud !== null && !(typeof cloud === 'number' && cloud >= 0 && cloud <= 100))
      throw new StageError('sample', `${where}: record ${i} (${id}) has cloud cover ${JSON.stringify(cloud)}; expected a percent 0..100 or null`);
    out.set(id, cloud as number | null);
  });
  return out;
}

export async function readPassedCells(file: string): Promise<Map<string, number | null>> {
  return passedCellsFromRecords(await readJsonRecords(file, 'sample'), file);
}

/**
 * Restrict a land-cover population to the cells that passed discovery and attach their cloud cover.
 * Returns how many passed cells had no land-cover row (they cannot be sampled; the caller reports it).
 */
export function joinPassedCells(pop: CellPopulation, passed: Map<string, number | null>): { population: CellPopulation; missing: number } {
  const keep: number[] = [];
  for (let i = 0; i < pop.size; i++) if (passed.has(pop.ids[i])) keep.push(i);
  const out = allocatePopulation(keep.length);
  keep.forEach((i, j) => {
    out.ids[j] = pop.ids[i];
    out.lon[j] = pop.lon[i];
    out.lat[j] = pop.lat[i];
    out.epsg[j] = pop.epsg[i];
    out.hist.set(pop.hist.subarray(i * NBINS, (i + 1) * NBINS), j * NBINS);
    const c = passed.get(pop.ids[i]);
    out.cloud[j] = c == null ? NaN : c;
  });
  return { population: out, missing: passed.size - keep.length };
}
