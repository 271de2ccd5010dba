// How the configured sources' assets may be read: the signer reads go through (Planetary Computer
// blobs need a SAS token at read time; tokens expire during long runs and are never stored; other
// hrefs are read as stored plus the credentials the catalog gave this process, see net/links.ts),
// and the access policy per source (net/access-policy.ts).
import { dirname } from 'node:path';
import type { SourceKey, SourcesConfig } from '../../config/sections/sources.js';
import type { AssetAccess } from '../../net/access-policy.js';
import type { HrefSigner } from '../../net/links.js';
import { openStacSource } from './index.js';

/** Signer for the configured sources: SAS for blob hrefs when a source is Planetary Computer. */
export function assetSignerFor(sources: SourcesConfig): HrefSigner | undefined {
  const pc = Object.values(sources).find((s) => s?.provider === 'planetary-computer');
  if (!pc) return undefined;
  const source = openStacSource({ provider: 'planetary-computer', url: pc.url, subscriptionKey: pc.subscriptionKeyEnv ? process.env[pc.subscriptionKeyEnv] : undefined });
  return (href) => (/\.blob\.core\.windows\.net\//.test(href) ? source.signHref(href) : Promise.resolve(href));
}

/** Access rules per source: static catalogs may name files under their directory, APIs only remote
 *  URLs; `asset_hosts` / `asset_roots` narrow and widen. */
export function assetAccessFor(sources: SourcesConfig): Partial<Record<SourceKey, AssetAccess>> {
  const out: Partial<Record<SourceKey, AssetAccess>> = {};
  for (const [key, s] of Object.entries(sources) as [SourceKey, SourcesConfig[SourceKey]][]) {
    if (!s || s.provider === 'file') continue;
    out[key] = {
      origin: s.provider === 'static' ? 'static' : 'api',
      ...(s.provider === 'static' && s.catalog ? { catalogRoot: dirname(s.catalog) } : {}),
      hosts: s.assetHosts,
      roots: s.assetRoots,
    };
  }
  return out;
}
