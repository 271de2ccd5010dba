// The land-cover pass: for every cell, find its map(s), warp its window at the chosen resolution and
// count classes. Cells run a few at a time (GDAL works on the libuv thread pool); results land in a
// column-oriented population in input order, so the output is the same whatever the completion order.
import pLimit from 'p-limit';
import { allocatePopulation, type CellPopulation } from '../population.js';
import type { LandcoverReader } from './gdal-reader.js';
import { planCellWindow, type LandcoverCell } from './plan.js';
import type { LandcoverSource } from './sources.js';
import { NBINS } from '../../landcover/worldcover.js';

export interface LandcoverPassOptions {
  resolutionM: number;
  /** Cells in flight. Default 2. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface LandcoverPassResult {
  population: CellPopulation;
  /** Cells no map covered at all (histogram is all nodata). */
  uncovered: number;
  elapsedS: number;
}

export async function runLandcoverPass(
  cells: readonly LandcoverCell[],
  source: LandcoverSource,
  reader: LandcoverReader,
  opts: LandcoverPassOptions,
): Promise<LandcoverPassResult> {
  const t0 = performance.now();
  const pop = allocatePopulation(cells.length);
  const limit = pLimit(Math.max(1, opts.concurrency ?? 2));
  let done = 0;
  let uncovered = 0;
  await Promise.all(
    cells.map((cell, i) =>
      limit(async () => {
        const window = planCellWindow(cell, opts.resolutionM);
        const paths = await source.pathsFor(cell);
        if (paths.length === 0) uncovered++;
        const h = await reader.histogram(window, paths);
        pop.hist.set(h.subarray(0, NBINS), i * NBINS);
        pop.ids[i] = cell.id;
        pop.lon[i] = cell.lon;
        pop.lat[i] = cell.lat;
        pop.epsg[i] = cell.epsg;
        opts.onProgress?.(++done, cells.length);
      }),
    ),
  );
  return { population: pop, uncovered, elapsedS: (performance.now() - t0) / 1000 };
}
