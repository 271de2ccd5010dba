// GeoParquet 1.1 pieces every table of the pipeline shares (shards, scenes, land cover, sample): the WKB
// `geometry` column, the `bbox` covering column (struct of four doubles whose row-group min/max let
// readers skip row groups on space) and the `geo` file metadata that declares both.
import type { SchemaElement } from 'hyparquet';

export const GEOMETRY_COLUMN = 'geometry';
export const BBOX_COLUMN = 'bbox';
export const BBOX_FIELDS = ['xmin', 'ymin', 'xmax', 'ymax'] as const;
export type BBoxStruct = Record<(typeof BBOX_FIELDS)[number], number>;
export type GeometryType = 'Point' | 'Polygon';

/** Schema elements of the WKB geometry column and the bbox covering column, in that order. */
export function geoSchemaElements(): SchemaElement[] {
  return [
    { name: GEOMETRY_COLUMN, type: 'BYTE_ARRAY', repetition_type: 'REQUIRED' },
    ...bboxSchemaElements(),
  ];
}

/** The bbox covering column: a required struct of four required doubles. */
export function bboxSchemaElements(): SchemaElement[] {
  return [
    { name: BBOX_COLUMN, repetition_type: 'REQUIRED', num_children: BBOX_FIELDS.length },
    ...BBOX_FIELDS.map((f): SchemaElement => ({ name: f, type: 'DOUBLE', repetition_type: 'REQUIRED' })),
  ];
}

/** The covering value of a set of points (a ring, or one point). */
export function bboxStruct(points: [number, number][]): BBoxStruct {
  let xmin = Infinity, ymin = Infinity, xmax = -Infinity, ymax = -Infinity;
  for (const [x, y] of points) {
    if (x < xmin) xmin = x;
    if (y < ymin) ymin = y;
    if (x > xmax) xmax = x;
    if (y > ymax) ymax = y;
  }
  return { xmin, ymin, xmax, ymax };
}

/**
 * The `geo` file metadata: GeoParquet 1.1, WKB in `geometry` (crs omitted = OGC:CRS84, lon/lat), the
 * file's bbox when known, and the covering column.
 */
export function geoMetadata(types: GeometryType[], bbox: BBoxArray | undefined): Record<string, unknown> {
  const covering = { bbox: Object.fromEntries(BBOX_FIELDS.map((f) => [f, [BBOX_COLUMN, f]])) };
  return {
    version: '1.1.0',
    primary_column: GEOMETRY_COLUMN,
    columns: { [GEOMETRY_COLUMN]: { encoding: 'WKB', geometry_types: types, ...(bbox ? { bbox } : {}), covering } },
  };
}

export type BBoxArray = [number, number, number, number];

/** A file's GeoParquet `bbox` grown by one covering value (`acc` undefined: none yet). */
export function extendBBox(acc: BBoxArray | undefined, b: BBoxStruct): BBoxArray {
  return acc ? [Math.min(acc[0], b.xmin), Math.min(acc[1], b.ymin), Math.max(acc[2], b.xmax), Math.max(acc[3], b.ymax)] : [b.xmin, b.ymin, b.xmax, b.ymax];
}
