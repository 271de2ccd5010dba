// Executes a tile plan: warps every band through a BandReader (GDAL by default) under one p-limit
// bound, mosaics scenes first-valid-wins, applies radiometry, computes masks and statistics, and
// streams TileRecords (or failure rows) in plan order (sorted by tile id). At most `concurrency + 1`
// tiles are in progress at any moment, so memory does not grow with the number of tiles.
import pLimit, { type LimitFunction } from 'p-limit';
import type { Modality, ModalityTensor, TileRecord, TypedPixels } from '../model/types.js';
import { StageError, UsageError, errorMessage } from '../errors.js';
import { redactText, stripCredentials } from '../redact.js';
import { readableGdalPath, type HrefSigner } from '../net/links.js';
import type { TileConfig } from '../config/sections/tile.js';
import type { BandSource, LayerPlan, ModalityPlan, TileJob, TilePlan } from './plan.js';
import { type TileFailure, TileStepError } from './failure.js';
import { gdalBandReader, type BandReader } from './warp.js';
import { recordedHref } from './recorded-href.js';
import { configureGdal } from './gdal-env.js';
import { cloudFraction, countNodata, fillNodata, harmonizeOffset, nodataFractionAllBands, toDb } from './radiometry.js';
import { classHistogram } from '../landcover/worldcover.js';

export interface RunTilesOptions {
  config: TileConfig;
  /** Pixel source; default GDAL. */
  reader?: BandReader;
  /** Href patcher (link-access.ts) run on each band's href just before its read, e.g. PC SAS signing. */
  sign?: HrefSigner;
  /** Overrides `config.concurrency`. gdal-async runs on libuv's thread pool (4 threads unless
   *  UV_THREADPOOL_SIZE is set before start), so values above 4 need that variable too. */
  concurrency?: number;
  /** `tileAll` only: stop at the first failed tile (StageError) instead of recording it and going on. */
  failFast?: boolean;
}

export interface TileRunSummary {
  ok: number;
  failed: number;
  skipped: number;
  /** Failure and skip rows, in tile order. */
  failures: TileFailure[];
}

interface Ctx {
  reader: BandReader;
  limit: LimitFunction;
}

/** One band mosaicked over scenes in order; stops reading scenes once no nodata is left. */
async function mosaicBand(
  job: TileJob,
  ctx: Ctx,
  scenes: { source: BandSource; harmonizeDn: number }[],
  nodata: number,
): Promise<{ data: TypedPixels; used: number[] }> {
  let acc: TypedPixels | null = null;
  const used: number[] = [];
  for (let i = 0; i < scenes.length; i++) {
    const { source, harmonizeDn } = scenes[i];
    const a = await ctx.limit(() => ctx.reader.read(source, job.grid));
    // Harmonise per scene before mosaicking: scenes of one cell may have different baselines.
    if (harmonizeDn !== 0) harmonizeOffset(a as Uint16Array, harmonizeDn, nodata);
    if (acc === null) {
      acc = a;
      used.push(i);
      if (countNodata(acc, nodata) === 0) break;
    } else {
      const r = fillNodata(acc, a, nodata);
      if (r.filled > 0) used.push(i);
      if (r.remaining === 0) break;
    }
  }
  if (acc === null) throw new StageError('tile', `tile ${job.tileId}: no scene to mosaic`);
  return { data: acc, used };
}

function allocate(dtype: ModalityTensor['dtype'], n: number): TypedPixels {
  switch (dtype) {
    case 'uint16':
      return new Uint16Array(n);
    case 'int16':
      return new Int16Array(n);
    case 'float32':
      return new Float32Array(n);
    case 'uint8':
      return new Uint8Array(n);
  }
}

async function buildModality(job: TileJob, ctx: Ctx, mp: ModalityPlan): Promise<ModalityTensor> {
  const pixels = job.grid.width * job.grid.height;
  const perBand = await settleInOrder(
    mp.bands.map((_, b) =>
      mosaicBand(
        job,
        ctx,
        mp.scenes.map((s) => ({ source: s.bands[b], harmonizeDn: s.harmonizeDn })),
        mp.nodata,
      ),
    ),
  );
  const data = allocate(mp.dtype, mp.bands.length * pixels);
  const usedScenes = new Set<number>();
  perBand.forEach((r, b) => {
    data.set(r.data, b * pixels);
    r.used.forEach((i) => usedScenes.add(i));
  });
  if (mp.db) toDb(data as Float32Array);
  const order = [...usedScenes].sort((a, b) => a - b);
  const hrefs: string[] = [];
  for (const i of order) for (let b = 0; b < mp.bands.length; b++) if (perBand[b].used.includes(i)) hrefs.push(recordedHref(mp.scenes[i].bands[b].href, mp.hrefRoot));
  const first = mp.scenes[order[0] ?? 0];
  return {
    dtype: mp.dtype,
    bands: [...mp.bands],
    shape: [mp.bands.length, job.grid.height, job.grid.width],
    data,
    nodata: mp.nodata,
    datetime: first.datetime,
    itemIds: order.map((i) => mp.scenes[i].itemId),
    hrefs,
    nodataFraction: nodataFractionAllBands(data, mp.bands.length, pixels, mp.nodata),
  };
}

async function buildLayer(job: TileJob, ctx: Ctx, lp: LayerPlan): Promise<Uint8Array> {
  const r = await mosaicBand(job, ctx, lp.scenes.map((s) => ({ source: s.source, harmonizeDn: 0 })), 0);
  return r.data as Uint8Array;
}

/** Waits for every promise (so no work of a failed tile keeps running into the next one), then
 *  rethrows the first rejection in list order, which keeps failure reports deterministic. */
async function settleInOrder<T>(ps: Promise<T>[]): Promise<T[]> {
  const rs = await Promise.allSettled(ps);
  for (const r of rs) if (r.status === 'rejected') throw r.reason;
  return rs.map((r) => (r as PromiseFulfilledResult<T>).value);
}

function failureRow(job: TileJob, kind: TileFailure['kind'], stage: TileFailure['stage'], href: string, error: string, rule?: TileFailure['rule']): TileFailure {
  // GDAL's messages quote the readable (signed) path: rows only ever hold the redacted text.
  return { kind, tileId: job.tileId, cellId: job.cellId, href: stripCredentials(href), stage, error: redactText(error), ...(rule ? { rule } : {}) };
}

/** Produces one tile (never rejects: errors become failure rows). */
export async function processTile(job: TileJob, ctx: Ctx): Promise<TileRecord | TileFailure> {
  if (job.planError) return failureRow(job, 'failure', 'plan', job.planError.href, job.planError.message, job.planError.rule);
  try {
    const mods = Object.keys(job.modalities) as Modality[];
    const [mr, sr, lr] = await Promise.allSettled([
      settleInOrder(mods.map((m) => buildModality(job, ctx, job.modalities[m]!))),
      job.scl ? buildLayer(job, ctx, job.scl) : Promise.resolve(null),
      job.landcover ? buildLayer(job, ctx, job.landcover) : Promise.resolve(null),
    ]);
    // Report the first failure in a fixed order (modalities, SCL, land cover): deterministic tables.
    for (const r of [mr, sr, lr]) if (r.status === 'rejected') throw r.reason;
    const tensors = (mr as PromiseFulfilledResult<ModalityTensor[]>).value;
    const scl = (sr as PromiseFulfilledResult<Uint8Array | null>).value;
    const landcover = (lr as PromiseFulfilledResult<Uint8Array | null>).value;
    const modalities: TileRecord['modalities'] = {};
    mods.forEach((m, i) => (modalities[m] = tensors[i]));
    const pixels = job.grid.width * job.grid.height;
    const lc = landcover ?? new Uint8Array(pixels);
    // A tile is dropped only when no modality is usable: one empty modality (an S1 swath edge)
    // does not throw away good S2 pixels; each tensor's nodataFraction lets later stages decide.
    if (mods.every((m) => modalities[m]!.nodataFraction > job.maxNodataFraction)) {
      const fractions = mods.map((m) => `${m} ${modalities[m]!.nodataFraction.toFixed(3)}`).join(', ');
      return failureRow(job, 'skipped', 'filter', '', `nodata fraction above max_nodata_fraction ${job.maxNodataFraction} in every modality (${fractions})`);
    }
    return {
      tileId: job.tileId,
      cellId: job.cellId,
      epsg: job.grid.epsg,
      geotransform: [...job.grid.geotransform],
      width: job.grid.width,
      height: job.grid.height,
      modalities,
      landcover: lc,
      classHistogram: classHistogram(lc),
      cloudFraction: scl ? cloudFraction(scl, job.cloudClasses) : null,
      sampleWeight: job.sampleWeight,
      footprint: job.footprint.map(([x, y]) => [x, y] as [number, number]),
    };
  } catch (e) {
    if (e instanceof TileStepError) return failureRow(job, 'failure', e.stage, e.href, e.detail);
    return failureRow(job, 'failure', 'warp', '', errorMessage(e));
  }
}

/** Reads through the hrefs' readable form (credentials from memory, then the patcher), made just
 *  before each read: plans, records and failure rows only ever hold the stored href. */
function readableReader(base: BandReader, sign: HrefSigner | undefined): BandReader {
  return { read: async (band, grid) => base.read({ ...band, gdalPath: await readableGdalPath(band.gdalPath, sign) }, grid) };
}

/** Streams the plan's tiles in plan order (sorted by tile id): TileRecords and failure/skip rows. */
export async function* runTiles(plan: TilePlan, opts: RunTilesOptions): AsyncGenerator<TileRecord | TileFailure> {
  const concurrency = opts.concurrency ?? opts.config.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new UsageError(`tile concurrency ${concurrency} is not valid; expected an integer >= 1`);
  }
  const reader = opts.reader ?? gdalBandReader;
  if (reader === gdalBandReader) configureGdal(opts.config);
  const ctx: Ctx = { reader: readableReader(reader, opts.sign), limit: pLimit(concurrency) };
  // Tiles started ahead of the one being consumed: enough to keep every warp slot busy, no more.
  const window = concurrency + 1;
  const pending: Promise<TileRecord | TileFailure>[] = [];
  let next = 0;
  const startNext = () => {
    if (next < plan.tiles.length) pending.push(processTile(plan.tiles[next++], ctx));
  };
  while (pending.length < window && next < plan.tiles.length) startNext();
  while (pending.length > 0) {
    const result = await pending.shift()!;
    startNext();
    yield result;
  }
}

/** Runs the whole plan, handing each record to `onRecord` (awaited: back-pressure for the writer),
 *  and returns the counts and the failures table for the run summary. */
export async function tileAll(
  plan: TilePlan,
  opts: RunTilesOptions,
  onRecord: (r: TileRecord) => void | Promise<void> = () => {},
): Promise<TileRunSummary> {
  const summary: TileRunSummary = { ok: 0, failed: 0, skipped: 0, failures: [] };
  for await (const r of runTiles(plan, opts)) {
    if ('stage' in r) {
      summary.failures.push(r);
      if (r.kind === 'skipped') summary.skipped++;
      else {
        summary.failed++;
        if (opts.failFast) throw new StageError('tile', `tile ${r.tileId} failed at ${r.stage}${r.href ? ` (${r.href})` : ''}: ${r.error}; stopping (fail-fast)`);
      }
    } else {
      summary.ok++;
      await onRecord(r);
    }
  }
  return summary;
}
