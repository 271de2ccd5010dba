// Item search paging for STAC APIs. Follows every rel="next" link until there is none or a page
// is empty: GET links (token in the href), POST links with a body (merge: true merges it into the
// previous body), and legacy page bodies such as Earth Search v0's {"page": 2}. A next link that
// asks for a request already made is an error (the server would loop forever); items of the
// pages before it have already been handed out.

import { canonicalJson } from '../../canonical-json.js';
import { StacError } from '../../errors.js';
import type { HttpClient } from '../../net/http.js';
import { fetchJson } from '../../net/fetch-json.js';

/** One page request, as data. */
export interface PageRequest {
  method: 'GET' | 'POST';
  url: string;
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface StacLink {
  rel?: string;
  href?: string;
  method?: string;
  body?: Record<string, unknown>;
  merge?: boolean;
  headers?: Record<string, string>;
}

export interface Page {
  /** 1-based page number within the search. */
  index: number;
  request: PageRequest;
  features: Record<string, unknown>[];
  next: PageRequest | undefined;
}

/** Identity of a request for repeat detection (key order of the body does not matter). */
export function requestFingerprint(r: PageRequest): string {
  return `${r.method} ${r.url}${r.body ? ` ${canonicalJson(r.body)}` : ''}`;
}

/** The request a next link asks for (pure). Relative hrefs resolve against the page URL. */
export function nextRequest(prev: PageRequest, link: StacLink): PageRequest {
  if (typeof link.href !== 'string' || link.href === '') {
    throw new StacError(`${prev.url}: "next" link without href: ${JSON.stringify(link)}`);
  }
  const url = new URL(link.href, prev.url).href;
  const method = (link.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'POST') {
    throw new StacError(`${prev.url}: "next" link with unsupported method ${JSON.stringify(link.method)}; expected GET or POST`);
  }
  const headers = link.headers ? { ...link.headers } : undefined;
  if (method === 'GET') return { method, url, ...(headers ? { headers } : {}) };
  let body: Record<string, unknown> | undefined;
  if (link.body && link.merge) body = { ...(prev.body ?? {}), ...link.body };
  else body = link.body ?? prev.body;
  return { method, url, ...(body ? { body } : {}), ...(headers ? { headers } : {}) };
}

function nextLinkOf(page: Record<string, unknown>): StacLink | undefined {
  const links = Array.isArray(page.links) ? (page.links as StacLink[]) : [];
  return links.find((l) => l && l.rel === 'next');
}

/** Streams the pages of one search, starting from `first`. */
export async function* fetchPages(http: HttpClient, first: PageRequest): AsyncGenerator<Page> {
  const seen = new Map<string, number>();
  let req: PageRequest | undefined = first;
  for (let index = 1; req; index++) {
    const fp = requestFingerprint(req);
    const earlier = seen.get(fp);
    if (earlier !== undefined) {
      throw new StacError(
        `${req.url}: the server repeated a page: the next link of page ${index - 1} asks again for page ${earlier} ` +
          `(${req.method}${req.body ? ` ${JSON.stringify(req.body)}` : ''}); stopped after ${index - 1} pages`,
      );
    }
    seen.set(fp, index);
    const json = await fetchJson(
      http,
      {
        method: req.method,
        url: req.url,
        ...(req.body ? { body: JSON.stringify(req.body) } : {}),
        ...(req.headers ? { headers: req.headers } : {}),
      },
      'a STAC item search page (GeoJSON FeatureCollection with "features")',
    );
    if (!Array.isArray(json.features)) {
      throw new StacError(
        `${req.url}: expected a STAC item search page (GeoJSON FeatureCollection with a "features" array), got keys ${JSON.stringify(Object.keys(json))}`,
      );
    }
    const features = json.features as Record<string, unknown>[];
    const link = features.length > 0 ? nextLinkOf(json) : undefined;
    const next: PageRequest | undefined = link ? nextRequest(req, link) : undefined;
    yield { index, request: req, features, next };
    req = next;
  }
}
