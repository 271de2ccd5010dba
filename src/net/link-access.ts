// Link access: the one place that turns a pipeline's `sources:` into what reading their assets needs.
//   - credentials: a source's secrets, resolved from the environment by sourceCredentials alone;
//   - the patcher: href -> readable href, the shape of odc-stac's `patch_url` hook. Planetary Computer
//     blobs get a SAS token from PC's token endpoint (cached in memory, renewed near expiry, one
//     cache per pipeline config); every other href passes unchanged. Discovery, the land-cover pass,
//     the tile stage and `terrafm tile` all read through it;
//   - the access policy per source: which hrefs items may name at all (access-policy.ts).
// How a stored href becomes a readable GDAL path is links.ts's; keys and tokens never leave memory.
import { dirname } from 'node:path';
import type { SourceConfig, SourceKey, SourcesConfig } from '../config/sections/sources.js';
import type { AssetAccess } from './access-policy.js';
import { HttpClient } from './http.js';
import type { HrefSigner } from './links.js';
import { PcSigner, pcTokenUrlFor } from './pc-sas.js';

/** A source's credentials, as sent with its requests; never written anywhere. */
export interface SourceCredentials {
  /** Planetary Computer subscription key (header Ocp-Apim-Subscription-Key). */
  subscriptionKey?: string;
}

/** Reads the source's credentials from the environment variables its config names. */
export function sourceCredentials(source: Pick<SourceConfig, 'subscriptionKeyEnv'> | undefined): SourceCredentials {
  const key = source?.subscriptionKeyEnv ? process.env[source.subscriptionKeyEnv] : undefined;
  return key ? { subscriptionKey: key } : {};
}

/** The configured Planetary Computer source, if any: its key and STAC root serve every PC blob. */
function pcSource(sources: SourcesConfig | undefined): SourceConfig | undefined {
  return Object.values(sources ?? {}).find((s) => s?.provider === 'planetary-computer');
}

/** SAS signing for PC blobs with `source`'s key and token endpoint (PC's own without a source). */
function pcSignerFor(source: Pick<SourceConfig, 'url' | 'subscriptionKeyEnv'> | undefined, opts: { http?: HttpClient; now?: () => number } = {}): PcSigner {
  const { subscriptionKey } = sourceCredentials(source);
  return new PcSigner(opts.http ?? new HttpClient({ now: opts.now }), { tokenUrl: pcTokenUrlFor(source?.url), subscriptionKey, now: opts.now });
}

const patchers = new WeakMap<SourcesConfig, HrefSigner>();

/**
 * The href patcher for a pipeline's sources: PC blobs are signed (with the planetary-computer
 * source's key when one is configured, anonymously otherwise), other hrefs pass unchanged. One per
 * sources object, so the stages of one run share its token cache.
 */
export function assetPatcherFor(sources: SourcesConfig | undefined): HrefSigner {
  const cached = sources && patchers.get(sources);
  if (cached) return cached;
  const signer = pcSignerFor(pcSource(sources));
  const patch: HrefSigner = (href) => signer.sign(href);
  if (sources) patchers.set(sources, patch);
  return patch;
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
