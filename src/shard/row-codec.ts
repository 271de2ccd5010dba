// TileRecord <-> shard row (schema v2; rows of v1 files decode too). Encoding checks each tile against the corpus layout and names the tile
// and field on any mismatch; decoding turns bytes back into typed arrays (views where alignment allows).
import { ShardError } from '../errors.js';
import { stripCredentials } from '../redact.js';
import { MODALITIES, type GeoTransform, type ModalityTensor, type TileRecord } from '../model/types.js';
import { layoutMismatch, layoutOfTensor, type CorpusLayout } from './layout.js';

import { fromLittleEndianBytes, dtypeOf, toLittleEndianBytes } from './tensor-bytes.js';
import { bboxStruct } from '../parquet/geo.js';
import { isoToMicros, microsToIso } from '../parquet/timestamps.js';
import { polygonToWkb, wkbToPolygon } from '../parquet/wkb.js';
import { WORLDCOVER_CLASSES, classHistogram } from '../landcover/worldcover.js';

export type ShardRow = Record<string, unknown>;

/** A tile read back from a shard, plus where it came from. */
export interface ShardTile extends TileRecord {
  shard: string;
  /** Row index within the shard file. */
  rowIndex: number;
}

/** Bytes of tensor payload a tile carries (modalities + land cover): the unit of shard/row-group sizing. */
export function tilePayloadBytes(t: TileRecord): number {
  let n = t.landcover.byteLength;
  for (const m of MODALITIES) n += t.modalities[m]?.data.byteLength ?? 0;
  return n;
}

/**
 * Checks a tile against the layout (locking the layout for modalities seen for the first time) and
 * returns its row plus its land-cover class counts (recomputed from the raster and checked against
 * classHistogram).
 */
export function encodeRow(t: TileRecord, layout: CorpusLayout): { row: ShardRow; classCounts: number[] } {
  const id = t.tileId;
  const fail = (msg: string): never => {
    throw new ShardError(`tile ${JSON.stringify(id)}: ${msg}`);
  };
  if (typeof id !== 'string' || id.length === 0) throw new ShardError(`tile id ${JSON.stringify(id)} is not a non-empty string`);
  if (!Number.isInteger(t.width) || t.width <= 0 || !Number.isInteger(t.height) || t.height <= 0) fail(`size ${t.width}x${t.height} is not positive integers`);
  if (!Number.isInteger(t.epsg)) fail(`epsg ${t.epsg} is not an integer`);
  if (!Array.isArray(t.geotransform) || t.geotransform.length !== 6 || !t.geotransform.every(Number.isFinite)) fail('geotransform is not 6 finite numbers');
  if (!(t.landcover instanceof Uint8Array) || t.landcover.length !== t.width * t.height) fail(`landcover has ${t.landcover?.length} pixels, expected ${t.width}x${t.height} uint8`);
  if (layout.landcoverShape && (layout.landcoverShape[0] !== t.height || layout.landcoverShape[1] !== t.width)) {
    fail(`size ${t.height}x${t.width} differs from the corpus tile size ${layout.landcoverShape.join('x')}`);
  }
  const classCounts = classHistogram(t.landcover);
  if (!Array.isArray(t.classHistogram) || t.classHistogram.length !== WORLDCOVER_CLASSES.length) fail(`classHistogram has ${t.classHistogram?.length} entries, expected ${WORLDCOVER_CLASSES.length}`);
  const k = t.classHistogram.findIndex((c, i) => c !== classCounts[i]);
  if (k >= 0) fail(`classHistogram[${k}] (class ${WORLDCOVER_CLASSES[k]}) is ${t.classHistogram[k]} but the landcover raster has ${classCounts[k]} such pixels`);
  if (t.cloudFraction !== null && !(t.cloudFraction >= 0 && t.cloudFraction <= 1)) fail(`cloudFraction ${t.cloudFraction} is not in 0..1 or null`);
  if (!Number.isFinite(t.sampleWeight) || t.sampleWeight < 0) fail(`sampleWeight ${t.sampleWeight} is not a finite number >= 0`);

  const row: ShardRow = {
    tile_id: id,
    cell_id: t.cellId,
    epsg: t.epsg,
    geotransform: [...t.geotransform],
    width: t.width,
    height: t.height,
    landcover: t.landcover,
    class_histogram: classCounts.map((c) => BigInt(c)),
    cloud_fraction: t.cloudFraction,
    sample_weight: t.sampleWeight,
    geometry: (() => {
      try {
        return polygonToWkb(t.footprint);
      } catch (e) {
        return fail(e instanceof Error ? e.message : String(e));
      }
    })(),
    bbox: bboxStruct(t.footprint), // the ring is known valid: polygonToWkb above checked it
  };
  const pendingLocks: [typeof MODALITIES[number], ModalityTensor][] = [];
  for (const m of MODALITIES) {
    const x = t.modalities[m];
    if (!x) {
      for (const c of ['data', 'datetime', 'item_ids', 'hrefs', 'nodata_fraction']) row[`${m}_${c}`] = null;
      continue;
    }
    const actual = dtypeOf(x.data);
    if (actual !== x.dtype) fail(`${m} data is ${x.data?.constructor?.name}, but dtype says ${x.dtype}`);
    if (x.shape.length !== 3 || x.shape[0] !== x.bands.length) fail(`${m} shape ${x.shape.join('x')} does not start with the ${x.bands.length} band names`);
    if (x.data.length !== x.shape[0] * x.shape[1] * x.shape[2]) fail(`${m} has ${x.data.length} values, shape ${x.shape.join('x')} needs ${x.shape[0] * x.shape[1] * x.shape[2]}`);
    const want = layout.modalities[m];
    if (want) {
      const why = layoutMismatch(want, layoutOfTensor(x));
      if (why) fail(`${m} ${why} (the corpus layout is fixed by its first tile)`);
    } else pendingLocks.push([m, x]);
    if (!(x.nodataFraction >= 0 && x.nodataFraction <= 1)) fail(`${m} nodataFraction ${x.nodataFraction} is not in 0..1`);
    row[`${m}_data`] = toLittleEndianBytes(x.data);
    row[`${m}_datetime`] = (() => {
      try {
        return isoToMicros(x.datetime);
      } catch (e) {
        return fail(`${m} ${(e as Error).message}`);
      }
    })();
    row[`${m}_item_ids`] = [...x.itemIds];
    row[`${m}_hrefs`] = x.hrefs.map(stripCredentials); // published: never a credential
    row[`${m}_nodata_fraction`] = x.nodataFraction;
  }
  // lock only once the whole tile is known to be valid
  for (const [m, x] of pendingLocks) layout.modalities[m] = layoutOfTensor(x);
  layout.landcoverShape ??= [t.height, t.width];
  return { row, classCounts };
}

/** A datetime cell: bigint microseconds (v2, read with the raw timestamp parser) or ISO text (v1). */
export function datetimeText(v: unknown): string {
  if (typeof v === 'bigint') return microsToIso(v);
  return typeof v === 'string' ? v : '';
}

const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : (v as number));

/** Decodes a row (any subset of columns) back into tile fields; `where` names shard and row in errors. */
export function decodeRow(r: ShardRow, layout: CorpusLayout, where: string): Partial<TileRecord> & { tileId?: string } {
  const out: Partial<TileRecord> = {};
  if ('tile_id' in r) out.tileId = r.tile_id as string;
  if ('cell_id' in r) out.cellId = r.cell_id as string;
  if ('epsg' in r) out.epsg = num(r.epsg);
  if ('geotransform' in r) out.geotransform = (r.geotransform as number[]).map(num) as GeoTransform;
  if ('width' in r) out.width = num(r.width);
  if ('height' in r) out.height = num(r.height);
  if ('landcover' in r) out.landcover = r.landcover as Uint8Array;
  if ('class_histogram' in r) out.classHistogram = (r.class_histogram as unknown[]).map(num);
  if ('cloud_fraction' in r) out.cloudFraction = (r.cloud_fraction as number | null) ?? null;
  if ('sample_weight' in r) out.sampleWeight = num(r.sample_weight);
  if ('geometry' in r) out.footprint = wkbToPolygon(r.geometry as Uint8Array);
  const mods: TileRecord['modalities'] = {};
  let anyModality = false;
  for (const m of MODALITIES) {
    if (!(`${m}_data` in r)) continue;
    anyModality = true;
    const bytes = r[`${m}_data`] as Uint8Array | null;
    if (bytes == null) continue;
    const l = layout.modalities[m];
    if (!l) throw new ShardError(`${where}: has ${m} data but the file metadata declares no ${m} layout`);
    mods[m] = {
      dtype: l.dtype,
      bands: [...l.bands],
      shape: [...l.shape],
      nodata: l.nodata,
      data: fromLittleEndianBytes(bytes, l.dtype, l.shape[0] * l.shape[1] * l.shape[2], `${where} ${m}`),
      datetime: datetimeText(r[`${m}_datetime`]),
      itemIds: (r[`${m}_item_ids`] as string[] | undefined) ?? [],
      hrefs: (r[`${m}_hrefs`] as string[] | undefined) ?? [],
      nodataFraction: (r[`${m}_nodata_fraction`] as number | undefined) ?? NaN,
    };
  }
  if (anyModality) out.modalities = mods;
  return out;
}
