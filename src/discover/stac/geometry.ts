// Planar (lon/lat degrees) intersection tests for STAC search: query bbox or GeoJSON geometry
// against an item's footprint. Planar like the reference servers' default behaviour for small
// footprints; the antimeridian is not special-cased. Both the static catalog source and the
// loopback test server use these functions, so their answers cannot drift apart.

import type { BBox } from '../../model/types.js';
import { StacError } from '../../errors.js';

type Pt = [number, number];
/** A geometry reduced to what intersection needs: polygons (rings), line strings and points. */
export interface Shapes {
  polygons: Pt[][][];
  lines: Pt[][];
  points: Pt[];
  bbox: BBox;
}

export function bboxPolygon(b: BBox): { type: 'Polygon'; coordinates: Pt[][] } {
  const [x0, y0, x1, y1] = b;
  return { type: 'Polygon', coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] };
}

function bboxOfPoints(pts: Pt[], into: BBox): void {
  for (const [x, y] of pts) {
    if (x < into[0]) into[0] = x;
    if (y < into[1]) into[1] = y;
    if (x > into[2]) into[2] = x;
    if (y > into[3]) into[3] = y;
  }
}

/** Reads a GeoJSON geometry; throws StacError naming what is wrong. */
export function toShapes(geom: unknown, what = 'intersects'): Shapes {
  const s: Shapes = { polygons: [], lines: [], points: [], bbox: [Infinity, Infinity, -Infinity, -Infinity] };
  const add = (g: unknown): void => {
    const t = (g as { type?: unknown })?.type;
    const c = (g as { coordinates?: unknown })?.coordinates as never;
    switch (t) {
      case 'Point':
        s.points.push(c);
        break;
      case 'MultiPoint':
        s.points.push(...(c as Pt[]));
        break;
      case 'LineString':
        s.lines.push(c);
        break;
      case 'MultiLineString':
        s.lines.push(...(c as Pt[][]));
        break;
      case 'Polygon':
        s.polygons.push(c);
        break;
      case 'MultiPolygon':
        s.polygons.push(...(c as Pt[][][]));
        break;
      case 'GeometryCollection':
        for (const m of ((g as { geometries?: unknown[] }).geometries ?? [])) add(m);
        break;
      default:
        throw new StacError(`${what}: expected a GeoJSON geometry (Point, Polygon, MultiPolygon ...), got type ${JSON.stringify(t)}`);
    }
  };
  add(geom);
  bboxOfPoints(s.points, s.bbox);
  for (const l of s.lines) bboxOfPoints(l, s.bbox);
  for (const p of s.polygons) for (const r of p) bboxOfPoints(r, s.bbox);
  if (!Number.isFinite(s.bbox[0])) throw new StacError(`${what}: geometry has no coordinates`);
  return s;
}

function bboxesTouch(a: BBox, b: BBox): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

function orient(a: Pt, b: Pt, c: Pt): number {
  return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}
function onSegment(a: Pt, b: Pt, p: Pt): boolean {
  return Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);
}
function segmentsIntersect(p1: Pt, p2: Pt, q1: Pt, q2: Pt): boolean {
  const d1 = orient(q1, q2, p1);
  const d2 = orient(q1, q2, p2);
  const d3 = orient(p1, p2, q1);
  const d4 = orient(p1, p2, q2);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  return (
    (d1 === 0 && onSegment(q1, q2, p1)) ||
    (d2 === 0 && onSegment(q1, q2, p2)) ||
    (d3 === 0 && onSegment(p1, p2, q1)) ||
    (d4 === 0 && onSegment(p1, p2, q2))
  );
}

/** Point in polygon (with holes); points on the boundary count as inside. */
function pointInPolygon(p: Pt, poly: Pt[][]): boolean {
  let inside = false;
  for (let r = 0; r < poly.length; r++) {
    const ring = poly[r]!;
    let inRing = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const a = ring[i]!;
      const b = ring[j]!;
      if (orient(a, b, p) === 0 && onSegment(a, b, p)) return true;
      if (a[1] > p[1] !== b[1] > p[1] && p[0] < ((b[0] - a[0]) * (p[1] - a[1])) / (b[1] - a[1]) + a[0]) inRing = !inRing;
    }
    if (r === 0) inside = inRing;
    else if (inRing) inside = false;
  }
  return inside;
}

function edges(lines: Pt[][]): [Pt, Pt][] {
  const out: [Pt, Pt][] = [];
  for (const l of lines) for (let i = 1; i < l.length; i++) out.push([l[i - 1]!, l[i]!]);
  return out;
}

/** Do two geometries share at least one point? */
export function shapesIntersect(a: Shapes, b: Shapes): boolean {
  if (!bboxesTouch(a.bbox, b.bbox)) return false;
  const aLines = [...a.lines, ...a.polygons.flat()];
  const bLines = [...b.lines, ...b.polygons.flat()];
  const aEdges = edges(aLines);
  const bEdges = edges(bLines);
  for (const [p1, p2] of aEdges) for (const [q1, q2] of bEdges) if (segmentsIntersect(p1, p2, q1, q2)) return true;
  // No crossing edges: one may lie wholly inside the other, or points may sit on/in shapes.
  const aVerts: Pt[] = [...a.points, ...aLines.map((l) => l[0]!).filter(Boolean)];
  const bVerts: Pt[] = [...b.points, ...bLines.map((l) => l[0]!).filter(Boolean)];
  for (const p of aVerts) if (b.polygons.some((poly) => pointInPolygon(p, poly))) return true;
  for (const p of bVerts) if (a.polygons.some((poly) => pointInPolygon(p, poly))) return true;
  for (const p of a.points) {
    if (b.points.some((q) => q[0] === p[0] && q[1] === p[1])) return true;
    if (bEdges.some(([q1, q2]) => orient(q1, q2, p) === 0 && onSegment(q1, q2, p))) return true;
  }
  for (const p of b.points) if (aEdges.some(([q1, q2]) => orient(q1, q2, p) === 0 && onSegment(q1, q2, p))) return true;
  return false;
}

export function validateBBox(b: unknown): BBox {
  if (!Array.isArray(b) || (b.length !== 4 && b.length !== 6) || !b.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new StacError(`bbox ${JSON.stringify(b)}: expected [minx, miny, maxx, maxy] numbers`);
  }
  const bb = (b.length === 6 ? [b[0], b[1], b[3], b[4]] : b) as BBox;
  if (bb[0] > bb[2] || bb[1] > bb[3]) throw new StacError(`bbox ${JSON.stringify(b)}: min is greater than max`);
  return bb;
}
