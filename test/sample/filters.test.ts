import { describe, expect, it } from 'vitest';
import { applyFilters, NO_FILTERS } from '../../src/sample/filters.js';
import { populationFromCells, type CellInput } from '../../src/sample/population.js';
import { latBand, utmZone } from '../../src/sample/regions.js';

const h = (nodata: number, tree: number, water: number): number[] => [nodata, tree, 0, 0, 0, 0, 0, 0, water, 0, 0, 0];
const cells: CellInput[] = [
  { cellId: 'a', lon: 10, lat: 5, epsg: 32632, histogram: h(0, 10, 0), cloudCover: 5 }, // kept
  { cellId: 'b', lon: 10, lat: 15, epsg: 32632, histogram: h(8, 2, 0), cloudCover: 5 }, // nodata 0.8
  { cellId: 'c', lon: -70, lat: -15, epsg: 32719, histogram: h(10, 0, 0) }, // all nodata
  { cellId: 'd', lon: -70, lat: -15, epsg: 32719, histogram: h(1, 0, 9), cloudCover: 90 }, // all water (before cloud)
  { cellId: 'e', lon: 100, lat: 65, epsg: 32647, histogram: h(0, 9, 1), cloudCover: 80 }, // cloudy
  { cellId: 'f', lon: 100, lat: 65, epsg: 32647, histogram: h(0, 9, 1) }, // unknown cloud: kept
];
const pop = populationFromCells(cells);

describe('filters', () => {
  it('count what each filter removed, first failing filter wins, by region', () => {
    const o = applyFilters(pop, { maxNodataFraction: 0.5, excludeAllWater: true, maxCloud: 50 });
    expect(o.before).toBe(6);
    expect(o.after).toBe(2);
    expect(Array.from(o.kept)).toEqual([0, 5]);
    expect(o.removals.map((r) => [r.filter, r.removed])).toEqual([
      ['max_nodata_fraction', 2],
      ['exclude_all_water', 1],
      ['max_cloud', 1],
    ]);
    expect(o.removals[0].byLatBand).toEqual({ 'S20-S10': 1, 'N10-N20': 1 });
    expect(o.removals[0].byUtmZone).toEqual({ '32N': 1, '19S': 1 });
    expect(o.removals[2].byLatBand).toEqual({ 'N60-N70': 1 });
    expect(o.removals[2].rule).toBe('cloud cover > 50%');
  });
  it('keep everything with no filters', () => {
    const o = applyFilters(pop, NO_FILTERS);
    expect(o.after).toBe(6);
    expect(o.removals.every((r) => r.removed === 0)).toBe(true);
  });
});

describe('regions', () => {
  it('labels latitude bands and UTM zones', () => {
    expect(latBand(0.5)).toBe('N00-N10');
    expect(latBand(-0.5)).toBe('S10-S00');
    expect(latBand(89.9)).toBe('N80-N90');
    expect(utmZone(32601)).toBe('1N');
    expect(utmZone(32760)).toBe('60S');
    expect(utmZone(3857)).toBe('EPSG:3857');
  });
});

describe('population input', () => {
  it('names the bad cell and field', () => {
    expect(() => populationFromCells([{ cellId: 'x', lon: 0, lat: 0, epsg: 32631, histogram: [1, 2] }])).toThrow(
      /cell 0 \(x\): histogram has 2 bins, expected 12/,
    );
    expect(() => populationFromCells([{ cellId: 'x', lon: 0, lat: 0, epsg: 32631, histogram: h(0, 1, 0), cloudCover: 140 }])).toThrow(
      /cloudCover 140 outside 0..100/,
    );
    expect(() => populationFromCells([cells[0], cells[0]])).toThrow(/duplicate cellId/);
  });
});
