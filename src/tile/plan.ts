// The tile plan: for every cell, the target grid and, per modality, exactly which files are read with
// which nodata, resampling and gdalwarp arguments. Pure data built by a pure function, so the whole
// tiling decision can be inspected (and tested) without touching GDAL or the network.
import type { AssetRef, GeoTransform, GridCell, Modality, SceneItem, SourceName, TensorDType } from '../model/types.js';
import { MODALITIES } from '../model/types.js';
import { l1cBands, type Resampling, type TileConfig } from '../config/sections/tile.js';
// One grid module for the whole product: the footprint is the grid's own extent ring, so grid
// polygons and tile footprints cannot disagree.
import { extentRing } from '../grid/grid.js';
import { parseUtmEpsg } from '../grid/utm.js';
import { StageError } from '../errors.js';
import { checkAssetAccess, type AccessRule, type AssetAccess } from '../net/access-policy.js';
import { gdalPathFor, readTarget } from '../net/links.js';
import { warpArgs, type GdalOutputType, type TargetGrid } from './warp-args.js';

/** What the tile stage needs per cell: the cell and, per source, the chosen scenes in mosaic order
 *  (first scene wins where it has data). Discovery's `CellScenes` maps onto this one-to-one. */
export interface TileSourceInput {
  cell: GridCell;
  scenes: Partial<Record<SourceName, SceneItem[]>>;
  /** Weight from the sampler; 1 when no sampler ran. */
  sampleWeight?: number;
}

/** One asset band to warp: where it is, how it is read and the exact gdalwarp arguments. */
export interface BandSource {
  band: string;
  /** Href as the item gave it (for provenance and failure tables). */
  href: string;
  /** What GDAL opens: `/vsicurl/` URL for http(s), `/vsis3/` for s3, a local path otherwise. */
  gdalPath: string;
  srcNodata: number;
  dstNodata: number;
  resampling: Resampling;
  outputType: GdalOutputType;
  /** EPSG the item says the file is in; checked on open (undefined: not checked, e.g. GCP rasters). */
  expectedEpsg?: number;
  /** Band count the file must have. */
  expectedBandCount: number;
  /** Scale/offset declared by the item, carried for provenance (pixels stay in DN). */
  scale?: number;
  offset?: number;
  warpArgs: string[];
}

export interface ScenePlan {
  itemId: string;
  datetime: string;
  processingBaseline?: string;
  /** DN subtracted after warping to harmonise baselines >= 04.00 with older ones (0 = none). */
  harmonizeDn: number;
  /** One entry per tensor band, in tensor order. */
  bands: BandSource[];
}

export interface ModalityPlan {
  modality: Modality;
  dtype: TensorDType;
  /** Nodata value in the output tensor (NaN for S1 float). */
  nodata: number;
  bands: string[];
  /** Convert to dB after mosaicking (S1 only). */
  db: boolean;
  /** Mosaic order: first valid pixel wins. */
  scenes: ScenePlan[];
  /** Folder of the local catalog the items came from: recorded hrefs are made relative to it (see recorded-href.ts). */
  hrefRoot?: string;
}

/** A single-band categorical layer (SCL, land cover) mosaicked in order. */
export interface LayerPlan {
  scenes: { itemId: string; datetime: string; source: BandSource }[];
}

export interface TileJob {
  tileId: string;
  cellId: string;
  grid: TargetGrid;
  footprint: [number, number][];
  sampleWeight: number;
  modalities: Partial<Record<Modality, ModalityPlan>>;
  /** SCL of the L2A scenes, for the cloud fraction; null without L2A. */
  scl: LayerPlan | null;
  landcover: LayerPlan | null;
  cloudClasses: number[];
  maxNodataFraction: number;
  /** Set when the inputs cannot be tiled at all (missing asset, inconsistent grid): the tile is
   *  reported as a failure at stage `plan` without reading anything. */
  planError?: { href: string; message: string; rule?: AccessRule };
}

export interface TilePlan {
  /** Sorted by tileId: the order in which results are emitted. */
  tiles: TileJob[];
}

/** Access rules per source (from the pipeline's sources); absent: hrefs are not checked. */
export type PlanAccess = Partial<Record<SourceName, AssetAccess>>;

export interface PlanOptions {
  /** Which hrefs each source's items may name; a refused href fails its tile at `plan` with the rule. */
  access?: PlanAccess;
  /** Directory that relative hrefs resolve against when the item has no selfHref. Default: kept relative. */
  baseDir?: string;
  /** Per modality, the folder of the local STAC catalog its items came from (absent: remote or unknown). */
  hrefRoots?: Partial<Record<Modality, string>>;
  /** Sampler weights by cell id (used when the input row carries none). Default 1. */
  sampleWeights?: ReadonlyMap<string, number>;
}

const MODALITY_OUTPUT: Record<Modality, { dtype: TensorDType; outputType: GdalOutputType; nodata: number }> = {
  s2_l2a: { dtype: 'uint16', outputType: 'UInt16', nodata: 0 },
  s2_l1c: { dtype: 'uint16', outputType: 'UInt16', nodata: 0 },
  s1: { dtype: 'float32', outputType: 'Float32', nodata: Number.NaN },
};

/** "04.00", "N0400", "4.0" -> 4; undefined when not parseable. */
export function parseBaseline(b: string | undefined): number | undefined {
  if (!b) return undefined;
  const m = /^N?(\d{2})(\d{2})$/.exec(b.trim());
  const v = m ? Number(m[1]) + Number(m[2]) / 100 : Number(b.trim());
  return Number.isFinite(v) ? v : undefined;
}

/** DN offset to subtract from a scene: 1000 for baseline >= 04.00 (or an item declaring the -1000 DN
 *  offset through raster scale/offset when the baseline is unknown), else 0. */
export function harmonizeDnFor(item: SceneItem, asset: AssetRef | undefined, enabled: boolean): number {
  if (!enabled) return 0;
  const baseline = parseBaseline(item.processingBaseline);
  if (baseline !== undefined) return baseline >= 4 ? 1000 : 0;
  if (asset?.offset !== undefined && asset.scale !== undefined && asset.offset < 0 && asset.scale > 0) {
    return Math.round(-asset.offset / asset.scale);
  }
  return 0;
}

/** Asset of a logical band: exact key first, then case-insensitive (items spell `vv` or `VV`). */
export function findAsset(item: SceneItem, band: string): AssetRef | undefined {
  if (item.assets[band]) return item.assets[band];
  const lower = band.toLowerCase();
  const key = Object.keys(item.assets).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : item.assets[key];
}

/** The target grid of a cell, checked for consistency (extent = size x resolution, snapped origin). */
export function targetGrid(cell: GridCell): TargetGrid {
  const [minx, miny, maxx, maxy] = cell.extent;
  const res = cell.resolution;
  try {
    parseUtmEpsg(cell.epsg);
  } catch (e) {
    throw new StageError('tile', `cell ${cell.id}: ${(e as Error).message}`, e);
  }
  const w = (maxx - minx) / res;
  const h = (maxy - miny) / res;
  if (!(res > 0) || Math.abs(w - cell.sizePx) > 1e-6 || Math.abs(h - cell.sizePx) > 1e-6) {
    throw new StageError(
      'tile',
      `cell ${cell.id}: extent ${cell.extent.join(',')} at ${res} m is ${w} x ${h} px; expected ${cell.sizePx} x ${cell.sizePx}`,
    );
  }
  const snapped = (v: number) => Math.abs(v / res - Math.round(v / res)) < 1e-6;
  if (!snapped(minx) || !snapped(maxy)) {
    throw new StageError('tile', `cell ${cell.id}: origin (${minx}, ${maxy}) is not snapped to the ${res} m pixel grid`);
  }
  const geotransform: GeoTransform = [minx, res, 0, maxy, 0, -res];
  return { epsg: cell.epsg, srs: `EPSG:${cell.epsg}`, resolution: res, width: cell.sizePx, height: cell.sizePx, extent: [minx, miny, maxx, maxy], geotransform };
}

class PlanProblem extends Error {
  constructor(readonly href: string, message: string, readonly rule?: AccessRule) {
    super(message);
  }
}

function bandSource(
  grid: TargetGrid,
  item: SceneItem,
  band: string,
  o: { resampling: Resampling; defaultNodata: number; dstNodata: number; outputType: GdalOutputType; tps: boolean },
  baseDir: string | undefined,
  access: AssetAccess | undefined,
): BandSource {
  const asset = findAsset(item, band);
  if (!asset) {
    throw new PlanProblem(
      item.selfHref ?? item.id,
      `item ${item.id} has no asset for band ${band}; expected one of its assets to be named ${band} (has: ${Object.keys(item.assets).join(', ') || 'none'})`,
    );
  }
  let gdalPath: string;
  try {
    gdalPath = gdalPathFor(asset.href, item.selfHref, baseDir);
  } catch (e) {
    throw new PlanProblem(asset.href, (e as Error).message);
  }
  const refusal = access && checkAssetAccess(asset.href, readTarget(asset.href, gdalPath), access);
  if (refusal) throw new PlanProblem(asset.href, `refused by the asset access policy (${refusal.rule}): ${refusal.message}`, refusal.rule);
  const srcNodata = asset.nodata ?? o.defaultNodata;
  return {
    band,
    href: asset.href,
    gdalPath,
    srcNodata,
    dstNodata: o.dstNodata,
    resampling: o.resampling,
    outputType: o.outputType,
    ...(item.epsg !== undefined ? { expectedEpsg: item.epsg } : {}),
    expectedBandCount: 1,
    ...(asset.scale !== undefined ? { scale: asset.scale } : {}),
    ...(asset.offset !== undefined ? { offset: asset.offset } : {}),
    warpArgs: warpArgs(grid, { resampling: o.resampling, srcNodata, dstNodata: o.dstNodata, outputType: o.outputType, tps: o.tps }),
  };
}

function modalityPlan(modality: Modality, items: SceneItem[], grid: TargetGrid, cfg: TileConfig, baseDir: string | undefined, access: PlanAccess | undefined): ModalityPlan {
  const out = MODALITY_OUTPUT[modality];
  const bands = modality === 's2_l2a' ? cfg.bands.s2L2a : modality === 's2_l1c' ? l1cBands(cfg) : cfg.bands.s1;
  const isS2 = modality !== 's1';
  const scenes: ScenePlan[] = items.map((item) => {
    const sources = bands.map((band) =>
      bandSource(
        grid,
        item,
        band,
        {
          resampling: isS2 ? (cfg.resampling.bands[band] ?? cfg.resampling.s2) : cfg.resampling.s1,
          defaultNodata: isS2 ? cfg.sourceNodata.s2 : cfg.sourceNodata.s1,
          dstNodata: out.nodata,
          outputType: out.outputType,
          tps: cfg.gcpTransformer === 'tps',
        },
        baseDir,
        access?.[modality],
      ),
    );
    return {
      itemId: item.id,
      datetime: item.datetime,
      ...(item.processingBaseline !== undefined ? { processingBaseline: item.processingBaseline } : {}),
      harmonizeDn: isS2 ? harmonizeDnFor(item, findAsset(item, bands[0]), cfg.harmonizeOffset) : 0,
      bands: sources,
    };
  });
  return { modality, dtype: out.dtype, nodata: out.nodata, bands: [...bands], db: modality === 's1' && cfg.s1Db, scenes };
}

function layerPlan(items: SceneItem[], band: string, grid: TargetGrid, resampling: Resampling, nodata: number, baseDir: string | undefined, access: AssetAccess | undefined): LayerPlan {
  return {
    scenes: items.map((item) => ({
      itemId: item.id,
      datetime: item.datetime,
      source: bandSource(grid, item, band, { resampling, defaultNodata: nodata, dstNodata: 0, outputType: 'Byte', tps: false }, baseDir, access),
    })),
  };
}

/** Land-cover asset key: `map` (WorldCover), else the item's only asset. */
function landcoverBand(item: SceneItem): string {
  if (findAsset(item, 'map')) return 'map';
  const keys = Object.keys(item.assets);
  return keys.length === 1 ? keys[0] : 'map';
}

/** Builds the plan for every cell: pure, deterministic, sorted by tile id. */
export function planTiles(inputs: TileSourceInput[], cfg: TileConfig, opts: PlanOptions = {}): TilePlan {
  const seen = new Set<string>();
  const tiles: TileJob[] = [];
  for (const input of inputs) {
    const { cell } = input;
    const tileId = cell.id;
    if (seen.has(tileId)) throw new StageError('tile', `cell ${tileId} appears twice in the scenes input; expected each cell once`);
    seen.add(tileId);
    // The grid as the cell states it; replaced by the checked one below (kept for the failure row).
    const stated: TargetGrid = {
      epsg: cell.epsg,
      srs: `EPSG:${cell.epsg}`,
      resolution: cell.resolution,
      width: cell.sizePx,
      height: cell.sizePx,
      extent: cell.extent,
      geotransform: [cell.extent[0], cell.resolution, 0, cell.extent[3], 0, -cell.resolution],
    };
    const job: TileJob = {
      tileId,
      cellId: cell.id,
      grid: stated,
      footprint: [],
      sampleWeight: input.sampleWeight ?? opts.sampleWeights?.get(cell.id) ?? 1,
      modalities: {},
      scl: null,
      landcover: null,
      cloudClasses: [...cfg.cloudClasses],
      maxNodataFraction: cfg.maxNodataFraction,
    };
    tiles.push(job);
    try {
      job.grid = targetGrid(cell);
      job.footprint = extentRing({ epsg: cell.epsg, extent: job.grid.extent }, 4);
    } catch (e) {
      job.planError = { href: '', message: (e as Error).message };
      continue;
    }
    try {
      for (const m of MODALITIES) {
        const items = input.scenes[m];
        if (items && items.length > 0) {
          job.modalities[m] = modalityPlan(m, items, job.grid, cfg, opts.baseDir, opts.access);
          if (opts.hrefRoots?.[m] !== undefined) job.modalities[m]!.hrefRoot = opts.hrefRoots[m];
        }
      }
      const l2a = input.scenes.s2_l2a ?? [];
      const withScl = l2a.filter((it) => findAsset(it, 'SCL'));
      if (withScl.length > 0) job.scl = layerPlan(withScl, 'SCL', job.grid, cfg.resampling.scl, 0, opts.baseDir, opts.access?.s2_l2a);
      const lc = input.scenes.landcover ?? [];
      if (lc.length > 0) {
        job.landcover = {
          scenes: lc.map((item) => layerPlan([item], landcoverBand(item), job.grid, cfg.resampling.landcover, cfg.sourceNodata.landcover, opts.baseDir, opts.access?.landcover).scenes[0]),
        };
      }
      if (Object.keys(job.modalities).length === 0) {
        throw new PlanProblem('', `cell ${cell.id} has no scenes for any modality; expected at least one of ${MODALITIES.join(', ')}`);
      }
    } catch (e) {
      if (!(e instanceof PlanProblem)) throw e;
      job.modalities = {};
      job.scl = null;
      job.landcover = null;
      job.planError = { href: e.href, message: e.message, ...(e.rule ? { rule: e.rule } : {}) };
    }
  }
  tiles.sort((a, b) => (a.tileId < b.tileId ? -1 : a.tileId > b.tileId ? 1 : 0));
  return { tiles };
}
