// Turns a SearchRequest into the first page request of a STAC API item search (pure).

import { StacError } from '../../errors.js';
import { normaliseCql2 } from './cql2-normalise.js';
import type { PageRequest } from './paging.js';
import type { SearchRequest } from './types.js';

/** The search endpoint under an API root: "https://x/v1" -> "https://x/v1/search". */
export function searchUrl(root: string): string {
  return `${root.replace(/\/+$/, '')}/search`;
}

/** JSON body with a fixed key order (the cache key depends on the exact text). */
export function searchBody(req: SearchRequest): Record<string, unknown> {
  if (!Number.isInteger(req.limit) || req.limit < 1) {
    throw new StacError(`search: limit ${JSON.stringify(req.limit)}: expected a positive integer page size`);
  }
  const body: Record<string, unknown> = { collections: req.collections };
  if (req.bbox) body.bbox = req.bbox;
  if (req.intersects !== undefined) body.intersects = req.intersects;
  body.datetime = req.datetime;
  if (req.filter !== undefined) {
    body.filter = normaliseCql2(req.filter);
    body['filter-lang'] = 'cql2-json';
  }
  body.limit = req.limit;
  return body;
}

export function firstPageRequest(root: string, req: SearchRequest, method: 'GET' | 'POST'): PageRequest {
  const body = searchBody(req);
  if (method === 'POST') return { method, url: searchUrl(root), body };
  // GET: the same fields as query parameters; geometry and filter as JSON text (STAC API spec).
  const q = new URLSearchParams();
  q.set('collections', req.collections.join(','));
  if (req.bbox) q.set('bbox', req.bbox.join(','));
  if (req.intersects !== undefined) q.set('intersects', JSON.stringify(req.intersects));
  q.set('datetime', req.datetime);
  if (req.filter !== undefined) {
    q.set('filter', JSON.stringify(normaliseCql2(req.filter)));
    q.set('filter-lang', 'cql2-json');
  }
  q.set('limit', String(req.limit));
  return { method, url: `${searchUrl(root)}?${q.toString()}` };
}
