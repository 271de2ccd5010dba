// Shard schema v1 as data: one list of columns from which the Parquet schema, the machine-readable
// description (schemas/shard-v1.json) and the validator's checks are all derived, so they cannot drift.
import type { SchemaElement } from 'hyparquet';
import { MODALITIES, WORLDCOVER_CLASSES, WORLDCOVER_NAMES, type Modality } from '../model/types.js';

export const SCHEMA_VERSION = 1;
/** File key-value metadata keys. */
export const KV_TERRAFM = 'terrafm';
export const KV_STATS = 'terrafm:stats';
export const KV_GEO = 'geo';
/** created_by in every footer: constant, so identical inputs give identical bytes. */
export const CREATED_BY = 'terrafm-pipeline shard v1 (hyparquet-writer)';

export type ColumnKind = 'string' | 'int32' | 'double' | 'bytes' | 'list<double>' | 'list<int64>' | 'list<string>';

export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
  nullable: boolean;
  description: string;
  /** Modality the column belongs to (its value is null when the tile lacks that modality). */
  modality?: Modality;
  /** Large binary payload: written PLAIN without min/max statistics. */
  blob?: boolean;
}

function modalityColumns(m: Modality): ColumnSpec[] {
  return [
    { name: `${m}_data`, kind: 'bytes', nullable: true, modality: m, blob: true,
      description: `${m} tensor: raw little-endian values, band-major [bands, height, width]; dtype, band names and nodata in the file metadata key "${KV_TERRAFM}" (modalities.${m}). Null when the tile has no ${m}.` },
    { name: `${m}_datetime`, kind: 'string', nullable: true, modality: m, description: `${m} acquisition datetime (ISO 8601) of the first scene used.` },
    { name: `${m}_item_ids`, kind: 'list<string>', nullable: true, modality: m, description: `STAC item ids the ${m} pixels came from.` },
    { name: `${m}_hrefs`, kind: 'list<string>', nullable: true, modality: m, description: `Asset hrefs the ${m} pixels were read from.` },
    { name: `${m}_nodata_fraction`, kind: 'double', nullable: true, modality: m, description: `Share of ${m} pixels that are nodata in every band (0..1).` },
  ];
}

export const COLUMNS: ColumnSpec[] = [
  { name: 'tile_id', kind: 'string', nullable: false, description: 'Tile id, unique in the corpus: the grid cell id, or `<cell>_<n>` for several tiles per cell.' },
  { name: 'cell_id', kind: 'string', nullable: false, description: 'Major-TOM grid cell id, e.g. 917D_239R.' },
  { name: 'epsg', kind: 'int32', nullable: false, description: 'UTM EPSG code of the tile grid (326xx north, 327xx south).' },
  { name: 'geotransform', kind: 'list<double>', nullable: false, description: 'GDAL geotransform of the tile grid: [originX, pixelWidth, 0, originY, 0, -pixelHeight] in metres.' },
  { name: 'width', kind: 'int32', nullable: false, description: 'Tile width in pixels.' },
  { name: 'height', kind: 'int32', nullable: false, description: 'Tile height in pixels.' },
  ...MODALITIES.flatMap(modalityColumns),
  { name: 'landcover', kind: 'bytes', nullable: false, blob: true, description: 'ESA WorldCover class codes, uint8 [height, width], 0 = nodata.' },
  { name: 'class_histogram', kind: 'list<int64>', nullable: false, description: `Pixel count per WorldCover class, 12 entries in the order of class codes ${JSON.stringify(WORLDCOVER_CLASSES)}.` },
  { name: 'cloud_fraction', kind: 'double', nullable: true, description: 'Cloud share of valid pixels from the S2 scene classification (0..1); null when no SCL was available.' },
  { name: 'sample_weight', kind: 'double', nullable: false, description: 'Sampling weight from the land-cover-aware sampler (1 when no sampler ran).' },
  { name: 'geometry', kind: 'bytes', nullable: false, blob: true, description: 'Tile footprint in WGS84 lon/lat as ISO WKB Polygon (GeoParquet 1.1 primary column).' },
];

export const COLUMN_NAMES = COLUMNS.map((c) => c.name);

function leaf(name: string, kind: 'string' | 'int32' | 'int64' | 'double' | 'bytes', repetition: 'REQUIRED' | 'OPTIONAL'): SchemaElement {
  switch (kind) {
    case 'string': return { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type: repetition };
    case 'int32': return { name, type: 'INT32', repetition_type: repetition };
    case 'int64': return { name, type: 'INT64', repetition_type: repetition };
    case 'double': return { name, type: 'DOUBLE', repetition_type: repetition };
    case 'bytes': return { name, type: 'BYTE_ARRAY', repetition_type: repetition };
  }
}

/** Parquet schema elements (flattened tree) for schema v1. Lists use the standard 3-level LIST layout. */
export function parquetSchemaV1(): SchemaElement[] {
  const out: SchemaElement[] = [{ name: 'root', num_children: COLUMNS.length }];
  for (const c of COLUMNS) {
    const rep = c.nullable ? 'OPTIONAL' : 'REQUIRED';
    if (c.kind.startsWith('list<')) {
      const inner = c.kind.slice(5, -1) as 'double' | 'int64' | 'string';
      out.push({ name: c.name, repetition_type: rep, converted_type: 'LIST', logical_type: { type: 'LIST' }, num_children: 1 });
      out.push({ name: 'list', repetition_type: 'REPEATED', num_children: 1 });
      out.push(leaf('element', inner, 'REQUIRED'));
    } else {
      out.push(leaf(c.name, c.kind as 'string' | 'int32' | 'double' | 'bytes', rep));
    }
  }
  return out;
}

/** How each column kind is stored, spelled as Parquet tools print it. */
const PARQUET_SPELLING: Record<ColumnKind, string> = {
  string: 'BYTE_ARRAY (STRING)',
  int32: 'INT32',
  double: 'DOUBLE',
  bytes: 'BYTE_ARRAY',
  'list<double>': 'LIST<DOUBLE>',
  'list<int64>': 'LIST<INT64>',
  'list<string>': 'LIST<BYTE_ARRAY (STRING)>',
};

/** The machine-readable description written to schemas/shard-v1.json (checked by a test). */
export function describeSchemaV1(): Record<string, unknown> {
  return {
    $comment: 'Generated from src/shard/schema-v1.ts; test/shard/schema.test.ts checks this file matches the code.',
    name: 'terrafm-shard',
    version: SCHEMA_VERSION,
    format: 'Apache Parquet, one row per tile, zstd-compressed pages',
    columns: COLUMNS.map((c) => ({ name: c.name, type: c.kind, parquet: PARQUET_SPELLING[c.kind], nullable: c.nullable, description: c.description })),
    file_metadata: {
      [KV_TERRAFM]: {
        description: 'JSON. Layout of every tensor column, the same in every shard of a corpus.',
        fields: {
          schema_version: 'integer, 1',
          modalities: 'object keyed by modality: { dtype: uint8|uint16|int16|float32, numpy_dtype, bands: [names in tensor order], shape: [bands, height, width], nodata: number or "NaN", byte_order: "little", layout: "band-major" }; a modality absent from the whole corpus is absent here and its columns are null',
          landcover: '{ dtype: "uint8", shape: [height, width], nodata: 0, classes: [codes], class_names: {code: name} }',
          class_codes: 'WorldCover codes in class_histogram order',
        },
      },
      [KV_STATS]: 'JSON. Statistics of this shard (same structure as stats.json), merged into stats.json for the corpus.',
      [KV_GEO]: 'JSON. GeoParquet 1.1 metadata: version 1.1.0, primary_column "geometry", encoding WKB, geometry_types ["Polygon"], crs omitted (= OGC:CRS84, WGS84 lon/lat), bbox of the shard.',
    },
    class_codes: [...WORLDCOVER_CLASSES],
    class_names: WORLDCOVER_NAMES,
    corpus_files: {
      'manifest.json': 'schema_version, shards: [{ file, rows, bytes, sha256, first_tile_id, last_tile_id, row_groups }], totals, modalities layout',
      'stats.json': 'dataset statistics: tiles; classes { codes, pixel_counts, tile_counts }; modalities { <m>: { bands, histogram { bins, lo, hi }, per_band [{ band, count, sum, sum_sq, min, max, mean, std, below, above, hist }] } }',
    },
  };
}
