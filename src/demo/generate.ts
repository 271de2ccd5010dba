// Renders a demo-world plan into a folder: COGs + STAC JSON + a stamp. Rendering (pure, render.ts)
// runs on the JS thread while GDAL compresses earlier rasters on libuv threads (writeCog is async),
// so the two cores of a small machine are both busy.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import gdal from 'gdal-async';
import { ringBBox, utmRingToLonLat } from './geo.js';
import { writeCog, writePngPreview, type CogRequest } from './cog.js';
import { planWorld, placeGrid, type PlanOptions, type S1ItemPlan, type S2ItemPlan, type WorldCoverItemPlan, type WorldPlan } from './plan.js';
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
  sclStats,
  swathMask,
  toTopOfAtmosphere,
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

/** Generate the demo world (or the subset `opts` selects) into `outDir`, which must be empty or absent. */
export async function generateWorld(outDir: string, opts: GenerateOptions = {}): Promise<DemoStamp> {
  const plan = planDemoWorld(opts);
  const log = opts.onProgress ?? (() => {});
  const queue = new WriteQueue(6);
  const cog = (req: CogRequest) => queue.add(() => writeCog(req));
  const itemsByCollection = new Map<string, Json[]>();
  const addItem = async (dir: string, id: string, collection: string, json: Json) => {
    await writeJson(join(outDir, dir, `${id}.json`), json);
    const list = itemsByCollection.get(collection) ?? [];
    list.push(json);
    itemsByCollection.set(collection, list);
  };
  await mkdir(outDir, { recursive: true });
  for (const item of plan.items) await mkdir(join(outDir, item.dir), { recursive: true });

  for (const place of plan.places) {
    const grid = placeGrid(place);
    const pr = renderPlace(place, grid);
    const s2Items = plan.items.filter((i): i is S2ItemPlan => i.kind === 's2' && i.place === place);
    const sceneIndexes = [...new Set(s2Items.map((i) => i.sceneIndex))];
    for (const si of sceneIndexes) {
      const scene = place.s2[si];
      const items = s2Items.filter((i) => i.sceneIndex === si);
      const sf = renderSceneFields(pr, scene, si);
      const addOffset = baselineHasOffset(scene.baseline);
      const buf = new Float32Array(grid.width * grid.height);
      const masks = new Map<string, Uint8Array>();
      const maskFor = (item: S2ItemPlan, res: number, g: Parameters<typeof swathMask>[2]) => {
        const k = `${item.tile.side}/${res}`;
        let m = masks.get(k);
        if (!m) masks.set(k, (m = swathMask(place, scene, g)));
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
          const valid = maskFor(item, asset.grid.res, asset.grid);
          const dn = encodeDn(values, asset.grid, valid, sf.key, b, item.level, addOffset);
          await cog({ path: join(outDir, item.dir, asset.file), grid: asset.grid, dataType: 'uint16', nodata: 0, resampling: 'AVERAGE', data: dn });
          const thumb = item.assets.find((a) => a.kind === 'thumbnail');
          const rgbIndex = ['B04', 'B03', 'B02'].indexOf(name);
          if (thumb && rgbIndex >= 0) {
            const list = previews.get(item.id) ?? [];
            list[rgbIndex] = averageToGrid(buf, grid, thumb.grid);
            previews.set(item.id, list);
          }
        }
      }
      // SCL per tile, its statistics feed both the L2A and the L1C item of that tile.
      const statsByTile = new Map<string, SclStats>();
      for (const item of items.filter((i) => i.level === 'L2A')) {
        const sclAsset = item.assets.find((a) => a.kind === 'scl')!;
        const scl = renderScl(pr, sf, sclAsset.grid, maskFor(item, 20, sclAsset.grid));
        statsByTile.set(item.tile.side, sclStats(scl));
        await cog({ path: join(outDir, item.dir, sclAsset.file), grid: sclAsset.grid, dataType: 'uint8', nodata: 0, resampling: 'NEAREST', data: scl });
        const thumb = item.assets.find((a) => a.kind === 'thumbnail')!;
        const [r, g, bl] = previews.get(item.id)!;
        const rgb = previewRgb(r, g, bl, maskFor(item, thumb.grid.res, thumb.grid));
        await queue.add(() => writePngPreview(join(outDir, item.dir, thumb.file), thumb.grid, rgb));
      }
      for (const item of items) await addItem(item.dir, item.id, item.collection, s2ItemJson(item, statsByTile.get(item.tile.side)!));
      log(`${place.id} S2 ${scene.datetime.slice(0, 10)}: ${items.length} items`);
    }
    for (const item of plan.items.filter((i): i is S1ItemPlan => i.kind === 's1' && i.place === place)) {
      for (const asset of item.assets) {
        const data = renderSar(pr, item.scene, item.sceneIndex, asset.polarization!);
        await cog({ path: join(outDir, item.dir, asset.file), grid: asset.grid, dataType: 'float32', nodata: -32768, resampling: 'AVERAGE', data });
      }
      await addItem(item.dir, item.id, item.collection, s1ItemJson(item));
      log(`${place.id} S1 ${item.scene.datetime.slice(0, 10)} ${item.scene.orbitState}`);
    }
    for (const item of plan.items.filter((i): i is WorldCoverItemPlan => i.kind === 'worldcover' && i.place === place)) {
      const map = item.assets[0];
      await cog({ path: join(outDir, item.dir, map.file), grid: map.grid, dataType: 'uint8', nodata: 0, resampling: 'NEAREST', data: renderWorldCover(place, map.grid) });
      await addItem(item.dir, item.id, item.collection, worldcoverItemJson(item));
      log(`${place.id} WorldCover ${map.grid.width} x ${map.grid.height}`);
    }
  }
  await queue.drain();

  // Collections in a fixed order, items sorted by id, so the JSON does not depend on render order.
  const order = [DEMO_COLLECTIONS.s2_l2a, DEMO_COLLECTIONS.s2_l1c, DEMO_COLLECTIONS.s1, DEMO_COLLECTIONS.landcover];
  const present = order.filter((c) => itemsByCollection.has(c));
  for (const c of present) {
    const items = itemsByCollection.get(c)!.sort((a, b) => String(a.id).localeCompare(String(b.id)));
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
