import { describe, expect, it } from 'vitest';
import { assignItems } from '../../../src/discover/batch-assign.js';
import { cellTarget } from '../../../src/discover/batch.js';
import { Grid } from '../../../src/grid/index.js';
import { pairCell, type PairingRules } from '../../../src/discover/pairing/pair.js';
import type { SceneItem, SourceName } from '../../../src/model/types.js';
import { scene } from './helpers.js';

const grid = new Grid({ cellSizeKm: 10, tileSizePx: 1068, resolutionM: 10 });
const target = cellTarget(grid.cellAt(10.05, 45.05));
const [W, S, E, N] = target.bbox;
const MID = (W + E) / 2;
const FULL: [number, number, number, number] = [W - 0.5, S - 0.5, E + 0.5, N + 0.5];
const WEST: [number, number, number, number] = [W - 0.5, S - 0.5, MID, N + 0.5];
const EAST: [number, number, number, number] = [MID, S - 0.5, E + 0.5, N + 0.5];

const rules = (over: Partial<PairingRules> = {}): PairingRules => ({
  sources: {
    s2_l2a: { collections: ['sentinel-2-l2a', 'sentinel-2-c1-l2a'], cloudMax: 60 },
    s2_l1c: { collections: ['sentinel-2-l1c'] },
    s1: { collections: ['sentinel-1-grd'], orbit: 'any' },
  },
  windowDays: 10,
  minCoverage: 0.99,
  require: ['s2_l2a', 's2_l1c', 's1'],
  keepIncomplete: false,
  time: { start: '2024-06-01T00:00:00Z', end: '2024-08-31T23:59:59Z' },
  ...over,
});

function pair(items: Partial<Record<SourceName, SceneItem[]>>, r: PairingRules = rules()) {
  const cands = Object.fromEntries(Object.entries(items).map(([k, v]) => [k, assignItems([target], v!)[0]]));
  return pairCell(target, cands, r);
}

const l1cFor = (l2a: SceneItem, extra: Partial<SceneItem> = {}) =>
  scene({ box: l2a.bbox as never, datetime: l2a.datetime, datatakeKey: l2a.datatakeKey, collection: 'sentinel-2-l1c', cloudCover: l2a.cloudCover, ...extra });
const s1At = (datetime: string, extra: Partial<SceneItem> & { box?: [number, number, number, number] } = {}) =>
  scene({ box: FULL, datetime, collection: 'sentinel-1-grd', platform: 'sentinel-1a', orbitState: 'ascending', ...extra });

describe('coverage of hand-built footprints', () => {
  it('measures full, half and no coverage on the cell target extent', () => {
    const [full, west, away] = assignItems([target], [
      scene({ box: FULL, datetime: '2024-07-01T10:00:00Z' }),
      scene({ box: WEST, datetime: '2024-07-01T10:00:00Z' }),
      scene({ box: [W + 2, S, E + 2, N], datetime: '2024-07-01T10:00:00Z' }),
    ])[0].map((c) => c.coverage);
    expect(full).toBe(1);
    // 11 x 11 sample points; the west box ends near the middle column (the extent is slightly rotated in lon/lat).
    expect(west).toBeGreaterThan(0.4);
    expect(west).toBeLessThan(0.6);
    expect(away).toBeUndefined();
  });
});

describe('S2 L2A choice', () => {
  it('takes the least cloudy scene covering the cell, ties broken by the later date', () => {
    const a = scene({ box: FULL, datetime: '2024-07-01T10:00:00Z', cloudCover: 12 });
    const b = scene({ box: FULL, datetime: '2024-07-11T10:00:00Z', cloudCover: 5 });
    const c = scene({ box: FULL, datetime: '2024-07-21T10:00:00Z', cloudCover: 5 });
    const partial = scene({ box: WEST, datetime: '2024-07-05T10:00:00Z', cloudCover: 0 });
    const out = pair({ s2_l2a: [a, b, c, partial] }, rules({ sources: { s2_l2a: { collections: ['sentinel-2-l2a'] } }, require: ['s2_l2a'] }));
    expect(out.scenes.scenes.s2_l2a!.map((s) => s.id)).toEqual([c.id]);
    expect(out.scenes.coverage.s2_l2a).toBe(1);
    expect(out.scenes.complete).toBe(true);
    expect(out.keep).toBe(true);
  });

  it('drops scenes over cloud_max', () => {
    const cloudy = scene({ box: FULL, datetime: '2024-07-01T10:00:00Z', cloudCover: 80 });
    const out = pair({ s2_l2a: [cloudy] }, rules({ sources: { s2_l2a: { collections: ['sentinel-2-l2a'], cloudMax: 60 } }, require: ['s2_l2a'] }));
    expect(out.scenes.missing).toEqual(['no_s2_l2a']);
    expect(out.keep).toBe(false);
  });

  it('merges the same scene from sentinel-2-l2a and sentinel-2-c1-l2a, keeping the first listed collection', () => {
    const es = scene({ box: FULL, datetime: '2024-07-01T10:00:00Z', cloudCover: 3, sceneKey: 'S2A_MSIL2A_20240701T101031_T32TNR', collection: 'sentinel-2-l2a' });
    const c1 = scene({ box: FULL, datetime: '2024-07-01T10:00:00Z', cloudCover: 2, sceneKey: 'S2A_MSIL2A_20240701T101031_T32TNR', collection: 'sentinel-2-c1-l2a' });
    const only = (collections: string[]) =>
      pair({ s2_l2a: [es, c1] }, rules({ sources: { s2_l2a: { collections } }, require: ['s2_l2a'] })).scenes.scenes.s2_l2a!.map((s) => s.collection);
    expect(only(['sentinel-2-l2a', 'sentinel-2-c1-l2a'])).toEqual(['sentinel-2-l2a']);
    expect(only(['sentinel-2-c1-l2a', 'sentinel-2-l2a'])).toEqual(['sentinel-2-c1-l2a']);
  });

  it('mosaics two tiles of one pass when no single scene covers the cell, before mixing passes', () => {
    const w = scene({ box: WEST, datetime: '2024-07-03T10:10:00Z', cloudCover: 20, platform: 'sentinel-2b', datatakeKey: 'S2B_20240703T101010_T32TNR' });
    const e = scene({ box: EAST, datetime: '2024-07-03T10:10:05Z', cloudCover: 25, platform: 'sentinel-2b', datatakeKey: 'S2B_20240703T101010_T32TPR' });
    const otherDay = scene({ box: EAST, datetime: '2024-07-08T10:10:00Z', cloudCover: 1, platform: 'sentinel-2a' });
    const out = pair({ s2_l2a: [otherDay, e, w] }, rules({ sources: { s2_l2a: { collections: ['sentinel-2-l2a'] } }, require: ['s2_l2a'] }));
    // Both halves of the 2024-07-03 pass, larger share first; the clear scene of another day is not mixed in.
    expect(out.scenes.scenes.s2_l2a!.map((s) => s.id)).toEqual([w.id, e.id]);
    expect(out.scenes.coverage.s2_l2a).toBe(1);
  });

  it('mixes passes when no single pass covers, and reports a partial mosaic', () => {
    const w = scene({ box: WEST, datetime: '2024-07-03T10:10:00Z', cloudCover: 20 });
    const e = scene({ box: EAST, datetime: '2024-07-13T10:10:00Z', cloudCover: 25 });
    const mixed = pair({ s2_l2a: [w, e] }, rules({ sources: { s2_l2a: { collections: ['sentinel-2-l2a'] } }, require: ['s2_l2a'] }));
    expect(mixed.scenes.scenes.s2_l2a!.map((s) => s.id)).toEqual([w.id, e.id]);
    expect(mixed.scenes.coverage.s2_l2a).toBe(1);
    const half = pair({ s2_l2a: [w] }, rules({ sources: { s2_l2a: { collections: ['sentinel-2-l2a'] } }, require: ['s2_l2a'], keepIncomplete: true }));
    expect(half.scenes.missing).toEqual(['s2_l2a_partial']);
    expect(half.scenes.coverage.s2_l2a).toBe(assignItems([target], [w])[0][0].coverage);
    expect(half.scenes.coverage.s2_l2a).toBeGreaterThan(0.4);
    expect(half.scenes.coverage.s2_l2a).toBeLessThan(0.6);
    expect(half.keep).toBe(true);
    expect(half.missingRequired).toEqual(['s2_l2a_partial']);
  });
});

describe('S2 L1C of the same datatake, and S1 in the window', () => {
  const l2a = scene({ box: FULL, datetime: '2024-07-10T10:20:00Z', cloudCover: 4, datatakeKey: 'S2A_20240710T102021_T32TNR' });

  it('takes the L1C of the chosen L2A acquisition even when another L1C is less cloudy', () => {
    const same = l1cFor(l2a);
    const clearer = scene({ box: FULL, datetime: '2024-07-20T10:20:00Z', cloudCover: 0, collection: 'sentinel-2-l1c', datatakeKey: 'S2A_20240720T102021_T32TNR' });
    const out = pair({ s2_l2a: [l2a], s2_l1c: [clearer, same], s1: [s1At('2024-07-12T05:30:00Z')] });
    expect(out.scenes.scenes.s2_l1c!.map((s) => s.id)).toEqual([same.id]);
    expect(out.scenes.complete).toBe(true);
  });

  it('reports no_s2_l1c when the L2A acquisition has no L1C', () => {
    const other = scene({ box: FULL, datetime: '2024-07-20T10:20:00Z', cloudCover: 0, collection: 'sentinel-2-l1c', datatakeKey: 'S2A_20240720T102021_T32TNR' });
    const out = pair({ s2_l2a: [l2a], s2_l1c: [other], s1: [s1At('2024-07-12T05:30:00Z')] });
    expect(out.scenes.missing).toEqual(['no_s2_l1c']);
    expect(out.keep).toBe(false);
    expect(out.missingRequired).toEqual(['no_s2_l1c']);
  });

  it('takes the S1 scene closest in time within the window and gives the gap in days', () => {
    const near = s1At('2024-07-08T17:20:00Z'); // -1.7 days
    const nearer = s1At('2024-07-11T05:20:00Z'); // +0.79 days
    const far = s1At('2024-07-25T05:20:00Z');
    const out = pair({ s2_l2a: [l2a], s2_l1c: [l1cFor(l2a)], s1: [far, near, nearer] });
    expect(out.scenes.scenes.s1!.map((s) => s.id)).toEqual([nearer.id]);
    expect(out.scenes.s1GapDays).toBeCloseTo((Date.parse('2024-07-11T05:20:00Z') - Date.parse('2024-07-10T10:20:00Z')) / 86400000, 9);
  });

  it('filters the orbit direction and reports no_s1_in_window outside the window', () => {
    const desc = s1At('2024-07-11T05:20:00Z', { orbitState: 'descending' });
    const ascLate = s1At('2024-07-19T17:20:00Z', { orbitState: 'ascending' });
    const base = rules();
    const asc = pair({ s2_l2a: [l2a], s2_l1c: [l1cFor(l2a)], s1: [desc, ascLate] }, { ...base, sources: { ...base.sources, s1: { collections: ['sentinel-1-grd'], orbit: 'ascending' } } });
    expect(asc.scenes.scenes.s1!.map((s) => s.id)).toEqual([ascLate.id]);
    const tight = pair({ s2_l2a: [l2a], s2_l1c: [l1cFor(l2a)], s1: [ascLate] }, { ...base, windowDays: 5 });
    expect(tight.scenes.missing).toEqual(['no_s1_in_window']);
    expect(tight.scenes.s1GapDays).toBeNull();
    expect(tight.keep).toBe(false);
  });

  it('keeps a cell missing only a non-required modality, counting the reason', () => {
    const out = pair({ s2_l2a: [l2a], s2_l1c: [l1cFor(l2a)], s1: [] }, rules({ require: ['s2_l2a'] }));
    expect(out.keep).toBe(true);
    expect(out.scenes.complete).toBe(false);
    expect(out.scenes.missing).toEqual(['no_s1_in_window']);
    expect(out.missingRequired).toEqual([]);
  });

  it('mosaics two S1 slices of one pass for a cell on the slice boundary', () => {
    const a = s1At('2024-07-11T05:20:00Z', { box: WEST });
    const b = s1At('2024-07-11T05:20:25Z', { box: EAST });
    const out = pair({ s2_l2a: [l2a], s2_l1c: [l1cFor(l2a)], s1: [a, b] });
    expect(out.scenes.scenes.s1!.map((s) => s.id).sort()).toEqual([a.id, b.id].sort());
    expect(out.scenes.coverage.s1).toBe(1);
  });
});
