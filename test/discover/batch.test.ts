import { describe, expect, it } from 'vitest';
import { assignItems } from '../../src/discover/batch-assign.js';
import { blockShape, cellTarget, groupCells } from '../../src/discover/batch.js';
import { Grid, coverArea, utmForward } from '../../src/grid/index.js';
import type { SceneItem } from '../../src/model/types.js';

const grid = new Grid({ cellSizeKm: 10, tileSizePx: 1068, resolutionM: 10 });

describe('cell targets', () => {
  it('puts the sample lattice on the target extent: corners exact, interior inside', () => {
    const t = cellTarget(grid.cellById('451U_946L'), 11);
    expect(t.points.length).toBe(11 * 11 * 2);
    const [x0, y0, x1, y1] = t.cell.extent;
    const at = (i: number, j: number) => utmForward(t.points[(j * 11 + i) * 2], t.points[(j * 11 + i) * 2 + 1], t.cell.epsg);
    expect(at(0, 0)[0]).toBeCloseTo(x0, 3);
    expect(at(0, 0)[1]).toBeCloseTo(y0, 3);
    expect(at(10, 10)[0]).toBeCloseTo(x1, 3);
    expect(at(10, 10)[1]).toBeCloseTo(y1, 3);
    // Interior points are blended in lon/lat: still within a metre of the UTM lattice.
    const [xm, ym] = at(5, 5);
    expect(Math.abs(xm - (x0 + x1) / 2)).toBeLessThan(1);
    expect(Math.abs(ym - (y0 + y1) / 2)).toBeLessThan(1);
  });

  it('gives a west > east bbox for a cell target across the antimeridian', () => {
    const t = cellTarget(grid.cellAt(179.99, -16.5));
    expect(t.bbox[0]).toBeGreaterThan(t.bbox[2]);
    for (let k = 0; k < t.points.length; k += 2) {
      expect(t.points[k]).toBeGreaterThanOrEqual(-180);
      expect(t.points[k]).toBeLessThan(180);
    }
  });
});

describe('query groups', () => {
  it('uses near-square blocks that never exceed batchCells', () => {
    expect(blockShape(64)).toEqual({ rows: 8, cols: 7 });
    expect(blockShape(1)).toEqual({ rows: 1, cols: 1 });
  });

  it('needs at most 25 searches per 1,000 cells per source with batchCells = 64 (vs 1,000 one per cell)', () => {
    // About 1,000 cells: a 4 x 2.8 degree block over the Alps (1,014 cells, 20 groups).
    const area = { kind: 'bbox' as const, bboxes: [[7, 45, 11, 47.8] as [number, number, number, number]] };
    const groups = [...groupCells(coverArea(grid, area), { grid, batchCells: 64 })];
    const cells = groups.reduce((n, g) => n + g.cells.length, 0);
    expect(cells).toBeGreaterThan(900);
    const perThousand = (groups.length * 1000) / cells;
    expect(perThousand).toBeLessThan(25);
    for (const g of groups) expect(g.cells.length).toBeLessThanOrEqual(64);
    expect(new Set(groups.flatMap((g) => g.cells.map((c) => c.cell.id))).size).toBe(cells);
    // Every cell's target lies inside its group's search box.
    for (const g of groups) {
      for (const c of g.cells) {
        expect(c.bbox[0]).toBeGreaterThanOrEqual(g.bbox[0]);
        expect(c.bbox[2]).toBeLessThanOrEqual(g.bbox[2]);
        expect(c.bbox[1]).toBeGreaterThanOrEqual(g.bbox[1]);
        expect(c.bbox[3]).toBeLessThanOrEqual(g.bbox[3]);
      }
    }
  });

  it('searches a group across the antimeridian with a two-box MultiPolygon', () => {
    const area = { kind: 'bbox' as const, bboxes: [[179.8, -16.6, -179.8, -16.3] as [number, number, number, number]] };
    const groups = [...groupCells(coverArea(grid, area), { grid, batchCells: 64 })];
    const across = groups.filter((g) => 'intersects' in g.search);
    expect(across.length).toBeGreaterThan(0);
    const g = across[0];
    expect(g.bbox[0]).toBeGreaterThan(g.bbox[2]);
    if (!('intersects' in g.search)) throw new Error('unreachable');
    const [east, west] = g.search.intersects.coordinates;
    expect(east[0][1][0]).toBe(180);
    expect(west[0][0][0]).toBe(-180);
  });

  it('rejects a batch size that is not a positive integer', () => {
    expect(() => [...groupCells([], { grid, batchCells: 0 })]).toThrow(/batchCells 0 is not a positive integer/);
  });
});

describe('assigning items to cells', () => {
  it('assigns an antimeridian-split MultiPolygon footprint to cells on both sides', () => {
    const cells = [grid.cellAt(179.95, -16.5), grid.cellAt(-179.95, -16.5), grid.cellAt(170, -16.5)].map((c) => cellTarget(c));
    const item: SceneItem = {
      id: 'across',
      collection: 'sentinel-1-grd',
      sceneKey: 'across',
      datetime: '2024-01-01T00:00:00Z',
      bbox: [179, -17, -179, -16],
      geometry: {
        type: 'MultiPolygon',
        coordinates: [
          [[[179, -17], [180, -17], [180, -16], [179, -16], [179, -17]]],
          [[[-180, -17], [-179, -17], [-179, -16], [-180, -16], [-180, -17]]],
        ],
      },
      assets: {},
    };
    const out = assignItems(cells, [item]);
    expect(out[0].map((c) => c.coverage)).toEqual([1]);
    expect(out[1].map((c) => c.coverage)).toEqual([1]);
    expect(out[2]).toEqual([]);
  });
});
