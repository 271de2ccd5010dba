// Entry point of the STAC layer: pick a source by provider.

import { ConfigError } from '../../errors.js';
import { StacApiSource } from './api-source.js';
import { StaticStacSource } from './static-source.js';
import type { StacSource, StacSourceOptions } from './types.js';

export function openStacSource(opts: StacSourceOptions): StacSource {
  if (opts.provider === 'static') {
    if (!opts.catalog) {
      throw new ConfigError('stac source', [{ path: 'catalog', message: 'provider "static" needs a catalog path (catalog.json)' }]);
    }
    return new StaticStacSource({ ...opts, catalog: opts.catalog });
  }
  if (opts.provider === 'stac-api' && !opts.url) {
    throw new ConfigError('stac source', [{ path: 'url', message: 'provider "stac-api" needs the STAC API root url' }]);
  }
  return new StacApiSource(opts);
}

export { StacApiSource } from './api-source.js';
export { StaticStacSource } from './static-source.js';
export { dedupeByScene } from './dedupe.js';
export { parseItem, resolveHref } from './parse-item.js';
export { deriveSceneKeys } from './scene-keys.js';
export { resolveBandAssets, LOGICAL_BANDS } from './band-assets.js';
export { compileSearch, matchesSearch } from './search-match.js';
export { loadStaticCatalog } from './static-catalog.js';
export type { PageRequest, Page } from './paging.js';
export type { SearchRequest, StacSource, StacSourceOptions, StacStats, StacProvider } from './types.js';
