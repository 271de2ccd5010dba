// The tensor layout of a corpus (dtype, band names, shape, nodata per modality). It is fixed by the first
// tile carrying each modality (or given up front) and every later tile must match it, so a trainer can
// allocate fixed-shape batches and a Python reader can decode any row with the file metadata alone.
import { ShardError } from '../errors.js';
import { MODALITIES, type Modality, type ModalityTensor, type TensorDType } from '../model/types.js';
import { SCHEMA_VERSION, checkSchemaVersion, type SchemaVersion } from './schema.js';
import { NUMPY_DTYPE, isTensorDType } from './tensor-bytes.js';
import { WORLDCOVER_CLASSES, WORLDCOVER_NAMES } from '../landcover/worldcover.js';

export interface ModalityLayout {
  dtype: TensorDType;
  bands: string[];
  /** [bands, height, width] */
  shape: [number, number, number];
  /** NaN allowed (float tensors). */
  nodata: number;
}

export interface CorpusLayout {
  modalities: Partial<Record<Modality, ModalityLayout>>;
  /** [height, width] of the land-cover raster, once known. */
  landcoverShape?: [number, number];
  /** Schema version of the files this layout was read from; absent for a layout being written (the current one). */
  schemaVersion?: SchemaVersion;
}

/** The JSON written under the `terrafm` file metadata key and into manifest.json. */
export interface LayoutJson {
  schema_version: number;
  modalities: Record<string, { dtype: TensorDType; numpy_dtype: string; bands: string[]; shape: number[]; nodata: number | 'NaN'; byte_order: 'little'; layout: 'band-major' }>;
  landcover: { dtype: 'uint8'; shape: number[] | null; nodata: 0; classes: number[]; class_names: Record<number, string> };
  class_codes: number[];
}

export function layoutOfTensor(t: ModalityTensor): ModalityLayout {
  return { dtype: t.dtype, bands: [...t.bands], shape: [...t.shape], nodata: t.nodata };
}

const sameNodata = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));

/** Why a tensor does not fit the locked layout, or undefined when it does. */
export function layoutMismatch(want: ModalityLayout, got: ModalityLayout): string | undefined {
  if (want.dtype !== got.dtype) return `dtype ${got.dtype}, expected ${want.dtype}`;
  if (want.bands.join(',') !== got.bands.join(',')) return `bands [${got.bands.join(', ')}], expected [${want.bands.join(', ')}]`;
  if (want.shape.join('x') !== got.shape.join('x')) return `shape ${got.shape.join('x')}, expected ${want.shape.join('x')}`;
  if (!sameNodata(want.nodata, got.nodata)) return `nodata ${got.nodata}, expected ${want.nodata}`;
  return undefined;
}

export function layoutToJson(l: CorpusLayout): LayoutJson {
  const modalities: LayoutJson['modalities'] = {};
  for (const m of MODALITIES) {
    const x = l.modalities[m];
    if (!x) continue;
    modalities[m] = { dtype: x.dtype, numpy_dtype: NUMPY_DTYPE[x.dtype], bands: x.bands, shape: x.shape, nodata: Number.isNaN(x.nodata) ? 'NaN' : x.nodata, byte_order: 'little', layout: 'band-major' };
  }
  return {
    schema_version: l.schemaVersion ?? SCHEMA_VERSION,
    modalities,
    landcover: { dtype: 'uint8', shape: l.landcoverShape ?? null, nodata: 0, classes: [...WORLDCOVER_CLASSES], class_names: WORLDCOVER_NAMES },
    class_codes: [...WORLDCOVER_CLASSES],
  };
}

/** Parses layout JSON (from a file footer or the manifest); throws ShardError naming the bad field. */
export function layoutFromJson(j: unknown, where: string): CorpusLayout {
  const bad = (what: string): never => {
    throw new ShardError(`${where}: layout field ${what} is missing or malformed`);
  };
  if (typeof j !== 'object' || j === null) bad('(root)');
  const o = j as Record<string, any>;
  const out: CorpusLayout = { modalities: {}, schemaVersion: checkSchemaVersion(o.schema_version, where) };
  for (const [m, v] of Object.entries((o.modalities ?? {}) as Record<string, any>)) {
    if (!(MODALITIES as readonly string[]).includes(m)) bad(`modalities.${m} (unknown modality)`);
    if (!isTensorDType(v?.dtype)) bad(`modalities.${m}.dtype`);
    if (!Array.isArray(v.bands) || !v.bands.every((b: unknown) => typeof b === 'string')) bad(`modalities.${m}.bands`);
    if (!Array.isArray(v.shape) || v.shape.length !== 3 || !v.shape.every((n: unknown) => Number.isInteger(n))) bad(`modalities.${m}.shape`);
    const nodata = v.nodata === 'NaN' ? NaN : v.nodata;
    if (typeof nodata !== 'number') bad(`modalities.${m}.nodata`);
    out.modalities[m as Modality] = { dtype: v.dtype, bands: [...v.bands], shape: [v.shape[0], v.shape[1], v.shape[2]], nodata };
  }
  const lc = o.landcover?.shape;
  if (Array.isArray(lc) && lc.length === 2) out.landcoverShape = [lc[0], lc[1]];
  return out;
}
