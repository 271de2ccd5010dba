// Which longitudes of one grid row (a latitude strip) a polygon occupies, as intervals. A cell
// of the row is in the polygon's cover when the polygon's interior overlaps the cell's interior,
// i.e. when one of these intervals overlaps the cell's open longitude range.
//
// Why this is exact: every connected piece of (polygon ∩ strip) is bounded by polygon edges and
// by the strip's two lines, so its longitude span is the union of (a) the spans of the polygon
// edges clipped to the strip and (b) the polygon's cross-sections just inside the two strip lines.
// Holes are handled by the even-odd cross-sections; a cell entirely inside a hole touches neither.

type Ring = number[][];

export class PolygonRows {
  /** Flat edge list: x1, y1, x2, y2 per edge. */
  private readonly edges: Float64Array;
  private readonly buckets = new Map<number, number[]>();
  readonly minLat: number;
  readonly maxLat: number;

  /** `polygons`: GeoJSON MultiPolygon coordinates (a Polygon is a one-element list). */
  constructor(polygons: Ring[][], dLat: number) {
    let count = 0;
    for (const poly of polygons) for (const ring of poly) count += Math.max(0, ring.length - 1);
    this.edges = new Float64Array(count * 4);
    let k = 0;
    let minLat = Infinity;
    let maxLat = -Infinity;
    for (const poly of polygons) {
      for (const ring of poly) {
        for (let i = 0; i + 1 < ring.length; i++) {
          const [x1, y1] = ring[i];
          const [x2, y2] = ring[i + 1];
          this.edges.set([x1, y1, x2, y2], k * 4);
          // Index each edge under every row its latitude span touches, so a row scans only its own edges.
          const r0 = Math.floor(Math.min(y1, y2) / dLat);
          const r1 = Math.floor(Math.max(y1, y2) / dLat);
          for (let r = r0; r <= r1; r++) {
            let b = this.buckets.get(r);
            if (!b) this.buckets.set(r, (b = []));
            b.push(k);
          }
          minLat = Math.min(minLat, y1, y2);
          maxLat = Math.max(maxLat, y1, y2);
          k++;
        }
      }
    }
    this.minLat = minLat;
    this.maxLat = maxLat;
  }

  /** Longitude intervals [a, b] occupied in the open strip (lo, hi) of row `row`. */
  intervals(row: number, lo: number, hi: number): [number, number][] {
    const ids = this.buckets.get(row);
    if (!ids) return [];
    const e = this.edges;
    const out: [number, number][] = [];
    const atLo: number[] = [];
    const atHi: number[] = [];
    for (const k of ids) {
      const x1 = e[k * 4];
      const y1 = e[k * 4 + 1];
      const x2 = e[k * 4 + 2];
      const y2 = e[k * 4 + 3];
      const ymin = Math.min(y1, y2);
      const ymax = Math.max(y1, y2);
      if (ymax <= lo || ymin >= hi) continue;
      if (y1 === y2) {
        out.push([Math.min(x1, x2), Math.max(x1, x2)]);
      } else {
        const xa = x1 + ((x2 - x1) * (Math.max(ymin, lo) - y1)) / (y2 - y1);
        const xb = x1 + ((x2 - x1) * (Math.min(ymax, hi) - y1)) / (y2 - y1);
        out.push([Math.min(xa, xb), Math.max(xa, xb)]);
      }
      // Crossings of the lines just above lo and just below hi (half-open rules avoid double counting vertices).
      if (y1 > lo !== y2 > lo) atLo.push(x1 + ((x2 - x1) * (lo - y1)) / (y2 - y1));
      if (y1 >= hi !== y2 >= hi) atHi.push(x1 + ((x2 - x1) * (hi - y1)) / (y2 - y1));
    }
    for (const xs of [atLo, atHi]) {
      xs.sort((a, b) => a - b);
      for (let i = 0; i + 1 < xs.length; i += 2) out.push([xs[i], xs[i + 1]]);
    }
    return out;
  }
}
