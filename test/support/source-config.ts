import type { SourceConfig } from '../../src/config/sections/sources.js';

/** A normalised source section for discover tests: static S2 L2A with every filter open. */
export function sourceConfig(over: Partial<SourceConfig> = {}): SourceConfig {
  return {
    provider: 'static',
    collection: 'sentinel-2-l2a',
    altCollections: [],
    bandAssets: {},
    cloudMax: 100,
    orbit: 'any',
    product: 'grd',
    polarizations: ['VV', 'VH'],
    limit: 100,
    assetHosts: [],
    assetRoots: [],
    ...over,
  };
}
