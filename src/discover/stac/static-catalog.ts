// Walks a static STAC catalog (root -> child catalogs/collections -> item links; or an
// ItemCollection file) and returns its items in link order, with relative asset hrefs resolved
// against each item's own location. Shared by the static source and the loopback test server.

import { readFile } from 'node:fs/promises';
import pLimit from 'p-limit';
import { StacError } from '../../errors.js';
import { resolveHref } from './parse-item.js';

export interface CatalogEntry {
  /** The raw item with asset hrefs made absolute and `collection` filled in from its parent. */
  item: Record<string, unknown>;
  /** Where the item document is (file path or URL). */
  href: string;
}

export type ReadJson = (href: string) => Promise<Record<string, unknown>>;

/** Reads a local JSON document, with errors naming the file and what was expected. */
export async function readLocalJson(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new StacError(`${file}: cannot read static catalog document (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, e);
  }
  try {
    const v = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch (e) {
    throw new StacError(`${file}: not valid JSON (${(e as Error).message}); expected a STAC Catalog, Collection or Item`, e);
  }
  throw new StacError(`${file}: expected a STAC Catalog, Collection or Item object`);
}

type Link = { rel?: string; href?: string };

function withAbsoluteAssets(item: Record<string, unknown>, href: string, collection: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { ...item };
  if (typeof out.collection !== 'string' && collection) out.collection = collection;
  const assets = item.assets as Record<string, Record<string, unknown>> | undefined;
  if (assets && typeof assets === 'object') {
    const abs: Record<string, Record<string, unknown>> = {};
    for (const [k, a] of Object.entries(assets)) abs[k] = typeof a?.href === 'string' ? { ...a, href: resolveHref(a.href, href) } : a;
    out.assets = abs;
  }
  return out;
}

export async function loadStaticCatalog(root: string, read: ReadJson = readLocalJson, concurrency = 16): Promise<CatalogEntry[]> {
  const limit = pLimit(concurrency);
  const visited = new Set<string>();

  const walk = async (href: string, parentCollection: string | undefined): Promise<CatalogEntry[]> => {
    if (visited.has(href)) return [];
    visited.add(href);
    const doc = await limit(() => read(href));
    const type = doc.type;
    if (type === 'Feature') return [{ item: withAbsoluteAssets(doc, href, parentCollection), href }];
    if (type === 'FeatureCollection') {
      const feats = Array.isArray(doc.features) ? (doc.features as Record<string, unknown>[]) : [];
      return feats.map((f) => ({ item: withAbsoluteAssets(f, href, parentCollection), href }));
    }
    if (type !== 'Catalog' && type !== 'Collection') {
      throw new StacError(`${href}: expected a STAC Catalog, Collection, Item or ItemCollection, got type ${JSON.stringify(type)}`);
    }
    const collection = type === 'Collection' && typeof doc.id === 'string' ? doc.id : parentCollection;
    const links = Array.isArray(doc.links) ? (doc.links as Link[]) : [];
    const parts = await Promise.all(
      links
        .filter((l) => (l.rel === 'child' || l.rel === 'item') && typeof l.href === 'string')
        .map((l) => walk(resolveHref(l.href!, href), collection)),
    );
    return parts.flat();
  };
  return walk(root, undefined);
}
