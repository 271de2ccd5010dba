// One STAC Item per tile, and the stac-geoparquet table that holds them all (items.parquet next to the
// shards). Why a table rather than one JSON file per tile: see docs/decisions.md ("STAC items as
// stac-geoparquet"): at 10 million tiles the JSON files alone are tens of GB in 10 M inodes, the table a
// few hundred MB that DuckDB, pyarrow and stac-geoparquet readers filter by time and bbox.
import { ParquetWriter, fileWriter, type ColumnSource } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet';
import { MODALITIES } from '../model/types.js';
import { BBOX_COLUMN, GEOMETRY_COLUMN, bboxSchemaElements, bboxStruct, extendBBox, geoMetadata, type BBoxArray, type BBoxStruct } from '../parquet/geo.js';
import { isoToMicros, microsToIso } from '../parquet/timestamps.js';
import { polygonToWkb, wkbToPolygon } from '../parquet/wkb.js';
import { ITEMS_TABLE } from '../shard/manifest.js';
import type { TileMetadata } from '../shard/reader.js';

export { ITEMS_TABLE };

export const STAC_VERSION = '1.1.0';
export const ITEM_EXTENSIONS = [
  'https://stac-extensions.github.io/projection/v1.1.0/schema.json',
  'https://stac-extensions.github.io/eo/v1.1.0/schema.json',
];
export const COLLECTION_FILE = 'collection.json';

export interface StacItem {
  type: 'Feature';
  stac_version: string;
  stac_extensions: string[];
  id: string;
  collection: string;
  geometry: { type: 'Polygon'; coordinates: [number, number][][] };
  bbox: [number, number, number, number];
  properties: Record<string, unknown>;
  assets: Record<string, { href: string; type: string; roles: string[]; title?: string; 'terrafm:row': number }>;
  links: { rel: string; href: string; type: string }[];
}

/** The STAC Item of a tile; hrefs are relative to the corpus directory (the item table sits in it). */
export function tileItem(t: TileMetadata, collection: string): StacItem {
  const present = MODALITIES.filter((m) => t.modalities[m]);
  const times = present.map((m) => t.modalities[m]!.datetime).sort();
  const [x0, px, rx, y0, ry, py] = t.geotransform;
  const b = bboxStruct(t.footprint);
  const properties: Record<string, unknown> = {
    // the first modality's acquisition (S2 L2A when present) is the item's nominal time; the span covers all
    datetime: present.length ? t.modalities[present[0]]!.datetime : null,
    ...(times.length ? { start_datetime: times[0], end_datetime: times[times.length - 1] } : {}),
    'proj:epsg': t.epsg,
    'proj:shape': [t.height, t.width],
    'proj:transform': [px, rx, x0, ry, py, y0],
    ...(t.cloudFraction === null ? {} : { 'eo:cloud_cover': t.cloudFraction * 100 }),
    'terrafm:cell_id': t.cellId,
    'terrafm:sample_weight': t.sampleWeight,
    'terrafm:modalities': present,
    'terrafm:class_histogram': t.classHistogram,
    ...Object.fromEntries(present.map((m) => [`terrafm:${m}_item_ids`, t.modalities[m]!.itemIds])),
  };
  return {
    type: 'Feature',
    stac_version: STAC_VERSION,
    stac_extensions: ITEM_EXTENSIONS,
    id: t.tileId,
    collection,
    geometry: { type: 'Polygon', coordinates: [t.footprint] },
    bbox: [b.xmin, b.ymin, b.xmax, b.ymax],
    properties,
    assets: { data: { href: `./${t.shard}`, type: 'application/vnd.apache.parquet', roles: ['data'], title: 'shard holding the tile (row terrafm:row)', 'terrafm:row': t.rowIndex } },
    links: [
      { rel: 'collection', href: `./${COLLECTION_FILE}`, type: 'application/json' },
      { rel: 'parent', href: `./${COLLECTION_FILE}`, type: 'application/json' },
      { rel: 'root', href: `./${COLLECTION_FILE}`, type: 'application/json' },
    ],
  };
}

// ---- stac-geoparquet (v1.0): one row per item, properties as top-level columns ----

type Kind = 'string' | 'int32' | 'double' | 'timestamp' | 'list<string>' | 'list<int64>' | 'list<double>';
const str = (name: string, rep: 'REQUIRED' | 'OPTIONAL'): SchemaElement => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type: rep });
function scalar(name: string, kind: Kind, rep: 'REQUIRED' | 'OPTIONAL'): SchemaElement[] {
  switch (kind) {
    case 'string': return [str(name, rep)];
    case 'int32': return [{ name, type: 'INT32', repetition_type: rep }];
    case 'double': return [{ name, type: 'DOUBLE', repetition_type: rep }];
    case 'timestamp': return [{ name, type: 'INT64', converted_type: 'TIMESTAMP_MICROS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' }, repetition_type: rep }];
    default: {
      const inner = kind.slice(5, -1);
      const element: SchemaElement = inner === 'string' ? str('element', 'REQUIRED') : { name: 'element', type: inner === 'int64' ? 'INT64' : 'DOUBLE', repetition_type: 'REQUIRED' };
      return [{ name, repetition_type: rep, converted_type: 'LIST', logical_type: { type: 'LIST' }, num_children: 1 }, { name: 'list', repetition_type: 'REPEATED', num_children: 1 }, element];
    }
  }
}

/** Property columns: [property name, kind]; every one is optional (null when the item lacks it). */
const PROPERTY_COLUMNS: [string, Kind][] = [
  ['datetime', 'timestamp'], ['start_datetime', 'timestamp'], ['end_datetime', 'timestamp'],
  ['proj:epsg', 'int32'], ['proj:shape', 'list<int64>'], ['proj:transform', 'list<double>'], ['eo:cloud_cover', 'double'],
  ['terrafm:cell_id', 'string'], ['terrafm:sample_weight', 'double'], ['terrafm:modalities', 'list<string>'], ['terrafm:class_histogram', 'list<int64>'],
  ...MODALITIES.map((m): [string, Kind] => [`terrafm:${m}_item_ids`, 'list<string>']),
];
const TIME_PROPERTIES = new Set(['datetime', 'start_datetime', 'end_datetime']);

function itemsSchema(): SchemaElement[] {
  const top: SchemaElement[][] = [
    scalar('type', 'string', 'REQUIRED'), scalar('stac_version', 'string', 'REQUIRED'), scalar('stac_extensions', 'list<string>', 'REQUIRED'),
    scalar('id', 'string', 'REQUIRED'), scalar('collection', 'string', 'REQUIRED'),
    [{ name: GEOMETRY_COLUMN, type: 'BYTE_ARRAY', repetition_type: 'REQUIRED' }], bboxSchemaElements(),
    ...PROPERTY_COLUMNS.map(([n, k]) => scalar(n, k, 'OPTIONAL')),
    [
      { name: 'assets', repetition_type: 'REQUIRED', num_children: 1 },
      { name: 'data', repetition_type: 'REQUIRED', num_children: 5 },
      str('href', 'REQUIRED'), str('type', 'REQUIRED'), ...scalar('roles', 'list<string>', 'REQUIRED'), str('title', 'OPTIONAL'), { name: 'terrafm:row', type: 'INT32', repetition_type: 'REQUIRED' },
    ],
    [
      { name: 'links', repetition_type: 'REQUIRED', converted_type: 'LIST', logical_type: { type: 'LIST' }, num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', repetition_type: 'REQUIRED', num_children: 3 },
      str('rel', 'REQUIRED'), str('href', 'REQUIRED'), str('type', 'REQUIRED'),
    ],
  ];
  return [{ name: 'root', num_children: top.length }, ...top.flat()];
}
const TOP_COLUMNS = ['type', 'stac_version', 'stac_extensions', 'id', 'collection', GEOMETRY_COLUMN, BBOX_COLUMN, ...PROPERTY_COLUMNS.map(([n]) => n), 'assets', 'links'];

function itemRow(it: StacItem): Record<string, unknown> {
  const row: Record<string, unknown> = {
    type: it.type, stac_version: it.stac_version, stac_extensions: it.stac_extensions, id: it.id, collection: it.collection,
    [GEOMETRY_COLUMN]: polygonToWkb(it.geometry.coordinates[0]),
    [BBOX_COLUMN]: { xmin: it.bbox[0], ymin: it.bbox[1], xmax: it.bbox[2], ymax: it.bbox[3] } satisfies BBoxStruct,
    assets: it.assets,
    links: it.links,
  };
  for (const [name, kind] of PROPERTY_COLUMNS) {
    const v = it.properties[name];
    if (v === undefined || v === null) row[name] = null;
    else if (TIME_PROPERTIES.has(name)) row[name] = isoToMicros(v as string);
    else if (kind === 'list<int64>') row[name] = (v as number[]).map((x) => BigInt(x));
    else row[name] = v;
  }
  return row;
}

/** A row read back from items.parquet (hyparquet, timestamps as bigint microseconds) as a STAC Item. */
export function itemFromRow(r: Record<string, unknown>): StacItem {
  const properties: Record<string, unknown> = {};
  for (const [name, kind] of PROPERTY_COLUMNS) {
    const v = r[name];
    if (v === null || v === undefined) {
      if (name === 'datetime') properties[name] = null;
      continue;
    }
    if (TIME_PROPERTIES.has(name)) properties[name] = microsToIso(v as bigint);
    else if (kind === 'list<int64>') properties[name] = (v as bigint[]).map(Number);
    else properties[name] = v;
  }
  const b = r[BBOX_COLUMN] as BBoxStruct;
  const assets = r.assets as StacItem['assets'];
  for (const a of Object.values(assets)) if (a.title === null || a.title === undefined) delete a.title;
  return {
    type: 'Feature',
    stac_version: r.stac_version as string,
    stac_extensions: r.stac_extensions as string[],
    id: r.id as string,
    collection: r.collection as string,
    geometry: { type: 'Polygon', coordinates: [wkbToPolygon(r[GEOMETRY_COLUMN] as Uint8Array)] },
    bbox: [b.xmin, b.ymin, b.xmax, b.ymax],
    properties,
    assets,
    links: r.links as StacItem['links'],
  };
}

/** Streams items into a stac-geoparquet file in row groups; finish() writes the footer and returns the file's bbox and time span. */
export class StacItemsWriter {
  private readonly pw: ParquetWriter;
  private pending: StacItem[] = [];
  private bbox: BBoxArray | undefined;
  private tmin: string | undefined;
  private tmax: string | undefined;
  count = 0;

  constructor(path: string, private readonly collection: string, private readonly rowGroupSize = 10_000) {
    this.pw = new ParquetWriter({ writer: fileWriter(path), schema: itemsSchema() as ConstructorParameters<typeof ParquetWriter>[0]['schema'], codec: 'SNAPPY', statistics: true });
  }

  add(it: StacItem): void {
    this.pending.push(it);
    this.count++;
    this.bbox = extendBBox(this.bbox, { xmin: it.bbox[0], ymin: it.bbox[1], xmax: it.bbox[2], ymax: it.bbox[3] });
    const start = (it.properties.start_datetime ?? it.properties.datetime) as string | null;
    const end = (it.properties.end_datetime ?? it.properties.datetime) as string | null;
    if (start && (this.tmin === undefined || isoToMicros(start) < isoToMicros(this.tmin))) this.tmin = start;
    if (end && (this.tmax === undefined || isoToMicros(end) > isoToMicros(this.tmax))) this.tmax = end;
    if (this.pending.length >= this.rowGroupSize) this.flush();
  }

  private flush(): void {
    if (!this.pending.length) return;
    const rows = this.pending.map(itemRow);
    const columnData: ColumnSource[] = TOP_COLUMNS.map((name) => ({ name, data: rows.map((r) => r[name]) as ColumnSource['data'], ...(name === GEOMETRY_COLUMN ? { statistics: false } : {}) }));
    this.pw.write({ columnData, rowGroupSize: rows.length });
    this.pending = [];
  }

  finish(): { bbox: BBoxArray | undefined; interval: [string | null, string | null] } {
    this.flush();
    this.pw.kvMetadata = [
      { key: 'geo', value: JSON.stringify(geoMetadata(['Polygon'], this.bbox)) },
      { key: 'stac-geoparquet', value: JSON.stringify({ version: '1.0.0', collection: this.collection }) },
    ];
    this.pw.finish();
    return { bbox: this.bbox, interval: [this.tmin ?? null, this.tmax ?? null] };
  }
}
