// Narrow Parquet I/O for this stage: write named typed columns (GeoParquet when given the cells' anchor
// points), read them back column-wise (no row objects, so a million-cell table stays a handful of arrays).
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead } from 'hyparquet';
import { parquetWriteFile, schemaFromColumnData, type ColumnSource } from 'hyparquet-writer';
import { StageError } from '../errors.js';
import { BBOX_COLUMN, GEOMETRY_COLUMN, bboxStruct, extendBBox, geoMetadata, geoSchemaElements, type BBoxArray, type BBoxStruct } from '../parquet/geo.js';
import { pointToWkb } from '../parquet/wkb.js';

export type ColumnType = 'STRING' | 'DOUBLE' | 'INT32' | 'FLOAT';
export interface Column {
  name: string;
  type: ColumnType;
  data: ArrayLike<unknown>;
}

/** Cell anchors (Major-TOM lower-left corners, lon/lat) that make a table GeoParquet (Point geometry + bbox covering). */
export interface PointGeometry {
  lon: ArrayLike<number>;
  lat: ArrayLike<number>;
}

/** Writes the columns; with `points`, also a WKB `geometry` and a `bbox` column and the `geo` metadata. */
export function writeColumns(filename: string, columns: Column[], kv: Record<string, string> = {}, points?: PointGeometry): void {
  const typed: ColumnSource[] = columns.map((c) => ({ name: c.name, type: c.type, data: Array.isArray(c.data) ? c.data : Array.from(c.data), nullable: false }));
  let schema = schemaFromColumnData({ columnData: typed });
  // the types are in `schema` now; hyparquet-writer refuses a column type given beside a schema
  const columnData: ColumnSource[] = typed.map(({ type: _t, nullable: _n, ...rest }) => rest);
  const kvMetadata = Object.entries(kv).map(([key, value]) => ({ key, value }));
  if (points) {
    const n = points.lon.length;
    const boxes: BBoxStruct[] = Array.from({ length: n }, (_, i) => bboxStruct([[points.lon[i], points.lat[i]]]));
    const wkb = Array.from({ length: n }, (_, i) => pointToWkb(points.lon[i], points.lat[i]));
    columnData.push({ name: GEOMETRY_COLUMN, data: wkb, statistics: false }, { name: BBOX_COLUMN, data: boxes });
    // hyparquet-writer bundles its own hyparquet copy; the SchemaElement shapes are the same
    schema = [{ ...schema[0], num_children: (schema[0].num_children ?? 0) + 2 }, ...schema.slice(1), ...(geoSchemaElements() as typeof schema)];
    kvMetadata.push({ key: 'geo', value: JSON.stringify(geoMetadata(['Point'], boxes.reduce<BBoxArray | undefined>(extendBBox, undefined))) });
  }
  parquetWriteFile({ filename, columnData, schema, kvMetadata });
}

export interface ReadColumns {
  rows: number;
  columns: Map<string, unknown[]>;
  kv: Record<string, string>;
}

/** Read `names` (all must exist; a missing one is an error naming the file and the column). */
export async function readColumns(filename: string, names: string[], what: string): Promise<ReadColumns> {
  let file;
  try {
    file = await asyncBufferFromFile(filename);
  } catch (e) {
    throw new StageError('sample', `cannot open ${what} ${filename}: ${(e as Error).message}`, e);
  }
  const metadata = await parquetMetadataAsync(file);
  const have = new Set(metadata.schema.slice(1).map((s) => s.name));
  const missing = names.filter((n) => !have.has(n));
  if (missing.length > 0)
    throw new StageError('sample', `${what} ${filename} lacks column(s) ${missing.join(', ')}; expected ${names.join(', ')}`);
  const rows = Number(metadata.num_rows);
  const columns = new Map<string, unknown[]>();
  for (const n of names) columns.set(n, new Array(rows));
  await parquetRead({
    file,
    metadata,
    columns: names,
    onChunk: (chunk) => {
      const dst = columns.get(chunk.columnName);
      if (!dst) return;
      const src = chunk.columnData as ArrayLike<unknown>;
      for (let i = 0; i < src.length && chunk.rowStart + i < rows; i++) dst[chunk.rowStart + i] = src[i];
    },
  });
  const kv: Record<string, string> = {};
  for (const e of metadata.key_value_metadata ?? []) if (e.value !== undefined) kv[e.key] = e.value;
  return { rows, columns, kv };
}
