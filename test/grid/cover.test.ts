import { describe, expect, it } from 'vitest';
import { Grid, countCells, coverArea, type Area } from '../../src/grid/index.js';
import type { BBox, GridCell } from '../../src/model/types.js';

const core = new Grid({ cellSizeKm: 10, tileSizePx: 1068, resolutionM: 10 });

function ids(grid: Grid, area: Area): string[] {
  return [...coverArea(grid, area)].flat().map((c) => c.id);
}

/** Brute force: every cell of the rows near the bbox, kept when its bounds overlap the bbox with positive area. */
function bruteBbox(grid: Grid, [w, s, e, n]: BBox): string[] {
  const g = grid.geometry;
  const out: string[] = [];
  const east = w > e ? e + 360 : e;
  for (let row = g.rowAt(s) - 1; row <= g.rowAt(n) + 1; row++) {
    if (!g.hasRow(row)) continue;
    for (let col = g.minCol(row); col <= g.maxCol(row); col++) {
      const [cw, cs, ce, cn] = grid.cellBounds({ row, col });
      if (!(cs < n && cn > s)) continue;
      // Compare in both 360-shifted copies so the antimeridian needs no special case here.
      const hit = [-360, 0, 360].some((k) => cw + k < east && ce + k > w);
      if (hit) out.push(grid.cellBounds({ row, col }) && `${Math.abs(row)}${row >= 0 ? 'U' : 'D'}_${Math.abs(col)}${col >= 0 ? 'R' : 'L'}`);
    }
  }
  return out.sort();
}

describe('cover a bbox', () => {
  it('selects the 2 x 3 cells of a small bbox at the equator (hand-computed)', () => {
    // Rows 0U (0..0.0898) and 1U (0.0898..0.1796) overlap lat 0..0.1; both rows have 4008 columns of
    // 0.0898 deg, so lon 0..0.2 overlaps columns 0R, 1R, 2R (2R spans 0.1796..0.2695).
    expect(ids(core, { kind: 'bbox', bboxes: [[0, 0, 0.2, 0.1]] })).toEqual(['0U_0R', '0U_1R', '0U_2R', '1U_0R', '1U_1R', '1U_2R']);
  });

  it('leaves out cells that only touch the bbox on an edge, and takes the containing cell for a point', () => {
    const d = core.geometry.dLat;
    const dl = core.geometry.dLon(0);
    expect(ids(core, { kind: 'bbox', bboxes: [[0, 0, dl, d]] })).toEqual(['0U_0R']);
    expect(ids(core, { kind: 'bbox', bboxes: [[0.05, 0.05, 0.05, 0.05]] })).toEqual(['0U_0R']);
    expect(ids(core, { kind: 'bbox', bboxes: [[-0.01, -0.01, -0.01, -0.01]] })).toEqual(['1D_1L']);
  });

  it('crosses the antimeridian when west > east (hand-computed, row 184D has 3842 columns)', () => {
    const got = ids(core, { kind: 'bbox', bboxes: [[179.9, -16.5, -179.9, -16.45]] });
    // lon 179.9..180.1 in 0.0937-deg columns: 1919R, 1920R, then past 180 the columns wrap to 1921L, 1920L;
    // within a row cells come by column index, the -180 side first.
    expect(got).toEqual(['184D_1921L', '184D_1920L', '184D_1919R', '184D_1920R']);
  });

  it('agrees with a brute-force scan on bboxes at all latitudes, both hemispheres and the antimeridian', () => {
    const boxes: BBox[] = [
      [-3.2, 40.1, -2.1, 40.9],
      [12.0, 69.8, 13.1, 70.3],
      [-46.0, -80.3, -44.5, -79.9],
      [179.5, 65.0, -179.6, 65.5],
      [170.2, -45.3, -175.4, -44.9],
      [-180, 84.6, 180, 85],
    ];
    for (const b of boxes) {
      expect(ids(core, { kind: 'bbox', bboxes: [b] }).sort()).toEqual(bruteBbox(core, b));
    }
  });

  it('merges overlapping bboxes without duplicates', () => {
    const a: BBox = [10, 45, 10.5, 45.3];
    const b: BBox = [10.3, 45.1, 10.8, 45.4];
    const got = ids(core, { kind: 'bbox', bboxes: [a, b] });
    expect(new Set(got).size).toBe(got.length);
    expect(new Set(got)).toEqual(new Set([...bruteBbox(core, a), ...bruteBbox(core, b)]));
  });

  it('rejects a bbox with south above north', () => {
    expect(() => ids(core, { kind: 'bbox', bboxes: [[0, 10, 1, 5]] })).toThrow(/area bbox 0 \[0, 10, 1, 5\] is invalid; expected \[west, south, east, north\]/);
  });
});

/** Positive-area overlap of a convex polygon and a rectangle by the separating axis theorem. */
function convexOverlapsRect(poly: number[][], [w, s, e, n]: BBox): boolean {
  const rect = [[w, s], [e, s], [e, n], [w, n]];
  const shapes = [poly, rect];
  for (const shape of shapes) {
    for (let i = 0; i < shape.length; i++) {
      const [x1, y1] = shape[i];
      const [x2, y2] = shape[(i + 1) % shape.length];
      const ax = y1 - y2;
      const ay = x2 - x1;
      const proj = (pts: number[][]) => pts.map(([x, y]) => x * ax + y * ay);
      const p = proj(poly);
      const r = proj(rect);
      if (Math.max(...p) <= Math.min(...r) || Math.max(...r) <= Math.min(...p)) return false;
    }
  }
  return true;
}

describe('cover polygons', () => {
  const tri = [[7.0, 46.0], [7.9, 46.2], [7.2, 46.8]];

  it('matches an exact convex-overlap test for a triangle', () => {
    const got = ids(core, { kind: 'geojson', geometry: { type: 'Polygon', coordinates: [[...tri, tri[0]]] } }).sort();
    const g = core.geometry;
    const want: string[] = [];
    for (let row = g.rowAt(45.9); row <= g.rowAt(46.9); row++) {
      for (let col = g.minCol(row); col <= g.maxCol(row); col++) {
        const cell = core.makeCell(row, col);
        if (convexOverlapsRect(tri, core.cellBounds(cell))) want.push(cell.id);
      }
    }
    expect(want.length).toBeGreaterThan(20);
    expect(got).toEqual(want.sort());
  });

  it('leaves out cells inside a hole and keeps those the hole boundary crosses', () => {
    const outer = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]];
    const hole = [[0.3, 0.3], [0.3, 0.7], [0.7, 0.7], [0.7, 0.3], [0.3, 0.3]];
    const got = new Set(ids(core, { kind: 'geojson', geometry: { type: 'Polygon', coordinates: [outer, hole] } }));
    const all = ids(core, { kind: 'bbox', bboxes: [[0, 0, 1, 1]] });
    const inHole = all.filter((id) => {
      const [w, s, e, n] = core.cellBounds(core.cellById(id));
      return w >= 0.3 && e <= 0.7 && s >= 0.3 && n <= 0.7;
    });
    expect(inHole.length).toBeGreaterThan(4);
    expect([...got].sort()).toEqual(all.filter((id) => !inHole.includes(id)).sort());
  });

  it('gives the same cells for a ring past 180 and the same area split at the antimeridian', () => {
    const across = { type: 'Polygon' as const, coordinates: [[[179.6, -10.3], [180.4, -10.3], [180.4, -9.9], [179.6, -9.9], [179.6, -10.3]]] };
    const split = {
      type: 'MultiPolygon' as const,
      coordinates: [
        [[[179.6, -10.3], [180, -10.3], [180, -9.9], [179.6, -9.9], [179.6, -10.3]]],
        [[[-180, -10.3], [-179.6, -10.3], [-179.6, -9.9], [-180, -9.9], [-180, -10.3]]],
      ],
    };
    const a = ids(core, { kind: 'geojson', geometry: across }).sort();
    const b = ids(core, { kind: 'geojson', geometry: split }).sort();
    expect(a).toEqual(b);
    expect(a).toEqual(bruteBbox(core, [179.6, -10.3, -179.6, -9.9]));
  });
});

describe('cover the globe', () => {
  it('counts the 5,094,350 cells of Major-TOM Core rows -85..85 without building them', () => {
    // Same figure from Major-TOM's own construction (numpy linspace rows, latitude_range (-85, 85)).
    expect(countCells(core, { kind: 'global' })).toBe(5094350);
  });

  it('streams in batches no larger than asked, covering every cell once', () => {
    const coarse = new Grid({ cellSizeKm: 100, tileSizePx: 100, resolutionM: 1000 });
    const seen = new Set<string>();
    let batches = 0;
    let first: GridCell | undefined;
    for (const batch of coverArea(coarse, { kind: 'global' }, { batchSize: 500 })) {
      expect(batch.length).toBeLessThanOrEqual(500);
      batches++;
      first ??= batch[0];
      for (const c of batch) seen.add(c.id);
    }
    const total = countCells(coarse, { kind: 'global' });
    expect(seen.size).toBe(total);
    expect(batches).toBe(Math.ceil(total / 500));
    expect(first!.lat).toBeGreaterThanOrEqual(-85);
    expect(first!.lat - coarse.geometry.dLat).toBeLessThan(-85);
  });

  it('stops at the limit', () => {
    const got = [...coverArea(core, { kind: 'global' }, { limit: 7, batchSize: 3 })];
    expect(got.map((b) => b.length)).toEqual([3, 3, 1]);
  });
});
