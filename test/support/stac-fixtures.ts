// Builds small static STAC catalogs in temp dirs from REAL recorded items (Earth Search v1:
// S1 GRD, S2 L1C/L2A/C1-L2A; Planetary Computer: 33 S2 L2A), laid out as a static catalog is
// on disk: catalog.json -> <collection>/collection.json -> <collection>/items/<id>.json with
// relative links. Used until the demo world (src/demo/ensure.ts) exists, and beside it.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCassette } from './cassette.js';

export type RawItem = Record<string, unknown> & { id: string; collection: string };

/** Items of the search pages (FeatureCollections) of a cassette, in recorded order. */
export function cassetteItems(name: string): RawItem[] {
  const out: RawItem[] = [];
  for (const i of loadCassette(name)) {
    let j: { features?: RawItem[] };
    try {
      j = JSON.parse(i.responseBody);
    } catch {
      continue;
    }
    if (Array.isArray(j.features)) out.push(...j.features);
  }
  return out;
}

/** Distinct-id real items: 20 from Earth Search v1 (4 collections) + 33 Planetary Computer S2 L2A. */
export function realItems(): RawItem[] {
  const es = cassetteItems('earth-search-v1_search_cql2-filter_s1grd-s2l2a-s2c1l2a-s2l1c_2pages.yaml');
  const pc = cassetteItems('pc_search_sentinel-2-l2a_datetime_33items.yaml');
  const seen = new Set<string>();
  return [...es, ...pc].filter((i) => !seen.has(i.id) && seen.add(i.id));
}

/**
 * Writes a static catalog of `items` into a new temp dir; returns the catalog.json path.
 * `relativeAsset` makes that asset key's href relative ("./<key>.tif") in every item that has
 * it, to exercise href resolution.
 */
export function writeStaticCatalog(items: RawItem[], opts: { dir?: string; relativeAsset?: string } = {}): string {
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'terrafm-stac-'));
  const byCollection = new Map<string, RawItem[]>();
  for (const it of items) {
    const list = byCollection.get(it.collection) ?? [];
    list.push(it);
    byCollection.set(it.collection, list);
  }
  const rootLinks: Record<string, unknown>[] = [{ rel: 'root', href: './catalog.json', type: 'application/json' }];
  for (const [cid, list] of byCollection) {
    const cdir = path.join(dir, cid);
    mkdirSync(path.join(cdir, 'items'), { recursive: true });
    rootLinks.push({ rel: 'child', href: `./${cid}/collection.json`, type: 'application/json' });
    const links: Record<string, unknown>[] = [
      { rel: 'root', href: '../catalog.json' },
      { rel: 'parent', href: '../catalog.json' },
    ];
    for (const it of list) {
      links.push({ rel: 'item', href: `./items/${it.id}.json`, type: 'application/geo+json' });
      const copy: Record<string, unknown> = { ...it };
      // Static items carry relative links only (no API self link).
      copy.links = [
        { rel: 'root', href: '../../catalog.json' },
        { rel: 'parent', href: '../collection.json' },
        { rel: 'collection', href: '../collection.json' },
      ];
      if (opts.relativeAsset && (it.assets as Record<string, Record<string, unknown>>)?.[opts.relativeAsset]) {
        const assets = { ...(it.assets as Record<string, Record<string, unknown>>) };
        assets[opts.relativeAsset] = { ...assets[opts.relativeAsset], href: `./${opts.relativeAsset}.tif` };
        copy.assets = assets;
      }
      writeFileSync(path.join(cdir, 'items', `${it.id}.json`), JSON.stringify(copy));
    }
    writeFileSync(
      path.join(cdir, 'collection.json'),
      JSON.stringify({ type: 'Collection', stac_version: '1.0.0', id: cid, description: cid, license: 'proprietary', extent: {}, links }),
    );
  }
  const catalog = path.join(dir, 'catalog.json');
  writeFileSync(catalog, JSON.stringify({ type: 'Catalog', stac_version: '1.0.0', id: 'test', description: 'test catalog', links: rootLinks }));
  return catalog;
}
