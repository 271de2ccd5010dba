// One definition of "this raw STAC item matches this search", shared by the static catalog
// source and the loopback STAC API test server, so both give identical results.

import type { BBox } from '../../model/types.js';
import { StacError } from '../../errors.js';
import { evaluateCql2, validateCql2 } from './cql2.js';
import { itemTimeSpan, parseInterval, spansOverlap, type TimeSpan } from './datetime-interval.js';
import { bboxPolygon, shapesIntersect, toShapes, validateBBox, type Shapes } from './geometry.js';

/** A search with its parts parsed once (plan-as-data: checked before any request). */
export interface CompiledSearch {
  collections: Set<string> | undefined;
  span: TimeSpan | undefined;
  area: Shapes | undefined;
  filter: unknown;
}

export interface SearchParts {
  collections?: string[];
  bbox?: BBox | number[];
  intersects?: unknown;
  datetime?: string;
  filter?: unknown;
}

export function compileSearch(req: SearchParts): CompiledSearch {
  if (req.bbox !== undefined && req.intersects !== undefined) {
    throw new StacError('search: give bbox or intersects, not both');
  }
  let area: Shapes | undefined;
  if (req.bbox !== undefined) area = toShapes(bboxPolygon(validateBBox(req.bbox)), 'bbox');
  else if (req.intersects !== undefined) area = toShapes(req.intersects, 'intersects');
  if (req.filter !== undefined) validateCql2(req.filter);
  return {
    collections: req.collections && req.collections.length > 0 ? new Set(req.collections) : undefined,
    span: req.datetime ? parseInterval(req.datetime) : undefined,
    area,
    filter: req.filter,
  };
}

export interface RawItem {
  id?: unknown;
  collection?: unknown;
  bbox?: unknown;
  geometry?: unknown;
  properties?: Record<string, unknown>;
}

// Footprints and time spans parsed once per item object (items are treated as immutable): the
// static source and the test server test the same items against many searches.
const footprints = new WeakMap<object, Shapes | null>();
const spans = new WeakMap<object, TimeSpan | null>();

function footprintOf(item: RawItem): Shapes | undefined {
  const cached = footprints.get(item);
  if (cached !== undefined) return cached ?? undefined;
  const shapes = item.geometry
    ? toShapes(item.geometry, `item ${String(item.id)} geometry`)
    : Array.isArray(item.bbox)
      ? toShapes(bboxPolygon(validateBBox(item.bbox)), `item ${String(item.id)} bbox`)
      : undefined;
  footprints.set(item, shapes ?? null);
  return shapes;
}

export function matchesSearch(item: RawItem, q: CompiledSearch): boolean {
  if (q.collections && !q.collections.has(String(item.collection))) return false;
  if (q.span) {
    let s = spans.get(item);
    if (s === undefined) {
      s = itemTimeSpan(item.properties ?? {}) ?? null;
      spans.set(item, s);
    }
    if (!s || !spansOverlap(s, q.span)) return false;
  }
  if (q.area) {
    const footprint = footprintOf(item);
    if (!footprint || !shapesIntersect(footprint, q.area)) return false;
  }
  if (q.filter !== undefined && !evaluateCql2(q.filter, item)) return false;
  return true;
}
