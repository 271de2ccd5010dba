// `terrafm footprints`: the tiles' footprints as a vector file that GIS tools open without a Parquet
// driver (Debian's GDAL 3.6 has none, so ogrinfo and QGIS on it cannot read the shards or items.parquet):
// GeoJSON, FlatGeobuf or GeoPackage, one polygon per tile in EPSG:4326, written through gdal-async from
// the shards' metadata columns (the pixels are never read).
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import gdal from 'gdal-async';
import { ShardError, UsageError } from '../errors.js';
import { MODALITIES } from '../model/types.js';
import { WORLDCOVER_CLASSES, WORLDCOVER_NAMES } from '../landcover/worldcover.js';
import { checkOutputDir } from '../output-dir.js';
import { polygonToWkb } from '../parquet/wkb.js';
import { MANIFEST_FILE } from '../shard/manifest.js';
import { openCorpus, openShard, readTileMetadata, type TileMetadata } from '../shard/reader.js';
import { dominantClass } from './dominant-class.js';
import { tileItem } from './stac-items.js';

export const FOOTPRINT_FORMATS = {
  geojson: { driver: 'GeoJSON', extension: 'geojson' },
  flatgeobuf: { driver: 'FlatGeobuf', extension: 'fgb' },
  gpkg: { driver: 'GPKG', extension: 'gpkg' },
} as const;
export type FootprintFormat = keyof typeof FOOTPRINT_FORMATS;
export const FOOTPRINT_FORMAT_NAMES = Object.keys(FOOTPRINT_FORMATS) as FootprintFormat[];
export const FOOTPRINTS_LAYER = 'footprints';

type FieldKind = 'string' | 'integer' | 'real' | 'datetime';
type Value = string | number | null;

/** The WorldCover classes a share column is written for (every class but nodata), by histogram bin. */
const CLASS_BINS = WORLDCOVER_CLASSES.map((code, bin) => ({ code, bin })).filter((c) => c.code !== 0);

/** The attribute table, in column order: name, kind, and what it holds (documented in README). */
export const FOOTPRINT_FIELDS: { name: string; kind: FieldKind; description: string }[] = [
  { name: 'tile_id', kind: 'string', description: 'tile id (the shard row\'s tile_id)' },
  { name: 'cell_id', kind: 'string', description: 'grid cell the tile was cut from' },
  { name: 'shard', kind: 'string', description: 'shard file holding the tile, relative to the corpus' },
  { name: 'row', kind: 'integer', description: '0-based row of the tile in that shard' },
  { name: 'epsg', kind: 'integer', description: 'EPSG code of the tile\'s own (UTM) grid' },
  { name: 'datetime', kind: 'datetime', description: 'nominal acquisition time (UTC), as the STAC item\'s datetime' },
  ...MODALITIES.map((m) => ({ name: `${m}_datetime`, kind: 'datetime' as const, description: `${m} acquisition time (UTC); null when the tile has no ${m}` })),
  { name: 'modalities', kind: 'string', description: 'modalities present, comma-separated' },
  { name: 'cloud_cover', kind: 'real', description: 'cloud cover in percent of valid pixels (SCL); null when unknown' },
  { name: 'sample_weight', kind: 'real', description: 'weight from the sampler' },
  { name: 'dominant_class', kind: 'integer', description: 'WorldCover code covering most valid pixels (0 when none is valid)' },
  { name: 'dominant_name', kind: 'string', description: 'name of that class' },
  { name: 'dominant_share', kind: 'real', description: 'share of valid pixels in that class (0..1)' },
  ...CLASS_BINS.map(({ code }) => ({ name: `share_${code}`, kind: 'real' as const, description: `share of valid pixels in WorldCover class ${code} (${WORLDCOVER_NAMES[code]})` })),
];

const OGR_TYPE: Record<FieldKind, string> = { string: gdal.OFTString, integer: gdal.OFTInteger, real: gdal.OFTReal, datetime: gdal.OFTDateTime };

/** A tile's attribute values, keyed by FOOTPRINT_FIELDS names. */
export function footprintAttributes(t: TileMetadata): Record<string, Value> {
  // the nominal time and cloud cover follow the tile's STAC item, so the two descriptions agree
  const props = tileItem(t, '').properties;
  const dominant = dominantClass(t.classHistogram);
  const shares = dominant.shares;
  return {
    tile_id: t.tileId,
    cell_id: t.cellId,
    shard: t.shard,
    row: t.rowIndex,
    epsg: t.epsg,
    datetime: (props.datetime as string | null) ?? null,
    ...Object.fromEntries(MODALITIES.map((m) => [`${m}_datetime`, t.modalities[m]?.datetime ?? null])),
    modalities: MODALITIES.filter((m) => t.modalities[m]).join(','),
    cloud_cover: (props['eo:cloud_cover'] as number | undefined) ?? null,
    sample_weight: t.sampleWeight,
    dominant_class: dominant.code,
    dominant_name: WORLDCOVER_NAMES[dominant.code],
    dominant_share: dominant.share,
    ...Object.fromEntries(CLASS_BINS.map(({ code, bin }) => [`share_${code}`, shares[bin]])),
  };
}

export interface FootprintsOptions {
  format: FootprintFormat;
  /** Output file (default `<corpus>/footprints.<extension>`). */
  out?: string;
  /** Replace an existing output file. */
  overwrite?: boolean;
}

export interface FootprintsResult {
  file: string;
  format: FootprintFormat;
  features: number;
}

/** The default output file of a format: beside the shards, where the corpus's other descriptions are. */
export function defaultFootprintsFile(corpusDir: string, format: FootprintFormat): string {
  return join(corpusDir, `footprints.${FOOTPRINT_FORMATS[format].extension}`);
}

/**
 * Writes one feature per tile (manifest order). The file appears whole or not at all: it is written under
 * `<file>.tmp.<extension>` and renamed at the end, so a failure leaves any earlier file as it was.
 */
export async function writeFootprints(corpusDir: string, opts: FootprintsOptions): Promise<FootprintsResult> {
  const spec = FOOTPRINT_FORMATS[opts.format];
  if (!spec) throw new UsageError(`footprints: format "${opts.format}" is not known; expected one of: ${FOOTPRINT_FORMAT_NAMES.join(', ')}`);
  if (!existsSync(corpusDir) || !statSync(corpusDir).isDirectory()) throw new UsageError(`footprints: ${corpusDir} is not a directory; expected a corpus directory (with ${MANIFEST_FILE})`);
  if (!existsSync(join(corpusDir, MANIFEST_FILE))) throw new UsageError(`footprints: ${corpusDir} is not a corpus: it has no ${MANIFEST_FILE}; expected the corpus directory of a run (e.g. runs/demo/corpus)`);
  const file = opts.out ?? defaultFootprintsFile(corpusDir, opts.format);
  if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError(`footprints: --out ${file} is a directory; expected a file path such as ${join(file, `footprints.${spec.extension}`)}`);
  if (existsSync(file) && !opts.overwrite) throw new UsageError(`footprints: ${file} exists; pass --overwrite to replace it, or --out <file> for another file`);
  checkOutputDir(dirname(resolve(file)), 'footprints: output directory');
  const { manifest } = openCorpus(corpusDir);

  // the temporary name ends in the format's extension: given a name without `.fgb`, GDAL's FlatGeobuf
  // driver writes a directory of one file per layer instead of one file
  const tmp = `${file}.tmp.${spec.extension}`;
  rmSync(tmp, { force: true });
  let features = 0;
  let ds: gdal.Dataset | undefined;
  try {
    ds = gdal.open(tmp, 'w', spec.driver);
    const srs = gdal.SpatialReference.fromEPSG(4326);
    const layer = ds.layers.create(FOOTPRINTS_LAYER, srs, gdal.wkbPolygon);
    for (const f of FOOTPRINT_FIELDS) layer.fields.add(new gdal.FieldDefn(f.name, OGR_TYPE[f.kind]));
    // GeoPackage commits each feature on its own without a transaction: ~6x slower
    if (opts.format === 'gpkg') sqlCommand(ds, 'BEGIN');
    for (const s of manifest.shards) {
      const shard = await openShard(join(corpusDir, s.file));
      try {
        for await (const t of readTileMetadata(shard)) {
          const feature = new gdal.Feature(layer);
          const values = footprintAttributes(t);
          for (const [k, v] of Object.entries(values)) if (v !== null) feature.fields.set(k, v);
          feature.setGeometry(gdal.Geometry.fromWKB(Buffer.from(polygonToWkb(t.footprint)), srs));
          layer.features.add(feature);
          features++;
        }
      } finally {
        await shard.close();
      }
    }
    if (opts.format === 'gpkg') sqlCommand(ds, 'COMMIT');
    ds.close();
    ds = undefined;
    renameSync(tmp, file);
  } catch (e) {
    try {
      ds?.close();
    } catch {
      // the dataset is being abandoned; the first error is the one to report
    }
    rmSync(tmp, { force: true });
    if (e instanceof ShardError || e instanceof UsageError) throw e;
    throw new ShardError(`footprints: cannot write ${file} (${spec.driver}): ${(e as Error).message}`, e);
  }
  return { file, format: opts.format, features };
}

/**
 * BEGIN/COMMIT through OGR's SQL: the GeoPackage driver runs them as transaction commands and returns no
 * result layer, which gdal-async reports as an error with an empty message; any other error is real.
 */
function sqlCommand(ds: gdal.Dataset, sql: 'BEGIN' | 'COMMIT'): void {
  try {
    ds.executeSQL(sql);
  } catch (e) {
    if ((e as Error).message) throw e;
  }
}
