// Pure matching rules shared by the static source and the test server.

import { describe, expect, it } from 'vitest';
import { evaluateCql2 } from '../../../src/discover/stac/cql2.js';
import { normaliseCql2 } from '../../../src/discover/stac/cql2-normalise.js';
import { parseInterval } from '../../../src/discover/stac/datetime-interval.js';
import { bboxPolygon, shapesIntersect, toShapes } from '../../../src/discover/stac/geometry.js';
import { compileSearch, matchesSearch } from '../../../src/discover/stac/search-match.js';
import { searchBody } from '../../../src/discover/stac/search-body.js';

const item = (props: Record<string, unknown>, geometry: unknown = bboxPolygon([0, 0, 1, 1])) => ({ id: 'i', collection: 'c', geometry, properties: props });

describe('CQL2 subset', () => {
  const cc = (op: string, v: number) => ({ op, args: [{ property: 'eo:cloud_cover' }, v] });
  it('comparisons, word aliases, and/or/not, missing property never matches', () => {
    const it20 = item({ 'eo:cloud_cover': 20 });
    expect(evaluateCql2(cc('<=', 20), it20)).toBe(true);
    expect(evaluateCql2(cc('<', 20), it20)).toBe(false);
    expect(evaluateCql2(cc('lte', 20), it20)).toBe(true);
    expect(evaluateCql2({ op: 'and', args: [cc('>=', 10), cc('<', 30)] }, it20)).toBe(true);
    expect(evaluateCql2({ op: 'or', args: [cc('>', 50), cc('=', 20)] }, it20)).toBe(true);
    expect(evaluateCql2({ op: 'not', args: [cc('=', 20)] }, it20)).toBe(false);
    expect(evaluateCql2(cc('<=', 20), item({}))).toBe(false);
    expect(evaluateCql2({ op: 'between', args: [{ property: 'eo:cloud_cover' }, 10, 30] }, it20)).toBe(true);
    expect(evaluateCql2({ op: '=', args: [{ property: 'collection' }, 'c'] }, it20)).toBe(true);
  });
  it('unsupported operators and shapes are refused', () => {
    expect(() => evaluateCql2({ op: 'like', args: [] }, item({}))).toThrow('filter: unsupported CQL2 operator "like"');
    expect(() => evaluateCql2('eo:cloud_cover < 10', item({}))).toThrow('filter: expected a CQL2-JSON expression object');
  });
  it('word operators are sent as standard symbols', () => {
    expect(normaliseCql2({ op: 'and', args: [{ op: 'lte', args: [{ property: 'p' }, 1] }, { op: 'gt', args: [{ property: 'q' }, 2] }] })).toEqual({
      op: 'and',
      args: [{ op: '<=', args: [{ property: 'p' }, 1] }, { op: '>', args: [{ property: 'q' }, 2] }],
    });
    expect(searchBody({ collections: ['a'], datetime: '2020-01-01T00:00:00Z/..', filter: { op: 'lt', args: [{ property: 'p' }, 1] }, limit: 5 })).toEqual({
      collections: ['a'],
      datetime: '2020-01-01T00:00:00Z/..',
      filter: { op: '<', args: [{ property: 'p' }, 1] },
      'filter-lang': 'cql2-json',
      limit: 5,
    });
  });
});

describe('datetime intervals', () => {
  it('closed, open and instant forms; inclusive bounds', () => {
    expect(parseInterval('2020-01-01T00:00:00Z/2020-01-02T00:00:00Z')).toEqual({ start: Date.UTC(2020, 0, 1), end: Date.UTC(2020, 0, 2) });
    expect(parseInterval('../2020-01-02T00:00:00Z').start).toBe(-Infinity);
    expect(parseInterval('2020-01-01T00:00:00Z/').end).toBe(Infinity);
    const q = compileSearch({ datetime: '2020-01-01T00:00:00Z/2020-01-02T00:00:00Z' });
    expect(matchesSearch(item({ datetime: '2020-01-02T00:00:00Z' }), q)).toBe(true);
    expect(matchesSearch(item({ datetime: '2020-01-02T00:00:01Z' }), q)).toBe(false);
    expect(matchesSearch(item({ datetime: null, start_datetime: '2019-01-01T00:00:00Z', end_datetime: '2021-01-01T00:00:00Z' }), q)).toBe(true);
  });
  it('bad intervals are explained', () => {
    expect(() => parseInterval('2020-02-01T00:00:00Z/2020-01-01T00:00:00Z')).toThrow('start is after end');
    expect(() => parseInterval('../..')).toThrow('both ends are open');
    expect(() => parseInterval('yesterday')).toThrow('"yesterday" is not an RFC 3339 timestamp');
  });
});

describe('geometry', () => {
  const sq = toShapes(bboxPolygon([0, 0, 10, 10]));
  it('overlap, containment both ways, touching edges, disjoint, points and holes', () => {
    expect(shapesIntersect(sq, toShapes(bboxPolygon([5, 5, 15, 15])))).toBe(true);
    expect(shapesIntersect(sq, toShapes(bboxPolygon([2, 2, 3, 3])))).toBe(true);
    expect(shapesIntersect(toShapes(bboxPolygon([2, 2, 3, 3])), sq)).toBe(true);
    expect(shapesIntersect(sq, toShapes(bboxPolygon([10, 0, 12, 5])))).toBe(true);
    expect(shapesIntersect(sq, toShapes(bboxPolygon([11, 0, 12, 5])))).toBe(false);
    expect(shapesIntersect(sq, toShapes({ type: 'Point', coordinates: [5, 5] }))).toBe(true);
    expect(shapesIntersect(sq, toShapes({ type: 'Point', coordinates: [10, 5] }))).toBe(true);
    // A diagonal triangle whose bbox overlaps the query but whose area does not.
    const tri = toShapes({ type: 'Polygon', coordinates: [[[12, 0], [20, 0], [20, 8], [12, 0]]] });
    expect(shapesIntersect(toShapes(bboxPolygon([11, 5, 13, 9])), tri)).toBe(false);
    const donut = toShapes({ type: 'Polygon', coordinates: [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[3, 3], [7, 3], [7, 7], [3, 7], [3, 3]]] });
    expect(shapesIntersect(donut, toShapes({ type: 'Point', coordinates: [5, 5] }))).toBe(false);
    expect(() => toShapes({ type: 'Circle' })).toThrow('intersects: expected a GeoJSON geometry');
  });
});
