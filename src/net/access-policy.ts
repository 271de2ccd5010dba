// The asset access policy: which hrefs named by a catalog item may be read at all. Items are data
// from elsewhere; without a policy an item could make GDAL read local files (file:///etc/passwd,
// ../../.. paths) into a corpus or send requests to hosts the pipeline was never configured for
// (/vsicurl/http://<any host>/...). Pure: the tile plan asks, and records each refusal with its rule.
import { realpathSync } from 'node:fs';
import path from 'node:path';

/** Where one source's items come from and what they may name. */
export interface AssetAccess {
  /** `api`: a remote STAC API (only http(s), s3://, gs://); `static`: a static catalog. */
  origin: 'api' | 'static';
  /** Directory of a static catalog on disk: its items may name local files under it. */
  catalogRoot?: string;
  /** Hosts (or `*.suffix`) and s3/gs buckets assets may live on; [] = any. */
  hosts: readonly string[];
  /** Further local directories assets may live under (widening, e.g. a mounted bucket). */
  roots: readonly string[];
}

/** The rule that refused an href; recorded in tile-failures.jsonl. */
export type AccessRule = 'vsi-prefix' | 'file-url' | 'unsupported-scheme' | 'local-path-from-api' | 'outside-catalog-root' | 'host-not-allowed';

export interface AccessRefusal {
  rule: AccessRule;
  message: string;
}

const REMOTE = /^(https?|s3|gs):\/\//i;

function hostAllowed(host: string, hosts: readonly string[]): boolean {
  const h = host.toLowerCase();
  return hosts.some((a) => {
    const p = a.toLowerCase();
    return p.startsWith('*.') ? h.endsWith(p.slice(1)) : h === p;
  });
}

function inside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Real path when the file exists (a symlink must not lead out of the root), else the lexical one. */
function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

function underAny(file: string, roots: string[]): boolean {
  const f = path.resolve(file);
  return roots.some((r) => inside(path.resolve(r), f) && inside(real(path.resolve(r)), real(f)));
}

/** Undefined when `href` as the item names it may be read from `target` (the URL or local path it
 *  resolves to); else the refusal. */
export function checkAssetAccess(href: string, target: string, access: AssetAccess): AccessRefusal | undefined {
  const wid = `(widen with sources.<key>.asset_hosts / asset_roots)`;
  if (href.startsWith('/vsi')) {
    return { rule: 'vsi-prefix', message: `GDAL virtual file system paths are not accepted from catalogs; expected an http(s)://, s3:// or gs:// URL${access.origin === 'static' ? ' or a file under the catalog' : ''}` };
  }
  if (/^file:/i.test(href)) return { rule: 'file-url', message: 'file:// URLs are not accepted from catalogs; expected a relative or absolute path under the catalog, or a remote URL' };
  if (REMOTE.test(target)) {
    if (access.hosts.length === 0) return undefined;
    const host = /^https?:/i.test(target) ? new URL(target).hostname : target.slice(5).split('/')[0]!;
    if (hostAllowed(host, access.hosts)) return undefined;
    return { rule: 'host-not-allowed', message: `host ${host} is not in the source's asset_hosts (${access.hosts.join(', ')})` };
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
    return { rule: 'unsupported-scheme', message: `scheme ${target.split(':')[0]} is not readable; expected http(s)://, s3:// or gs://` };
  }
  const roots = [...(access.origin === 'static' && access.catalogRoot ? [access.catalogRoot] : []), ...access.roots];
  if (roots.length === 0) {
    return { rule: 'local-path-from-api', message: `items from a remote STAC API may only name http(s)://, s3:// or gs:// assets, not local files ${wid}` };
  }
  if (!path.isAbsolute(target) || !underAny(target, roots)) {
    return { rule: 'outside-catalog-root', message: `local file outside ${roots.join(', ')}; expected assets under the catalog's directory ${wid}` };
  }
  return undefined;
}
