// The corpus as a STAC Collection: collection.json beside the shards (extent, summaries of classes and
// modalities, licences and providers per source, links to the dataset card and statistics) and its items
// as stac-geoparquet (items.parquet, see stac-items.ts). Hrefs are relative, so the directory can move.
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { type Modality } from '../model/types.js';
import { classShares, openCorpus, openShard } from '../shard/index.js';
import { readTileMetadata } from '../shard/reader.js';
import { VERSION } from '../version.js';
import { COLLECTION_FILE, ITEMS_TABLE, STAC_VERSION, StacItemsWriter, tileItem } from './stac-items.js';
import { WORLDCOVER_CLASSES, WORLDCOVER_NAMES } from '../landcover/worldcover.js';

export const CARD_FILE = 'README.md';
export const COPERNICUS_TERMS = 'https://sentinels.copernicus.eu/documents/247904/690755/Sentinel_Data_Legal_Notice';
export const CC_BY_4 = 'https://creativecommons.org/licenses/by/4.0/';

const MODALITY_TITLES: Record<Modality, string> = {
  s2_l2a: 'Sentinel-2 L2A surface reflectance',
  s2_l1c: 'Sentinel-2 L1C top-of-atmosphere reflectance',
  s1: 'Sentinel-1 GRD backscatter (VV, VH)',
};

export interface CollectionInfo {
  id: string;
  description: string;
}

/** The Collection document of a corpus whose items span `bbox` and `interval`. */
export function corpusCollection(dir: string, info: CollectionInfo, bbox: [number, number, number, number] | undefined, interval: [string | null, string | null]): Record<string, unknown> {
  const { manifest, stats } = openCorpus(dir);
  const modalities = Object.keys(manifest.layout.modalities) as Modality[];
  const shares = classShares(stats);
  return {
    type: 'Collection',
    stac_version: STAC_VERSION,
    stac_extensions: ['https://stac-extensions.github.io/classification/v1.0.0/schema.json'],
    id: info.id,
    title: `${info.id}: TerraFM pretraining corpus`,
    description: info.description,
    // Sentinel data are free under the Copernicus terms (no SPDX id), WorldCover is CC-BY-4.0: "other", with both linked
    license: 'other',
    keywords: ['Earth observation', 'pretraining', 'Sentinel-1', 'Sentinel-2', 'ESA WorldCover', 'Major-TOM grid'],
    providers: [
      { name: 'European Space Agency (ESA) / Copernicus programme', roles: ['producer', 'licensor'], url: 'https://www.copernicus.eu/' },
      { name: 'ESA WorldCover consortium', roles: ['producer', 'licensor'], description: 'ESA WorldCover 10 m land cover (CC-BY 4.0)', url: 'https://esa-worldcover.org/' },
      { name: 'terrafm-pipeline', roles: ['processor'], description: `tiles, sampling and shards written by terrafm-pipeline ${VERSION}` },
    ],
    extent: {
      spatial: { bbox: [bbox ?? [-180, -90, 180, 90]] },
      temporal: { interval: [interval] },
    },
    summaries: {
      'terrafm:modalities': modalities,
      'terrafm:bands': Object.fromEntries(modalities.map((m) => [m, manifest.layout.modalities[m]!.bands])),
      'classification:classes': WORLDCOVER_CLASSES.filter((c) => c !== 0).map((c) => ({ value: c, name: WORLDCOVER_NAMES[c].replace(/[^a-z0-9_-]+/gi, '-').toLowerCase(), description: WORLDCOVER_NAMES[c] })),
      'terrafm:class_pixel_share': Object.fromEntries(WORLDCOVER_CLASSES.map((c, i) => [String(c), shares[i]])),
      platform: [...(modalities.some((m) => m.startsWith('s2')) ? ['sentinel-2a', 'sentinel-2b'] : []), ...(modalities.includes('s1') ? ['sentinel-1a'] : [])],
    },
    'terrafm:tiles': manifest.tiles,
    'terrafm:schema_version': manifest.schema_version,
    // no `self`: STAC wants it absolute, and the corpus must stay movable (relative hrefs only)
    links: [
      { rel: 'root', href: `./${COLLECTION_FILE}`, type: 'application/json' },
      { rel: 'license', href: COPERNICUS_TERMS, type: 'text/html', title: 'Legal notice on the use of Copernicus Sentinel data' },
      { rel: 'license', href: CC_BY_4, type: 'text/html', title: 'ESA WorldCover: CC-BY 4.0' },
      { rel: 'describedby', href: `./${CARD_FILE}`, type: 'text/markdown', title: 'dataset card' },
      { rel: 'related', href: './stats.json', type: 'application/json', title: 'dataset statistics (per band, per class)' },
      { rel: 'related', href: './manifest.json', type: 'application/json', title: 'shard manifest with checksums' },
    ],
    assets: {
      items: { href: `./${ITEMS_TABLE}`, type: 'application/vnd.apache.parquet', title: 'one STAC item per tile (stac-geoparquet)', roles: ['collection-mirror'] },
      ...Object.fromEntries(manifest.shards.map((s) => [s.file.replace(/\.parquet$/, ''), { href: `./${s.file}`, type: 'application/vnd.apache.parquet', roles: ['data'], title: `${s.rows} tiles` }])),
    },
  };
}

/** Writes items.parquet (streamed, one tile at a time without pixels) and collection.json into a corpus directory. */
export async function writeCorpusStac(dir: string, info: CollectionInfo): Promise<{ items: number; collection: string; table: string }> {
  const { manifest } = openCorpus(dir);
  const table = join(dir, ITEMS_TABLE);
  const w = new StacItemsWriter(`${table}.tmp`, info.id);
  for (const s of manifest.shards) {
    const shard = await openShard(join(dir, s.file));
    try {
      for await (const t of readTileMetadata(shard)) w.add(tileItem(t, info.id));
    } finally {
      await shard.close();
    }
  }
  const { bbox, interval } = w.finish();
  renameSync(`${table}.tmp`, table);
  const collection = join(dir, COLLECTION_FILE);
  writeFileAtomic(collection, `${JSON.stringify(corpusCollection(dir, info, bbox, interval), null, 2)}\n`);
  return { items: w.count, collection, table };
}
