// Asset links: the one owner of how an href travels through the product.
//   - stored href: what every table, shard, journal, failure row and log holds. Credential query
//     parameters (SAS tokens, presigned-URL signatures) are stripped when an item is parsed.
//   - readable href: the stored href with its credentials put back (from memory: the href as the
//     catalog gave it this process, or a signer such as Planetary Computer's), then mapped onto GDAL's
//     virtual file systems (/vsicurl/, /vsis3/, /vsigs/). It exists only while a read is in flight.
// Free text that may quote a readable href (GDAL's messages, error chains) goes through redactText
// before it is written anywhere. Credentials thus never leave memory.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { redactText, stripCredentials } from '../redact.js';

// Hrefs as the catalog gave them (with credentials), by stored href: in memory only, this process.
const asGiven = new Map<string, string>();

/** Stored form of an href from a catalog; the credentials it carried stay in memory for reads. */
export function storedHref(href: string): string {
  const stored = stripCredentials(href);
  if (stored !== href) asGiven.set(stored, href);
  return stored;
}

/** Patches an href for reading (odc-stac's `patch_url`; e.g. Planetary Computer SAS, see
 *  link-access.ts); returns it unchanged when not needed. */
export type HrefSigner = (href: string) => Promise<string>;

/** The href to read: credentials from memory, then the signer. */
export async function readableHref(stored: string, sign?: HrefSigner): Promise<string> {
  const given = asGiven.get(stored) ?? stored;
  return sign ? sign(given) : given;
}

const VSICURL = '/vsicurl/';

/** A GDAL path with its credentials put back: /vsicurl/ URLs are made readable, others pass. */
export async function readableGdalPath(gdalPath: string, sign?: HrefSigner): Promise<string> {
  if (!gdalPath.startsWith(VSICURL)) return gdalPath;
  return `${VSICURL}${await readableHref(gdalPath.slice(VSICURL.length), sign)}`;
}

/** What a read of `href` (opened as `gdalPath`, from gdalPathFor) reaches, as the access policy
 *  judges it: the URL behind /vsicurl/, an s3:// or gs:// href itself, or the local path. */
export function readTarget(href: string, gdalPath: string): string {
  if (gdalPath.startsWith(VSICURL) && !href.startsWith('/vsi')) return gdalPath.slice(VSICURL.length);
  return /^(s3|gs):\/\//i.test(href) ? href : gdalPath;
}

/** Where GDAL reads an href from: http(s) through /vsicurl/ (range reads), s3:// and gs:// through
 *  /vsis3/ and /vsigs/, file:// and paths as local paths (relative ones against the item document
 *  or `baseDir`). Whether the href may be read at all is the access policy's call (access-policy.ts). */
export function gdalPathFor(href: string, selfHref?: string, baseDir?: string): string {
  if (href.startsWith('/vsi')) return href;
  if (/^https?:\/\//i.test(href)) return `${VSICURL}${href}`;
  if (/^s3:\/\//i.test(href)) return `/vsis3/${href.slice(5)}`;
  if (/^gs:\/\//i.test(href)) return `/vsigs/${href.slice(5)}`;
  if (/^file:\/\//i.test(href)) return fileURLToPath(href);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(href)) {
    throw new Error(`unsupported URL scheme in href "${redactText(href)}"; expected http(s)://, s3://, gs://, file:// or a path`);
  }
  if (path.isAbsolute(href)) return href;
  if (selfHref) {
    if (/^https?:\/\//i.test(selfHref)) return `${VSICURL}${new URL(href, selfHref).toString()}`;
    const selfPath = /^file:\/\//i.test(selfHref) ? fileURLToPath(selfHref) : selfHref;
    return path.resolve(path.dirname(selfPath), href);
  }
  return baseDir ? path.resolve(baseDir, href) : href;
}
