// The one place where an asset href becomes the href a corpus records (shard `<m>_hrefs`): portable, so a
// corpus never names a path of the machine that built it. A URL stays the public URL it is; a local path
// becomes relative to the local catalog it came from (`sources.<m>.catalog`'s folder), POSIX-separated.
// (Redacting signed URLs, issue 15, belongs here too.)
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** `href` as the corpus records it; `catalogDir` is the folder of the local STAC catalog the item came from. */
export function recordedHref(href: string, catalogDir: string | undefined): string {
  const local = /^file:\/\//i.test(href) ? fileURLToPath(href) : /^[a-z][a-z0-9+.-]*:\/\//i.test(href) || href.startsWith('/vsi') ? undefined : href;
  if (local === undefined || !path.isAbsolute(local) || catalogDir === undefined) return href;
  return path.relative(catalogDir, local).split(path.sep).join('/');
}
