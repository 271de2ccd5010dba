// Renders a demo-world plan into a folder: COGs + STAC JSON + a stamp. Rendering (pure, render.ts)
// runs on the JS thread while GDAL compresses earlier rasters on libuv threads (writeCog is async),
// so the two cores of a small machine are both busy.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import gdal from 'gdal-async';
import { ringBBox, utmRingToLonLat } from './geo.js';
import { writeCog, writePngPreview, type CogRequest } from './cog.js';
import { planWorld, placeGrid, type PixelGrid, type PlanOptions, type S1ItemPlan, type S2ItemPlan, type WorldCoverItemPlan, type WorldPlan } from './plan.js';
import {
  averageToGrid,
  encodeDn,
  previewRgb,
  renderCirrusBand,
  renderPlace,
  renderSurfaceBand,
  renderSar,
  renderScl,
  renderSceneFields,
  renderWorldCover,
  S1_NODATA,
  sclStats,
  swathMask,
  toTopOfAtmosphere,
  type PlaceRaster,
  type SclStats,
} from './render.js';
import { B10_INDEX, S2_BANDS } from './spectra.js';
import { catalogJson, collectionJson, s1ItemJson, s2ItemJson, worldcoverItemJson, type Json } from './stac.js';
import { baselineHasOffset, DEMO_COLLECTIONS, DEMO_GENERATOR_VERSION, DEMO_LAYOUT, DEMO_SEED, type DemoPlace } from './world.js';

export const STAMP_FILE = 'demo-world.stamp.json';

/** What the stamp file records; ensureDemoWorld compares it to decide whether a folder is current. */
export interface DemoStamp {
  generatorVersion: string;
  seed: number;
  gdalVersion: string;
  options: { places: string[] | null; maxScenesPerPlace: number | null };
  collections: Record<string, number>;
  itemCount: number;
  assetCount: number;
}

export interface GenerateOptions extends PlanOptions {
  /** Called with one line per finished place/scene. */
  onProgress?: (line: string) => void;
}

/** Lon/lat bounding box of a place's UTM coverage square. */
export function coverageLonLat(place: DemoPlace): [number, number, number, number] {
  const h = DEMO_LAYOUT.coverageHalfM;
  const [cx, cy] = place.centreUtm;
  const ring = utmRingToLonLat(
    place.epsg,
    [
      [cx - h, cy - h],
      [cx + h, cy - h],
      [cx + h, cy + h],
      [cx - h, cy + h],
    ],
    8,
  );
  return ringBBox(ring);
}

export function planDemoWorld(opts: PlanOptions = {}): WorldPlan {
  return planWorld(coverageLonLat, opts);
}

/** Bounded queue of in-flight raster writes (each holds its pixel buffer until GDAL is done). */
class WriteQueue {
  private pending = new Set<Promise<void>>();
  private firstError: unknown;
  constructor(private readonly limit: number) {}
  async add(task: () => Promise<void>): Promise<void> {
    while (this.pending.size >= this.limit) await Promise.race(this.pending);
    if (this.firstError) throw this.firstError;
    const p: Promise<void> = task()
      .catch((e) => {
        this.firstError ??= e;
      })
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }
  async drain(): Promise<void> {
    await Promise.all(this.pending);
    if (this.firstError) throw this.firstError;
  }
}

async function writeJson(path: string, obj: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(obj, null, 2)}\n`);
}

/** What the per-sensor writers share while one world is generated. */
interface WriteContext {
  outDir: string;
  queue: WriteQueue;
  addItem: (dir: string, id: string, collection: string, json: Json) => Promise<void>;
  log: (line: string) => void;
}

function cog(ctx: WriteContext, req: CogRequest): Promise<void> {
  return ctx.queue.add(() => writeCog(req));
}

/** All L1C and L2A items (both tiles) of one S2 datatake over a place. */
async function writeS2Datatake(ctx: WriteContext, pr: PlaceRaster, sceneIndex: number, items: S2ItemPlan[]): Promise<void> {
  const { place, grid } = pr;
  const scene = place.s2[sceneIndex];
  const sf = renderSceneFields(pr, scene, sceneIndex);
  const addOffset = baselineHasOffset(scene.baseline);
  const buf = new Float32Array(grid.width * grid.height);
  const masks = new Map<string, Uint8Array>();
  const maskFor = (item: S2ItemPlan, g: PixelGrid) => {
    const k = `${item.tile.side}/${g.res}`;
    let m = masks.get(k);
    if (!m) masks.set(k, (m = swathMask(place, scene.swathEdge, g)));
    return m;
  };
  const previews = new Map<string, Float32Array[]>();
  for (let b = 0; b < S2_BANDS.length; b++) {
    const name = S2_BANDS[b].name;
    // Surface reflectance once per band; L1C is an affine function of it (except B10, L1C only).
    if (b === B10_INDEX) renderCirrusBand(sf, buf);
    else renderSurfaceBand(pr, sf, b, buf);
    for (const item of items) {
      const asset = item.assets.find((a) => a.band?.name === name);
      if (!asset) continue;
      const native = averageToGrid(buf, grid, asset.grid);
      const values = item.level === 'L1C' && b !== B10_INDEX ? toTopOfAtmosphere(native, sf, b) : native;
      const dn = encodeDn(values, asset.grid, maskFor(item, asset.grid), sf.key, b, item.level, addOffset);
      await cog(ctx, { path: join(ctx.outDir, item.dir, asset.file), grid: asset.grid, dataType: 'uint16', nodata: 0, resampling: 'AVERAGE', data: dn });
      const thumb = item.assets.find((a) => a.kind === 'thumbnail');
      const rgbIndex = ['B04', 'B03', 'B02'].indexOf(name);
      if (thumb && rgbIndex >= 0) {
        const list = previews.get(item.id) ?? [];
        list[rgbIndex] = averageToGrid(buf, grid, thumb.grid);
        previews.set(item.id, list);
      }
    }
  }
  // SCL per tile; its statistics feed both the L2A and the L1C item of that tile.
  const statsByTile = new Map<string, SclStats>();
  for (const item of items.filter((i) => i.level === 'L2A')) {
    const sclAsset = item.assets.find((a) => a.kind === 'scl')!;
    const scl = renderScl(pr, sf, sclAsset.grid, maskFor(item, sclAsset.grid));
    statsByTile.set(item.tile.side, sclStats(scl));
    await cog(ctx, { path: join(ctx.outDir, item.dir, sclAsset.file), grid: sclAsset.grid, dataType: 'uint8', nodata: 0, resampling: 'NEAREST', data: scl });
    const thumb = item.assets.find((a) => a.kind === 'thumbnail')!;
    const [r, g, bl] = previews.get(item.id)!;
    const rgb = previewRgb(r, g, bl, maskFor(item, thumb.grid));
    await ctx.queue.add(() => writePngPreview(join(ctx.outDir, item.dir, thumb.file), thumb.grid, rgb));
  }
  for (const item of items) await ctx.addItem(item.dir, item.id, item.collection, s2ItemJson(item, statsByTile.get(item.tile.side)!));
  ctx.log(`${place.id} S2 ${scene.datetime.slice(0, 10)}: ${items.length} items`);
}

async function writeS1Item(ctx: WriteContext, pr: PlaceRaster, item: S1ItemPlan): Promise<void> {
  for (const asset of item.assets) {
    const data = renderSar(pr, item.scene, item.sceneIndex, asset.polarization!);
    await cog(ctx, { path: join(ctx.outDir, item.dir, asset.file), grid: asset.grid, dataType: 'float32', nodata: S1_NODATA, resampling: 'AVERAGE', data });
  }
  await ctx.addItem(item.dir, item.id, item.collection, s1ItemJson(item));
  ctx.log(`${pr.place.id} S1 ${item.scene.datetime.slice(0, 10)} ${item.scene.orbitState}`);
}

async function writeWorldCoverItem(ctx: WriteContext, item: WorldCoverItemPlan): Promise<void> {
  const map = item.assets[0];
  await cog(ctx, { path: join(ctx.outDir, item.dir, map.file), grid: map.grid, dataType: 'uint8', nodata: 0, resampling: 'NEAREST', data: renderWorldCover(item.place, map.grid) });
  await ctx.addItem(item.dir, item.id, item.collection, worldcoverItemJson(item));
  ctx.log(`${item.place.id} WorldCover ${map.grid.width} x ${map.grid.height}`);
}

/** Generate the demo world (or the subset `opts` selects) into `outDir`, which must be empty or absent. */
export async function generateWorld(outDir: string, opts: GenerateOptions = {}): Promise<DemoStamp> {
  const plan = planDemoWorld(opts);
  const queue = new WriteQueue(6);
  const itemsByCollection = new Map<string, Json[]>();
  const ctx: WriteContext = {
    outDir,
    queue,
    log: opts.onProgress ?? (() => {}),
    addItem: async (dir, id, collection, json) => {
      await writeJson(join(outDir, dir, `${id}.json`), json);
      const list = itemsByCollection.get(collection) ?? [];
      list.push(json);
      itemsByCollection.set(collection, list);
    },
  };
  await mkdir(outDir, { recursive: true });
  for (const item of plan.items) await mkdir(join(outDir, item.dir), { recursive: true });

  for (const place of plan.places) {
    const pr = renderPlace(place, placeGrid(place));
    const mine = plan.items.filter((i) => i.place === place);
    const s2 = mine.filter((i): i is S2ItemPlan => i.kind === 's2');
    for (const si of [...new Set(s2.map((i) => i.sceneIndex))]) await writeS2Datatake(ctx, pr, si, s2.filter((i) => i.sceneIndex === si));
    for (const item of mine) if (item.kind === 's1') await writeS1Item(ctx, pr, item);
    for (const item of mine) if (item.kind === 'worldcover') await writeWorldCoverItem(ctx, item);
  }
  await queue.drain();

  // Collections in a fixed order, items sorted by id, so the JSON does not depend on render order.
  const order = [DEMO_COLLECTIONS.s2_l2a, DEMO_COLLECTIONS.s2_l1c, DEMO_COLLECTIONS.s1, DEMO_COLLECTIONS.landcover];
  const present = order.filter((c) => itemsByCollection.has(c));
  for (const c of present) {
    // Plain code-unit order (not localeCompare, which depends on the ICU locale).
    const items = itemsByCollection.get(c)!.sort((a, b) => (String(a.id) < String(b.id) ? -1 : 1));
    await mkdir(join(outDir, c), { recursive: true });
    await writeJson(join(outDir, c, 'collection.json'), collectionJson(c, items));
  }
  await writeJson(join(outDir, 'catalog.json'), catalogJson(present));
  const stamp: DemoStamp = {
    generatorVersion: DEMO_GENERATOR_VERSION,
    seed: DEMO_SEED,
    gdalVersion: gdal.version,
    options: { places: opts.places ? [...opts.places] : null, maxScenesPerPlace: opts.maxScenesPerPlace ?? null },
    collections: Object.fromEntries(present.map((c) => [c, itemsByCollection.get(c)!.length])),
    itemCount: plan.items.length,
    assetCount: plan.items.reduce((n, i) => n + i.assets.length, 0),
  };
  // The stamp is written last: a folder without it is incomplete by definition.
  await writeJson(join(outDir, STAMP_FILE), stamp);
  return stamp;
}
