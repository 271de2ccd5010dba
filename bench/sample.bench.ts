// Sample stage benchmark: every policy on 1,000,000 synthetic cells (11 classes, long-tailed), and the
// land-cover pass on the real WorldCover tile N00E006 (80 m through overviews vs 10 m full resolution).
// Targets (issue 4): < 2 s and < 1 GB RSS per policy at 1M cells.
import type { BenchContext } from './harness.js';
import { timeIt } from './harness.js';
import { runPolicy, type PolicySpec } from '../src/sample/policies/index.js';
import { runSampling } from '../src/sample/run-sampling.js';
import { syntheticPopulation } from '../src/sample/synthetic.js';
import { cellsInBBox } from '../src/sample/landcover/cells-input.js';
import { gdalLandcoverReader } from '../src/sample/landcover/gdal-reader.js';
import { runLandcoverPass } from '../src/sample/landcover/pass.js';
import { rasterFileSource } from '../src/sample/landcover/sources.js';
import { realFixture } from '../test/support/fixtures.js';

const TILE = realFixture('raster/esa_worldcover_N00E006/ESA_WorldCover_10m_2021_v200_N00E006_Map.tif');

export default async function (ctx: BenchContext): Promise<void> {
  const cells = ctx.quick ? 100_000 : 1_000_000;
  const count = cells / 10;
  const pop = syntheticPopulation({ cells, seed: 1 });
  const specs: PolicySpec[] = [
    { policy: 'uniform' },
    { policy: 'inverse-frequency', alpha: 1 },
    { policy: 'stratified' },
    { policy: 'target' },
  ];
  for (const spec of specs) {
    const ms = await timeIt(() => runPolicy(pop, spec, { count, seed: 7 }), ctx.quick ? 2 : 3);
    ctx.record({ name: `${spec.policy}: ${cells} cells -> ${count}`, unit: 'ms', values: ms, note: 'target < 2000 ms at 1M cells' });
    ctx.record({ name: `peak RSS after ${spec.policy}`, unit: 'MiB', values: [ctx.peakRssMiB()], note: 'whole process, cumulative; target < 1024' });
  }
  const runMs = await timeIt(
    () => runSampling(pop, { count, seed: 7, filters: { maxNodataFraction: 0.5, excludeAllWater: true, maxCloud: 90 }, policies: specs }),
    1,
    0,
  );
  ctx.record({ name: `filters + 4 policies + report: ${cells} cells`, unit: 'ms', values: runMs, note: 'report build included, no file writes' });

  // Land-cover pass on the real tile: the Major-TOM cells covering 6-9E 0-3N (1024 cells of 10.68 km).
  const all = cellsInBBox([6, 0, 9, 3], { cellSizeKm: 10.68, tileSizePx: 1068, resolutionM: 10 });
  const lcCells = ctx.quick ? all.slice(0, 100) : all;
  const source = rasterFileSource(TILE);
  const rate80: number[] = [];
  for (let rep = 0; rep < (ctx.quick ? 1 : 3); rep++) {
    const reader = gdalLandcoverReader();
    const r = await runLandcoverPass(lcCells, source, reader, { resolutionM: 80, concurrency: 2 });
    reader.close();
    rate80.push(lcCells.length / r.elapsedS);
  }
  ctx.record({ name: `land-cover pass 80 m (overviews), ${lcCells.length} cells, concurrency 2`, unit: 'cells/s', values: rate80, note: 'real WorldCover N00E006 COG, local file' });
  // The same cells at full resolution, for contrast (a slice: it is slow by design).
  const few = lcCells.slice(0, 48);
  const rate10: number[] = [];
  for (let rep = 0; rep < (ctx.quick ? 1 : 2); rep++) {
    const reader = gdalLandcoverReader({ overview: 'NONE' });
    const r = await runLandcoverPass(few, source, reader, { resolutionM: 10, concurrency: 2 });
    reader.close();
    rate10.push(few.length / r.elapsedS);
  }
  ctx.record({ name: `land-cover pass 10 m (full resolution), ${few.length} cells`, unit: 'cells/s', values: rate10, note: 'why the pass reads overviews' });
  ctx.record({ name: 'peak RSS, whole sample benchmark', unit: 'MiB', values: [ctx.peakRssMiB()] });
}
