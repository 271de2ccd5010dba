// A configured source (`sources.<key>`) as STAC client options: one mapping for every stage that
// opens a catalog (discovery, the land-cover search), with its credentials from link-access.ts.
import type { SourceConfig } from '../../config/sections/sources.js';
import { sourceCredentials } from '../../net/link-access.js';
import type { StacSourceOptions } from './types.js';

/** Where and how to reach the source's catalog; transport settings (timeouts, cache) are the caller's. */
export function stacOptionsFor(cfg: SourceConfig): Pick<StacSourceOptions, 'provider' | 'url' | 'catalog' | 'bandAssets' | 'subscriptionKey'> {
  return {
    provider: cfg.provider as StacSourceOptions['provider'],
    url: cfg.url,
    catalog: cfg.catalog,
    bandAssets: cfg.bandAssets,
    ...sourceCredentials(cfg),
  };
}
