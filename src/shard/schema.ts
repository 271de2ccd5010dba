// The shard schema as data: one list of columns per schema version, from which the Parquet schema, the
// machine-readable descriptions (schemas/shard-v<N>.json) and the validator's checks are all derived, so
// they cannot drift. The writer writes SCHEMA_VERSION; the reader opens every version in READABLE_VERSIONS.
//
// v2 (current): acquisition times are Parquet TIMESTAMP(MICROS, UTC) and a GeoParquet 1.1 `bbox` covering
// column sits beside the footprint, so DuckDB, pyarrow and GDAL prune row groups on time and space; PNG
// quicklooks per tile (S2 true colour, S1 false colour) let a person look at rows without code.
// v1: acquisition times as ISO 8601 strings, no `bbox` column.
import type { SchemaElement } from 'hyparquet';
import { ShardError } from '../errors.js';
import { BBOX_COLUMN, BBOX_FIELDS, bboxSchemaElements, geoMetadata as tableGeoMetadata } from '../parquet/geo.js';
import { MODALITIES, type Modality } from '../model/types.js';
import { WORLDCOVER_CLASSES, WORLDCOVER_NAMES } from '../landcover/worldcover.js';

export const SCHEMA_VERSION = 2;
export type SchemaVersion = 1 | 2;
export const READABLE_VERSIONS: readonly SchemaVersion[] = [1, 2];
/** File key-value metadata keys. */
export const KV_TERRAFM = 'terrafm';
export const KV_STATS = 'terrafm:stats';
export const KV_GEO = 'geo';
/** created_by in every footer: constant, so identical inputs give identical bytes. */
export const CREATED_BY = `terrafm-pipeline shard v${SCHEMA_VERSION} (hyparquet-writer)`;
export { BBOX_COLUMN, BBOX_FIELDS };
/** The per-tile preview columns (schema v2). */
export const QUICKLOOK_COLUMNS = { s2: 's2_quicklook', s1: 's1_quicklook' } as const;

export type ColumnKind = 'string' | 'int32' | 'double' | 'bytes' | 'timestamp' | 'bbox' | 'list<double>' | 'list<int64>' | 'list<string>';

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

/** Throws unless `v` is a schema version this code reads; `where` names the file. */
export function checkSchemaVersion(v: unknown, where: string): SchemaVersion {
  if (!READABLE_VERSIONS.includes(v as SchemaVersion)) {
    throw new ShardError(`${where}: schema_version is ${JSON.stringify(v)}, expected one of ${READABLE_VERSIONS.join(', ')}`);
  }
  return v as SchemaVersion;
}

function modalityColumns(m: Modality, version: SchemaVersion): ColumnSpec[] {
  const datetime: ColumnSpec = version === 1
    ? { name: `${m}_datetime`, kind: 'string', nullable: true, modality: m, description: `${m} acquisition datetime (ISO 8601) of the first scene used.` }
    : { name: `${m}_datetime`, kind: 'timestamp', nullable: true, modality: m, description: `${m} acquisition time of the first scene used: Parquet TIMESTAMP, microseconds, UTC (isAdjustedToUTC).` };
  return [
    { name: `${m}_data`, kind: 'bytes', nullable: true, modality: m, blob: true,
      description: `${m} tensor: raw little-endian values, band-major [bands, height, width]; dtype, band names and nodata in the file metadata key "${KV_TERRAFM}" (modalities.${m}). Null when the tile has no ${m}.` },
    datetime,
    { name: `${m}_item_ids`, kind: 'list<string>', nullable: true, modality: m, description: `STAC item ids the ${m} pixels came from.` },
    { name: `${m}_hrefs`, kind: 'list<string>', nullable: true, modality: m, description: `Asset hrefs the ${m} pixels were read from.` },
    { name: `${m}_nodata_fraction`, kind: 'double', nullable: true, modality: m, description: `Share of ${m} pixels that are nodata in every band (0..1).` },
  ];
}

/** The columns of a schema version, in file order. */
export function columnsOf(version: SchemaVersion): ColumnSpec[] {
  return [
    { name: 'tile_id', kind: 'string', nullable: false, description: 'Tile id, unique in the corpus: the grid cell id, or `<cell>_<n>` for several tiles per cell.' },
    { name: 'cell_id', kind: 'string', nullable: false, description: 'Major-TOM grid cell id, e.g. 917D_239R.' },
    { name: 'epsg', kind: 'int32', nullable: false, description: 'UTM EPSG code of the tile grid (326xx north, 327xx south).' },
    { name: 'geotransform', kind: 'list<double>', nullable: false, description: 'GDAL geotransform of the tile grid: [originX, pixelWidth, 0, originY, 0, -pixelHeight] in metres.' },
    { name: 'width', kind: 'int32', nullable: false, description: 'Tile width in pixels.' },
    { name: 'height', kind: 'int32', nullable: false, description: 'Tile height in pixels.' },
    ...MODALITIES.flatMap((m) => modalityColumns(m, version)),
    { name: 'landcover', kind: 'bytes', nullable: false, blob: true, description: 'ESA WorldCover class codes, uint8 [height, width], 0 = nodata.' },
    { name: 'class_histogram', kind: 'list<int64>', nullable: false, description: `Pixel count per WorldCover class, 12 entries in the order of class codes ${JSON.stringify(WORLDCOVER_CLASSES)}.` },
    { name: 'cloud_fraction', kind: 'double', nullable: true, description: 'Cloud share of valid pixels from the S2 scene classification (0..1); null when no SCL was available.' },
    { name: 'sample_weight', kind: 'double', nullable: false, description: 'Sampling weight from the land-cover-aware sampler (1 when no sampler ran).' },
    { name: 'geometry', kind: 'bytes', nullable: false, blob: true, description: 'Tile footprint in WGS84 lon/lat as ISO WKB Polygon (GeoParquet 1.1 primary column).' },
    ...(version >= 2
      ? [
          { name: BBOX_COLUMN, kind: 'bbox' as const, nullable: false, description: 'Bounding box of the footprint, struct<xmin, ymin, xmax, ymax: double> in WGS84 lon/lat: the GeoParquet 1.1 covering column (geo metadata `covering.bbox`), with min/max statistics per row group for spatial pruning.' },
          { name: QUICKLOOK_COLUMNS.s2, kind: 'bytes' as const, nullable: true, blob: true, description: 'PNG quicklook (8-bit RGB, shard.quicklook_px a side): Sentinel-2 true colour B04/B03/B02 of s2_l2a (else s2_l1c), each channel stretched between its 2nd and 98th percentile. Null without S2 or with shard.quicklooks false.' },
          { name: QUICKLOOK_COLUMNS.s1, kind: 'bytes' as const, nullable: true, blob: true, description: 'PNG quicklook (8-bit RGB): Sentinel-1 false colour R = VV, G = VH, B = VV/VH in dB, each stretched between its 2nd and 98th percentile. Null without S1 or with shard.quicklooks false.' },
        ]
      : []),
  ];
}

/** The columns the writer writes (the current version). */
export const COLUMNS = columnsOf(SCHEMA_VERSION);
export const COLUMN_NAMES = COLUMNS.map((c) => c.name);

type LeafKind = 'string' | 'int32' | 'int64' | 'double' | 'bytes' | 'timestamp';
function leaf(name: string, kind: LeafKind, repetition: 'REQUIRED' | 'OPTIONAL'): SchemaElement {
  switch (kind) {
    case 'string': return { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type: repetition };
    case 'int32': return { name, type: 'INT32', repetition_type: repetition };
    case 'int64': return { name, type: 'INT64', repetition_type: repetition };
    case 'double': return { name, type: 'DOUBLE', repetition_type: repetition };
    case 'bytes': return { name, type: 'BYTE_ARRAY', repetition_type: repetition };
    case 'timestamp': return { name, type: 'INT64', converted_type: 'TIMESTAMP_MICROS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' }, repetition_type: repetition };
  }
}

/** Parquet schema elements (flattened tree) of a schema version. Lists use the standard 3-level LIST layout. */
export function parquetSchema(version: SchemaVersion = SCHEMA_VERSION): SchemaElement[] {
  const cols = columnsOf(version);
  const out: SchemaElement[] = [{ name: 'root', num_children: cols.length }];
  for (const c of cols) {
    const rep = c.nullable ? 'OPTIONAL' : 'REQUIRED';
    if (c.kind.startsWith('list<')) {
      const inner = c.kind.slice(5, -1) as 'double' | 'int64' | 'string';
      out.push({ name: c.name, repetition_type: rep, converted_type: 'LIST', logical_type: { type: 'LIST' }, num_children: 1 });
      out.push({ name: 'list', repetition_type: 'REPEATED', num_children: 1 });
      out.push(leaf('element', inner, 'REQUIRED'));
    } else if (c.kind === 'bbox') {
      out.push(...bboxSchemaElements());
    } else {
      out.push(leaf(c.name, c.kind as LeafKind, rep));
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
  timestamp: 'INT64 (TIMESTAMP(MICROS, isAdjustedToUTC=true))',
  bbox: 'STRUCT<xmin: DOUBLE, ymin: DOUBLE, xmax: DOUBLE, ymax: DOUBLE>',
  'list<double>': 'LIST<DOUBLE>',
  'list<int64>': 'LIST<INT64>',
  'list<string>': 'LIST<BYTE_ARRAY (STRING)>',
};

/** The GeoParquet `geo` metadata of a shard (bbox of its footprints when it has any). */
export function geoMetadata(bbox: [number, number, number, number] | undefined): Record<string, unknown> {
  return tableGeoMetadata(['Polygon'], bbox);
}

/** The machine-readable description written to schemas/shard-v<N>.json (checked by a test). */
export function describeSchema(version: SchemaVersion = SCHEMA_VERSION): Record<string, unknown> {
  const geo = version === 1
    ? 'JSON. GeoParquet 1.1 metadata: version 1.1.0, primary_column "geometry", encoding WKB, geometry_types ["Polygon"], crs omitted (= OGC:CRS84, WGS84 lon/lat), bbox of the shard.'
    : 'JSON. GeoParquet 1.1 metadata: version 1.1.0, primary_column "geometry", encoding WKB, geometry_types ["Polygon"], crs omitted (= OGC:CRS84, WGS84 lon/lat), bbox of the shard, covering {"bbox": {"xmin": ["bbox", "xmin"], "ymin": ["bbox", "ymin"], "xmax": ["bbox", "xmax"], "ymax": ["bbox", "ymax"]}}.';
  return {
    $comment: `Generated from src/shard/schema.ts; test/shard/schema-and-sink.test.ts checks this file matches the code.`,
    name: 'terrafm-shard',
    version,
    format: 'Apache Parquet, one row per tile, zstd-compressed pages',
    columns: columnsOf(version).map((c) => ({ name: c.name, type: c.kind, parquet: PARQUET_SPELLING[c.kind], nullable: c.nullable, description: c.description })),
    file_metadata: {
      [KV_TERRAFM]: {
        description: 'JSON. Layout of every tensor column, the same in every shard of a corpus.',
        fields: {
          schema_version: `integer, ${version}`,
          modalities: 'object keyed by modality: { dtype: uint8|uint16|int16|float32, numpy_dtype, bands: [names in tensor order], shape: [bands, height, width], nodata: number or "NaN", byte_order: "little", layout: "band-major" }; a modality absent from the whole corpus is absent here and its columns are null',
          landcover: '{ dtype: "uint8", shape: [height, width], nodata: 0, classes: [codes], class_names: {code: name} }',
          class_codes: 'WorldCover codes in class_histogram order',
        },
      },
      [KV_STATS]: 'JSON. Statistics of this shard (same structure as stats.json), merged into stats.json for the corpus.',
      [KV_GEO]: geo,
    },
    class_codes: [...WORLDCOVER_CLASSES],
    class_names: WORLDCOVER_NAMES,
    corpus_files: {
      'manifest.json': 'schema_version, shards: [{ file, rows, bytes, sha256, first_tile_id, last_tile_id, row_groups }], totals, modalities layout',
      'stats.json': 'dataset statistics: tiles; classes { codes, pixel_counts, tile_counts }; modalities { <m>: { bands, histogram { bins, lo, hi }, per_band [{ band, count, sum, sum_sq, min, max, mean, std, below, above, hist }] } }',
    },
  };
}
