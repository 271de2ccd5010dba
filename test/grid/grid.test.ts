import proj4 from 'proj4';
import { describe, expect, it } from 'vitest';
import { coverArea, extentLonLatBBox, Grid, GridGeometry, cellId, extentRing, MAJOR_TOM_CORE, parseCellId, utmEpsg, utmForward, utmInverse, utmZone } from '../../src/grid/index.js';
import { TerrafmError } from '../../src/errors.js';

const core = new Grid({ cellSizeKm: 10, tileSizePx: 1068, resolutionM: 10 });

describe('Major-TOM grid geometry', () => {
  it('has the row count and spacing of Major-TOM Core (d = 10 km)', () => {
    // N_rows = ceil(pi * 6378.137 / 10) = ceil(2003.75) = 2004, dLat = 180 / 2004.
    const g = core.geometry;
    expect(g.nRows).toBe(2004);
    expect(g.dLat).toBeCloseTo(0.0898203593, 10);
    expect(g.minRow).toBe(-1002); // the south pole row (even N_rows)
    expect(g.maxRow).toBe(1001);
    expect(g.colsInRow(0)).toBe(4008); // ceil(2 pi 6378.137 / 10) = ceil(4007.5)
    expect(g.colsInRow(-1002)).toBe(1); // cos(-90) = 0: one disc cell
  });

  // Expected values computed independently (python, from the formulas in Major-TOM's docs/SPEC.md §2).
  const cases: [string, number, number, string, number, number, number][] = [
    // label, lon, lat, id, cell lon, cell lat, columns in row
    ['just south-west of (0, 0)', -0.01, -0.01, '1D_1L', -0.08982035928143713, -0.08982035928143713, 4008],
    ['just north-east of (0, 0)', 0.05, 0.05, '0U_0R', 0, 0, 4008],
    ['70N', 12.3, 70.0, '779U_46R', 12.061179898033503, 69.97005988023952, 1373],
    ['80S', -45.6, -80.0, '891D_88L', -45.648414985590776, -80.02994011976048, 694],
    ['east of the antimeridian, south', 179.99, -16.5, '184D_1920R', 179.9062988027069, -16.526946107784433, 3842],
    ['west of the antimeridian, south', -179.99, -16.5, '184D_1921L', -180, -16.526946107784433, 3842],
  ];
  it.each(cases)('cell at %s', (_label, lon, lat, id, cLon, cLat, cols) => {
    const c = core.cellAt(lon, lat);
    expect(c.id).toBe(id);
    expect(c.lon).toBeCloseTo(cLon, 9);
    expect(c.lat).toBeCloseTo(cLat, 9);
    expect(core.geometry.colsInRow(c.row)).toBe(cols);
  });

  it('wraps the odd-column row across the antimeridian (row 725U has 1687 columns)', () => {
    const east = core.cellAt(179.95, 65.2);
    const west = core.cellAt(-179.95, 65.2);
    expect(east.id).toBe('725U_843R');
    expect(west.id).toBe('725U_843R');
    expect(east.lon).toBeCloseTo(179.89330171902785, 9);
    expect(core.cellBounds(east)[2]).toBeGreaterThan(180);
  });

  it('matches real Major-TOM cell 451U_946L (Snowbird, docs/SPEC.md §5.1 and core_meta_451U_946L.json)', () => {
    // ESA-PhiLab/Major-TOM docs/SPEC.md §5.1: Snowbird, Utah (40.5829N, 111.6556W) is in row 451U
    // (40.508982N, 3,047 columns, dLon 0.118149) and column 946L (111.768953W); the Core-S2L2A
    // sample of that cell (docs/animations/data/core_meta_451U_946L.json) is in EPSG:32612.
    const c = core.cellAt(-111.6556, 40.5829);
    expect(c.id).toBe('451U_946L');
    expect(c.lat).toBeCloseTo(40.508982, 6);
    expect(c.lon).toBeCloseTo(-111.768953, 6);
    expect(core.geometry.colsInRow(451)).toBe(3047);
    expect(core.geometry.dLon(451)).toBeCloseTo(0.118149, 6);
    expect(c.epsg).toBe(32612);
    // Their centroid projected to UTM 12N: x = 439,897.17, y = 4,489,478.87 (to their printed rounding).
    const b = core.cellBounds(c);
    const [x, y] = utmForward((b[0] + b[2]) / 2, (b[1] + b[3]) / 2, 32612);
    expect(x).toBeCloseTo(439897.17, 0);
    expect(y).toBeCloseTo(4489478.87, 0);
    // Our extent: that centroid +- 5,340 m, rounded to 10 m.
    expect(c.extent).toEqual([434560, 4484140, 445240, 4494820]);
  });

  it('matches Major-TOM cell 4517U_9441L at d = 1 km (docs/SPEC.md §5.2)', () => {
    const g = new Grid({ cellSizeKm: 1, tileSizePx: 108, resolutionM: 10 });
    expect(g.geometry.nRows).toBe(20038);
    const c = g.cellAt(-111.6556, 40.5829);
    expect(c.id).toBe('4517U_9441L');
    expect(g.geometry.colsInRow(4517)).toBe(30439);
    expect(c.lat).toBeCloseTo(40.575906, 6);
    expect(c.lon).toBeCloseTo(-111.65807, 6);
  });

  it('round-trips ids: id -> cell -> id, for every row of a coarse grid and sampled cells of the core grid', () => {
    const coarse = new Grid({ cellSizeKm: 500, tileSizePx: 100, resolutionM: 5000 });
    const g = coarse.geometry;
    expect(g.nRows).toBe(41); // odd: rows -20..20
    expect([g.minRow, g.maxRow]).toEqual([-20, 20]);
    for (let row = g.minRow; row <= g.maxRow; row++) {
      for (let col = g.minCol(row); col <= g.maxCol(row); col++) {
        const id = cellId(row, col);
        expect(coarse.cellById(id)).toMatchObject({ id, row, col });
      }
    }
    for (const id of ['917D_239R', '0U_0R', '1D_1L', '1001U_3L', '1002D_0R']) {
      expect(core.cellById(id).id).toBe(id);
      expect(cellId(parseCellId(id).row, parseCellId(id).col)).toBe(id);
    }
  });

  it('rejects malformed and non-existent ids with a clear message', () => {
    expect(() => parseCellId('12X_3R')).toThrow(/malformed; expected <row><U\|D>_<col><R\|L>/);
    expect(() => parseCellId('0D_5R')).toThrow(/no 0D or 0L/);
    expect(() => core.cellById('1500U_0R')).toThrow(/outside the 10 km grid \(rows -1002..1001\)/);
    expect(() => core.cell(0, 2004)).toThrow(/row 0 has columns -2004..2003/);
    expect(() => new GridGeometry(0)).toThrow(TerrafmError);
  });
});

describe('UTM zones and projection', () => {
  it('applies the Norway and Svalbard exceptions and both hemispheres', () => {
    expect(utmZone(5, 60)).toBe(32); // 32V widened over 3..12E
    expect(utmZone(5, 55)).toBe(31);
    expect(utmZone(10, 78)).toBe(33); // Svalbard: no zone 32X
    expect(utmZone(8.5, 78)).toBe(31);
    expect(utmZone(179.99, 10)).toBe(60);
    expect(utmZone(180, 10)).toBe(1);
    expect(utmEpsg(-174.34, -1)).toBe(32701); // the assertions of Major-TOM grid.py's self-test
    expect(utmEpsg(-4, 48)).toBe(32630);
    expect(utmEpsg(13, 78)).toBe(32633);
    expect(utmEpsg(19.7, -34)).toBe(32734);
    expect(utmEpsg(175.7, -36)).toBe(32760);
  });

  it('agrees with proj4 to a millimetre, forward and inverse', () => {
    const pts: [number, number][] = [
      [-111.70988, 40.55389],
      [3.1, 0.01],
      [-2.9, -0.01],
      [12.3, 70.0],
      [-45.4, -79.98],
      [179.9, -16.48],
      [7.9, 84.5],
      [20.7, -33.9],
    ];
    for (const [lon, lat] of pts) {
      const epsg = utmEpsg(lon, lat);
      const zone = epsg % 100;
      const def = `+proj=utm +zone=${zone} ${epsg > 32700 ? '+south ' : ''}+datum=WGS84 +units=m +no_defs`;
      const [px, py] = proj4('WGS84', def, [lon, lat]);
      const [x, y] = utmForward(lon, lat, epsg);
      expect(Math.abs(x - px)).toBeLessThan(1e-3);
      expect(Math.abs(y - py)).toBeLessThan(1e-3);
      const [lon2, lat2] = utmInverse(x, y, epsg);
      expect(Math.abs(lon2 - lon)).toBeLessThan(1e-9);
      expect(Math.abs(lat2 - lat)).toBeLessThan(1e-9);
    }
  });
});

describe('pixel-snapped target extent', () => {
  it('puts every edge on the resolution lattice, is sizePx * resolution wide and centred on the cell', () => {
    const grids = [core, new Grid({ cellSizeKm: 10, tileSizePx: 1067, resolutionM: 10 }), new Grid({ cellSizeKm: 5, tileSizePx: 264, resolutionM: 20 })];
    for (const grid of grids) {
      for (const [lon, lat] of [
        [0.05, 0.05],
        [-0.01, -0.01],
        [12.3, 70.0],
        [-45.6, -80.0],
        [179.99, -16.5],
        [-111.6556, 40.5829],
      ]) {
        const c = grid.cellAt(lon, lat);
        const res = grid.spec.resolutionM;
        const [x0, y0, x1, y1] = c.extent;
        expect(Math.abs(x0 % res)).toBe(0);
        expect(Math.abs(y0 % res)).toBe(0);
        expect(x1 - x0).toBe(grid.spec.tileSizePx * res);
        expect(y1 - y0).toBe(grid.spec.tileSizePx * res);
        const b = grid.cellBounds(c);
        const [cx, cy] = utmForward((b[0] + b[2]) / 2, (b[1] + b[3]) / 2, c.epsg);
        expect(Math.abs((x0 + x1) / 2 - cx)).toBeLessThanOrEqual(res / 2 + 1e-6);
        expect(Math.abs((y0 + y1) / 2 - cy)).toBeLessThanOrEqual(res / 2 + 1e-6);
      }
    }
  });

  it('holds the whole 10 km cell in the 10.68 km tile outside the widened exception zones', () => {
    const g = core.geometry;
    for (let row = -880; row <= 880; row += 37) {
      for (let col = g.minCol(row); col <= g.maxCol(row); col += 97) {
        const c = core.cell(row, col);
        const [w, s, e, n] = core.cellBounds(c);
        const inNorway = s >= 55.9 && s < 64 && w >= 2.9 && w < 12;
        const inSvalbard = s >= 71.9 && w >= -0.1 && w < 42;
        if (inNorway || inSvalbard) continue;
        for (const [lon, lat] of [[w, s], [e, s], [e, n], [w, n], [(w + e) / 2, s], [(w + e) / 2, n]]) {
          const [x, y] = utmForward(lon, lat, c.epsg);
          expect(x).toBeGreaterThan(c.extent[0]);
          expect(x).toBeLessThan(c.extent[2]);
          expect(y).toBeGreaterThan(c.extent[1]);
          expect(y).toBeLessThan(c.extent[3]);
        }
      }
    }
  });

  it('gives the extent as a lon/lat ring that round-trips to the UTM corners', () => {
    const c = core.cellById('451U_946L');
    const ring = extentRing(c, 2);
    expect(ring).toHaveLength(9);
    expect(ring[0]).toEqual(ring[8]);
    const [x, y] = utmForward(ring[0][0], ring[0][1], c.epsg);
    expect(x).toBeCloseTo(c.extent[0], 4);
    expect(y).toBeCloseTo(c.extent[1], 4);
    const [x2, y2] = utmForward(ring[4][0], ring[4][1], c.epsg);
    expect(x2).toBeCloseTo(c.extent[2], 4);
    expect(y2).toBeCloseTo(c.extent[3], 4);
  });
});

describe('cell footprint in lon/lat', () => {
  it('encloses the extent ring (8 points per edge) and spans every longitude for a cell on the antimeridian', () => {
    const grid = new Grid({ cellSizeKm: 2.56, tileSizePx: 256, resolutionM: 10 });
    const [cell] = [...coverArea(grid, { kind: 'bbox', bboxes: [[8.9659, 47.7168, 8.97, 47.72]] })][0]!;
    const box = extentLonLatBBox(cell!);
    const ring = extentRing(cell!, 8);
    expect(box).toEqual([Math.min(...ring.map((p) => p[0])), Math.min(...ring.map((p) => p[1])), Math.max(...ring.map((p) => p[0])), Math.max(...ring.map((p) => p[1]))]);
    // the target square is 2.56 km a side, around the cell
    expect(box[2] - box[0]).toBeGreaterThan(0.03);
    expect(box[2] - box[0]).toBeLessThan(0.05);
    const east = new Grid(MAJOR_TOM_CORE);
    const wrap = [...coverArea(east, { kind: 'bbox', bboxes: [[179.95, -16.5, 180, -16.45]] })].flat().find((c) => extentRing(c, 8).some((p) => p[0] > 180));
    expect(wrap).toBeDefined();
    const wb = extentLonLatBBox(wrap!);
    expect([wb[0], wb[2]]).toEqual([-180, 180]);
  });
});
