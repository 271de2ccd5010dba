// Parses a raw STAC item (JSON) into the pipeline's SceneItem, once, at the boundary.

import path from 'node:path';
import type { AssetRef, BBox, SceneItem } from '../../model/types.js';
import { StacError } from '../../errors.js';
import { storedHref } from '../../net/links.js';
import { resolveBandAssets } from './band-assets.js';
import { toShapes } from './geometry.js';
import { deriveSceneKeys } from './scene-keys.js';

export interface ParseContext {
  /** URL or file path of the item document itself (static catalogs). */
  itemHref?: string;
  /** URL of the search page the item came in; relative hrefs fall back to it when the item has no self link. */
  pageHref?: string;
  /** Collection to assume when the item does not name one (static catalogs). */
  collection?: string;
  bandAssets?: Record<string, string>;
  /** Where the item came from, for error messages. */
  where?: string;
}

type Raw = Record<string, unknown>;

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** Resolves a possibly relative href against a URL or a local file path. */
export function resolveHref(href: string, base: string | undefined): string {
  if (SCHEME.test(href) || path.isAbsolute(href) || !base) return href;
  if (SCHEME.test(base) && !/^file:/i.test(base)) return new URL(href, base).href;
  const basePath = /^file:/i.test(base) ? new URL(base).pathname : base;
  return path.resolve(path.dirname(basePath), href);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function epsgOf(p: Raw): number | undefined {
  const e = num(p['proj:epsg']);
  if (e !== undefined) return e;
  const code = p['proj:code'];
  const m = typeof code === 'string' ? /^EPSG:(\d+)$/i.exec(code) : null;
  return m ? Number(m[1]) : undefined;
}

function normaliseDatetime(p: Raw, id: string, where: string): string {
  const v = p.datetime ?? p.start_datetime;
  const t = typeof v === 'string' ? Date.parse(v.replace(' ', 'T')) : NaN;
  if (Number.isNaN(t)) {
    throw new StacError(`${where}: item ${id} has no valid datetime (nor start_datetime); got ${JSON.stringify(v)}`);
  }
  return new Date(t).toISOString();
}

function assetRef(asset: Raw, base: string | undefined): AssetRef {
  // Stored without credentials (a SAS query, a presigned signature): they stay in memory for reads.
  const ref: AssetRef = { href: storedHref(resolveHref(String(asset.href), base)) };
  const rb = Array.isArray(asset['raster:bands']) ? (asset['raster:bands'][0] as Raw | undefined) : undefined;
  const nodata = num(rb?.nodata) ?? num(asset.nodata);
  if (nodata !== undefined) ref.nodata = nodata;
  const scale = num(rb?.scale);
  if (scale !== undefined) ref.scale = scale;
  const offset = num(rb?.offset);
  if (offset !== undefined) ref.offset = offset;
  const gsd = num(asset.gsd) ?? num(rb?.spatial_resolution);
  if (gsd !== undefined) ref.gsd = gsd;
  return ref;
}

export function parseItem(raw: unknown, ctx: ParseContext = {}): SceneItem {
  const where = ctx.where ?? ctx.itemHref ?? ctx.pageHref ?? 'STAC item';
  if (raw === null || typeof raw !== 'object' || (raw as Raw).type !== 'Feature') {
    throw new StacError(`${where}: expected a STAC Item (GeoJSON Feature), got ${JSON.stringify(raw)?.slice(0, 80)}`);
  }
  const r = raw as Raw;
  const id = r.id;
  if (typeof id !== 'string' || id === '') throw new StacError(`${where}: STAC item without a string "id"`);
  const props = (r.properties ?? {}) as Raw;
  if (typeof props !== 'object') throw new StacError(`${where}: item ${id} has no "properties" object`);
  const collection = typeof r.collection === 'string' ? r.collection : ctx.collection;
  if (!collection) throw new StacError(`${where}: item ${id} names no collection`);

  let bbox: BBox;
  if (Array.isArray(r.bbox) && (r.bbox.length === 4 || r.bbox.length === 6)) {
    const b = r.bbox as number[];
    bbox = (b.length === 6 ? [b[0], b[1], b[3], b[4]] : [b[0], b[1], b[2], b[3]]) as BBox;
  } else if (r.geometry) {
    bbox = toShapes(r.geometry, `${where}: item ${id} geometry`).bbox;
  } else {
    throw new StacError(`${where}: item ${id} has neither "bbox" nor "geometry"`);
  }

  const links = Array.isArray(r.links) ? (r.links as Raw[]) : [];
  const self = links.find((l) => l?.rel === 'self' && typeof l.href === 'string')?.href as string | undefined;
  const selfHref = self ? resolveHref(self, ctx.itemHref ?? ctx.pageHref) : ctx.itemHref;
  // Relative asset hrefs are relative to the item document itself.
  const base = selfHref ?? ctx.pageHref;

  const rawAssets = (r.assets ?? {}) as Record<string, Raw>;
  const mapping = resolveBandAssets(Object.keys(rawAssets), ctx.bandAssets);
  const assets: Record<string, AssetRef> = {};
  for (const [name, key] of Object.entries(mapping)) {
    const a = rawAssets[key]!;
    if (typeof a?.href !== 'string') throw new StacError(`${where}: item ${id} asset "${key}" has no href`);
    assets[name] = assetRef(a, base);
  }

  const keys = deriveSceneKeys(id, collection, props);
  const item: SceneItem = {
    id,
    collection,
    sceneKey: keys.sceneKey,
    datetime: normaliseDatetime(props, id, where),
    bbox,
    geometry: r.geometry ?? null,
    assets,
  };
  if (keys.datatakeKey) item.datatakeKey = keys.datatakeKey;
  const cloud = num(props['eo:cloud_cover']);
  if (cloud !== undefined) item.cloudCover = cloud;
  if (keys.processingBaseline) item.processingBaseline = keys.processingBaseline;
  const orbit = props['sat:orbit_state'];
  if (orbit === 'ascending' || orbit === 'descending') item.orbitState = orbit;
  if (typeof props.platform === 'string') item.platform = props.platform.toLowerCase();
  const epsg = epsgOf(props);
  if (epsg !== undefined) item.epsg = epsg;
  if (selfHref) item.selfHref = selfHref;
  return item;
}
