// ISO WKB for the geometries the tables hold: a 2-D polygon with a single (outer) ring (tile and cell
// footprints) and a 2-D point (cell anchors), little-endian. Written by hand because it is 40 lines and
// keeps the writers free of a geometry library.
import { ShardError } from '../errors.js';

const WKB_POINT = 1;
const WKB_POLYGON = 3;

/** WKB bytes of a point. */
export function pointToWkb(x: number, y: number): Uint8Array {
  const v = new DataView(new ArrayBuffer(21));
  v.setUint8(0, 1); // little-endian
  v.setUint32(1, WKB_POINT, true);
  v.setFloat64(5, x, true);
  v.setFloat64(13, y, true);
  return new Uint8Array(v.buffer);
}

/** WKB bytes of a polygon from a closed ring [[lon, lat], ...] (the ring is closed if it is not). */
export function polygonToWkb(ring: [number, number][]): Uint8Array {
  if (ring.length < 3) throw new ShardError(`footprint ring has ${ring.length} points, expected at least 3`);
  const pts = ring.slice();
  const [fx, fy] = pts[0];
  const [lx, ly] = pts[pts.length - 1];
  if (fx !== lx || fy !== ly) pts.push([fx, fy]);
  const buf = new ArrayBuffer(1 + 4 + 4 + 4 + pts.length * 16);
  const v = new DataView(buf);
  v.setUint8(0, 1); // little-endian
  v.setUint32(1, WKB_POLYGON, true);
  v.setUint32(5, 1, true); // one ring
  v.setUint32(9, pts.length, true);
  let o = 13;
  for (const [x, y] of pts) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new ShardError(`footprint has a non-finite coordinate (${x}, ${y})`);
    v.setFloat64(o, x, true);
    v.setFloat64(o + 8, y, true);
    o += 16;
  }
  return new Uint8Array(buf);
}

/** Outer ring of a WKB polygon (either byte order); throws ShardError naming what is wrong. */
export function wkbToPolygon(bytes: Uint8Array): [number, number][] {
  if (bytes.byteLength < 13) throw new ShardError(`WKB polygon has ${bytes.byteLength} bytes, expected at least 13`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const order = v.getUint8(0);
  if (order !== 0 && order !== 1) throw new ShardError(`WKB byte-order flag is ${order}, expected 0 or 1`);
  const le = order === 1;
  const type = v.getUint32(1, le);
  if (type !== WKB_POLYGON) throw new ShardError(`WKB geometry type is ${type}, expected ${WKB_POLYGON} (Polygon)`);
  const rings = v.getUint32(5, le);
  if (rings < 1) throw new ShardError('WKB polygon has no ring');
  const n = v.getUint32(9, le);
  if (13 + n * 16 > bytes.byteLength) throw new ShardError(`WKB ring declares ${n} points but only ${Math.floor((bytes.byteLength - 13) / 16)} fit`);
  const ring: [number, number][] = [];
  for (let i = 0, o = 13; i < n; i++, o += 16) ring.push([v.getFloat64(o, le), v.getFloat64(o + 8, le)]);
  return ring;
}
