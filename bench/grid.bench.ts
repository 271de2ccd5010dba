// Grid benchmark: global Major-TOM grid enumeration (cells with UTM zone and snapped extent) in
// cells/s, target >= 1M/s; and the STAC searches per 1,000 cells that query grouping needs for
// realistic areas (vs 1,000 for one search per cell).
import { groupCells } from '../src/discover/batch.js';
import { Grid, countCells, coverArea, type Area } from '../src/grid/index.js';
import type { BenchContext } from './harness.js';

export default async function (ctx: BenchContext): Promise<void> {
  const grid = new Grid({ cellSizeKm: 10, tileSizePx: 1068, resolutionM: 10 });
  const global: Area = { kind: 'global' };
  const total = ctx.quick ? 200_000 : countCells(grid, global);
  const reps = ctx.quick ? 2 : 3;
  const rates: number[] = [];
  for (let r = 0; r < reps + 1; r++) {
    const t0 = performance.now();
    let n = 0;
    let check = 0;
    for (const batch of coverArea(grid, global, { batchSize: 8192, limit: total })) {
      n += batch.length;
      check += batch[batch.length - 1].extent[0]; // touch the results so nothing is optimised away
    }
    const s = (performance.now() - t0) / 1000;
    if (n !== total || !Number.isFinite(check)) throw new Error(`enumerated ${n} cells, expected ${total}`);
    if (r > 0) rates.push(Math.round(n / s)); // first pass warms the JIT
  }
  ctx.record({
    name: `global grid enumeration, d = 10 km, ${total.toLocaleString('en')} cells (GridCell with EPSG + snapped extent)`,
    unit: 'cells/s',
    values: rates,
    note: 'target >= 1,000,000 cells/s; streaming batches of 8,192',
  });
  ctx.record({ name: 'global grid enumeration peak RSS', unit: 'MiB', values: [Math.round(ctx.peakRssMiB())], note: 'batches are dropped as consumed' });

  const areas: [string, Area][] = [
    ['Alps 4 x 2.8 deg', { kind: 'bbox', bboxes: [[7, 45, 11, 47.8]] }],
    ['Netherlands-size 3 x 3 deg at 52N', { kind: 'bbox', bboxes: [[4, 50.5, 7, 53.5]] }],
    ['equatorial strip 10 x 1 deg', { kind: 'bbox', bboxes: [[10, -0.5, 20, 0.5]] }],
  ];
  for (const batchCells of [64, 256]) {
    for (const [label, area] of areas) {
      const vals: number[] = [];
      for (let r = 0; r < (ctx.quick ? 1 : 3); r++) {
        let groups = 0;
        let cells = 0;
        for (const g of groupCells(coverArea(grid, area), { grid, batchCells })) {
          groups++;
          cells += g.cells.length;
        }
        vals.push(Math.round(((groups * 1000) / cells) * 10) / 10);
      }
      ctx.record({
        name: `searches per 1,000 cells per source, ${label}, batch_cells ${batchCells}`,
        unit: 'searches/1000 cells',
        values: vals,
        note: 'one search per query group and source (pages extra); one-per-cell would be 1,000',
      });
    }
  }
}
