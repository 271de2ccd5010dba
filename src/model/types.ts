// The product's own typed model, shared by the stages. External formats (STAC JSON, YAML, Parquet
// rows) are parsed into these once, at the boundary; the stages pass only these around.

/** Modalities a tile can carry. Order here is the canonical order everywhere (shards, trainer). */
export const MODALITIES = ['s2_l2a', 's2_l1c', 's1'] as const;
export type Modality = (typeof MODALITIES)[number];
/** Sources in a pipeline: the imaging modalities plus the land-cover map. */
export type SourceName = Modality | 'landcover';

/** [minx, miny, maxx, maxy] */
export type BBox = [number, number, number, number];

/** One cell of the Major-TOM-compatible grid, with its pixel-snapped target in its UTM zone. */
export interface GridCell {
  /** e.g. `917D_239R` */
  id: string;
  /** Signed row index (positive north: U, negative south: D) and signed column (R east, L west). */
  row: number;
  col: number;
  /** Lower-left corner of the cell in degrees (Major-TOM convention). */
  lon: number;
  lat: number;
  /** UTM EPSG code of the zone containing the cell centre (326xx north, 327xx south). */
  epsg: number;
  /** Target extent in that EPSG, pixel-snapped to the resolution: [minx, miny, maxx, maxy] metres. */
  extent: BBox;
  /** Target resolution in metres and size in pixels (square). */
  resolution: number;
  sizePx: number;
}

/** A STAC item parsed into what the pipeline uses. */
export interface SceneItem {
  id: string;
  collection: string;
  /** Same value for the same acquisition in different collections (e.g. sentinel-2-l2a vs -c1-l2a). */
  sceneKey: string;
  /** Datatake key shared by the L1C and L2A products of one acquisition. */
  datatakeKey?: string;
  datetime: string;
  bbox: BBox;
  /** GeoJSON geometry in WGS84. */
  geometry: unknown;
  cloudCover?: number;
  /** e.g. "04.00" */
  processingBaseline?: string;
  orbitState?: 'ascending' | 'descending';
  platform?: string;
  epsg?: number;
  /** Logical band name (B04, VV, SCL, map) to asset. */
  assets: Record<string, AssetRef>;
  /** URL or path of the item document itself. */
  selfHref?: string;
}

export interface AssetRef {
  href: string;
  /** Nodata value declared by the item (raster:bands or file metadata), if any. */
  nodata?: number;
  scale?: number;
  offset?: number;
  /** Native ground sample distance in metres, if known. */
  gsd?: number;
}

/** Geotransform as GDAL orders it: [originX, pixelW, rotX, originY, rotY, pixelH (negative)]. */
export type GeoTransform = [number, number, number, number, number, number];

/** Pixel data type of a modality tensor in a tile (little-endian when serialised). */
export type TensorDType = 'uint16' | 'int16' | 'float32' | 'uint8';
export type TypedPixels = Uint16Array | Int16Array | Float32Array | Uint8Array;

/** One modality of one tile: a band-major tensor [bands, height, width] on the tile's target grid. */
export interface ModalityTensor {
  dtype: TensorDType;
  /** Band names in tensor order, e.g. ['B01', ..., 'B12'] or ['VV', 'VH']. */
  bands: string[];
  /** [bands, height, width] */
  shape: [number, number, number];
  data: TypedPixels;
  /** Value that marks nodata pixels in `data` (NaN for float tensors that use NaN). */
  nodata: number;
  /** Acquisition datetime (ISO 8601) of the (first) scene used. */
  datetime: string;
  /** STAC item ids and asset hrefs that the pixels came from (provenance). */
  itemIds: string[];
  hrefs: string[];
  /** Share of pixels that are nodata in every band (0..1). */
  nodataFraction: number;
}

/** A finished, co-registered multi-sensor tile, as handed from the tile stage to the shard writer. */
export interface TileRecord {
  /** Deterministic id, unique in a corpus: `${cellId}` or `${cellId}_${n}` for several tiles per cell. */
  tileId: string;
  cellId: string;
  epsg: number;
  geotransform: GeoTransform;
  width: number;
  height: number;
  modalities: Partial<Record<Modality, ModalityTensor>>;
  /** WorldCover class codes on the same grid, uint8, 0 = nodata. */
  landcover: Uint8Array;
  /** Pixel counts per WorldCover bin (index = position in WORLDCOVER_CLASSES), length 12. */
  classHistogram: number[];
  /** Cloud share of valid pixels from the SCL layer (0..1), or null when no SCL was available. */
  cloudFraction: number | null;
  /** Weight from the sampler (1 when no sampler ran). */
  sampleWeight: number;
  /** WGS84 footprint polygon ring [[lon, lat], ...] (closed). */
  footprint: [number, number][];
}
