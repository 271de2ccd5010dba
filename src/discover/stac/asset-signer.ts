// The signer asset reads go through: Planetary Computer blobs need a SAS token at read time (tokens
// expire during long runs, and are never stored). Other hrefs are read as stored (plus the
// credentials the catalog gave this process, see net/links.ts).
import type { SourcesConfig } from '../../config/sections/sources.js';
import type { HrefSigner } from '../../net/links.js';
import { openStacSource } from './index.js';

/** Signer for the configured sources: SAS for blob hrefs when a source is Planetary Computer. */
export function assetSignerFor(sources: SourcesConfig): HrefSigner | undefined {
  const pc = Object.values(sources).find((s) => s?.provider === 'planetary-computer');
  if (!pc) return undefined;
  const source = openStacSource({ provider: 'planetary-computer', url: pc.url, subscriptionKey: pc.subscriptionKeyEnv ? process.env[pc.subscriptionKeyEnv] : undefined });
  return (href) => (/\.blob\.core\.windows\.net\//.test(href) ? source.signHref(href) : Promise.resolve(href));
}
