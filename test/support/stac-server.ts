// A STAC API server on loopback over a static catalog, for tests and benchmarks: landing page,
// conformance, /collections, /collections/{id}/items, POST and GET /search (collections, bbox,
// intersects, datetime, limit, CQL2-JSON eo:cloud_cover subset, next tokens). Matching uses the
// product's own rules (src/discover/stac/search-match.ts) so the static source and this server
// agree by construction; what differs is only transport and paging, which is what tests probe.
// Fault hooks: HTTP status (429 with Retry-After, 500, 503), connection reset, stalled body,
// malformed JSON, and a next link that repeats the current request.

import type http from 'node:http';
import { compileSearch, matchesSearch } from '../../src/discover/stac/search-match.js';
import { loadStaticCatalog, type CatalogEntry } from '../../src/discover/stac/static-catalog.js';
import { sendJson, startLoopback, type LoopbackRequest } from './loopback.js';

export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string; times?: number; match?: (r: LoopbackRequest) => boolean }
  | { kind: 'reset' | 'stall' | 'malformed' | 'repeat-next'; times?: number; match?: (r: LoopbackRequest) => boolean };

export interface StacServerOptions {
  /** catalog.json of a static catalog, or entries already loaded. */
  catalog?: string;
  entries?: CatalogEntry[];
  /** How next links of POST searches look: full body + token, merge-token, or a GET link. */
  paging?: 'post-body' | 'post-merge' | 'get';
  /** Largest limit honoured (default 1000). */
  maxLimit?: number;
  /** Path prefix of the API root (default "/v1"). */
  prefix?: string;
  /** Whether the landing page offers POST search (default true). */
  postSearch?: boolean;
}

export interface StacTestServer {
  /** API root, e.g. http://127.0.0.1:1234/v1 */
  url: string;
  /** Every request received, faults included. */
  log: LoopbackRequest[];
  /** Requests to /search only. */
  searchRequests(): LoopbackRequest[];
  /** Queue a fault; it applies to the next `times` (default 1) matching requests (default: /search). */
  addFault(f: Fault): void;
  entries: CatalogEntry[];
  close(): Promise<void>;
}

const isSearch = (r: LoopbackRequest): boolean => /\/search(\?|$)/.test(r.path);

export async function startStacServer(opts: StacServerOptions): Promise<StacTestServer> {
  const entries = opts.entries ?? (await loadStaticCatalog(opts.catalog!));
  const prefix = opts.prefix ?? '/v1';
  const maxLimit = opts.maxLimit ?? 1000;
  const paging = opts.paging ?? 'post-body';
  const faults: { f: Fault; left: number }[] = [];
  const log: LoopbackRequest[] = [];
  let root = '';
  const collections = [...new Set(entries.map((e) => String(e.item.collection)))];

  const withLinks = (item: Record<string, unknown>): Record<string, unknown> => ({
    ...item,
    links: [
      { rel: 'self', type: 'application/geo+json', href: `${root}/collections/${String(item.collection)}/items/${String(item.id)}` },
      { rel: 'collection', type: 'application/json', href: `${root}/collections/${String(item.collection)}` },
      { rel: 'root', type: 'application/json', href: `${root}/` },
    ],
  });

  const badRequest = (res: http.ServerResponse, e: unknown): void =>
    sendJson(res, 400, { code: 'BadRequest', description: e instanceof Error ? e.message : String(e) });

  /** Runs one search; `params` are the POST body or the GET query as an object. */
  const search = (req: LoopbackRequest, res: http.ServerResponse, params: Record<string, unknown>, method: 'GET' | 'POST', fault?: Fault): void => {
    let q;
    try {
      q = compileSearch({
        collections: params.collections as string[] | undefined,
        bbox: params.bbox as number[] | undefined,
        intersects: params.intersects,
        datetime: params.datetime as string | undefined,
        filter: params.filter,
      });
    } catch (e) {
      badRequest(res, e);
      return;
    }
    const limit = Math.min(maxLimit, Number(params.limit ?? 10));
    const token = String(params.token ?? '');
    const offset = token.startsWith('o:') ? Number(token.slice(2)) : 0;
    const matched = entries.filter((e) => matchesSearch(e.item, q));
    const page = matched.slice(offset, offset + limit);
    const links: Record<string, unknown>[] = [{ rel: 'root', href: `${root}/` }];
    const hasMore = offset + limit < matched.length;
    if (hasMore || fault?.kind === 'repeat-next') {
      const nextToken = fault?.kind === 'repeat-next' ? token : `o:${offset + limit}`;
      const searchUrl = `${root}/search`;
      if (method === 'GET' || paging === 'get') {
        const qs = new URLSearchParams();
        for (const [k, v] of Object.entries(params)) {
          if (k === 'token' || v === undefined) continue;
          // Lists (collections, bbox) are comma-joined; geometry and filter travel as JSON text.
          qs.set(k, typeof v === 'string' ? v : Array.isArray(v) ? v.join(',') : typeof v === 'number' ? String(v) : JSON.stringify(v));
        }
        if (nextToken) qs.set('token', nextToken);
        const href = fault?.kind === 'repeat-next' ? new URL(req.path, root).href : `${searchUrl}?${qs.toString()}`;
        links.push({ rel: 'next', method: 'GET', type: 'application/geo+json', href });
      } else if (paging === 'post-merge') {
        links.push({ rel: 'next', method: 'POST', href: searchUrl, merge: true, body: { token: nextToken } });
      } else {
        const body: Record<string, unknown> = { ...params };
        delete body.token;
        if (nextToken) body.token = nextToken;
        links.push({ rel: 'next', method: 'POST', href: searchUrl, merge: false, body });
      }
    }
    sendJson(res, 200, {
      type: 'FeatureCollection',
      features: page.map((e) => withLinks(e.item)),
      links,
      numberMatched: matched.length,
      numberReturned: page.length,
    });
  };

  const queryToParams = (u: URL): Record<string, unknown> => {
    const p: Record<string, unknown> = {};
    for (const [k, v] of u.searchParams) {
      if (k === 'collections') p.collections = v.split(',').filter(Boolean);
      else if (k === 'bbox') p.bbox = v.split(',').map(Number);
      else if (k === 'intersects' || k === 'filter') p[k] = JSON.parse(v);
      else p[k] = v;
    }
    return p;
  };

  const lb = await startLoopback((req, res, raw) => {
    log.push(req);
    const slot = faults.find((s) => s.left > 0 && (s.f.match ?? isSearch)(req));
    if (slot) slot.left--;
    const fault = slot?.f;
    if (fault?.kind === 'reset') {
      raw.socket.destroy();
      return;
    }
    if (fault?.kind === 'stall') {
      res.writeHead(200, { 'content-type': 'application/geo+json' });
      res.write('{"type":"FeatureCollection","features":[');
      return; // never ends; the client's timeout must fire
    }
    if (fault?.kind === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/geo+json' });
      res.end('{"type":"FeatureCollection","features":[{"id":');
      return;
    }
    if (fault?.kind === 'status') {
      sendJson(res, fault.status, { code: 'Injected', description: `injected HTTP ${fault.status}` }, fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {});
      return;
    }
    const u = new URL(req.path, 'http://x');
    const path = u.pathname.replace(/\/+$/, '');
    if (!path.startsWith(prefix)) return sendJson(res, 404, { code: 'NotFound', description: req.path });
    const rest = path.slice(prefix.length);
    if (rest === '' && req.method === 'GET') {
      const searchLinks = [{ rel: 'search', type: 'application/geo+json', href: `${root}/search`, method: 'GET' }];
      if (opts.postSearch !== false) searchLinks.push({ rel: 'search', type: 'application/geo+json', href: `${root}/search`, method: 'POST' });
      return sendJson(res, 200, {
        type: 'Catalog',
        stac_version: '1.0.0',
        id: 'loopback',
        description: 'Loopback STAC API for tests',
        conformsTo: ['https://api.stacspec.org/v1.0.0/core', 'https://api.stacspec.org/v1.0.0/item-search', 'http://www.opengis.net/spec/cql2/1.0/conf/cql2-json'],
        links: [
          { rel: 'self', href: `${root}/` },
          { rel: 'conformance', href: `${root}/conformance` },
          { rel: 'data', href: `${root}/collections` },
          ...searchLinks,
        ],
      });
    }
    if (rest === '/conformance') return sendJson(res, 200, { conformsTo: ['https://api.stacspec.org/v1.0.0/core', 'https://api.stacspec.org/v1.0.0/item-search'] });
    if (rest === '/collections') {
      return sendJson(res, 200, {
        collections: collections.map((id) => ({ type: 'Collection', id, links: [{ rel: 'items', href: `${root}/collections/${id}/items` }] })),
        links: [],
      });
    }
    const coll = /^\/collections\/([^/]+)(\/items)?$/.exec(rest);
    if (coll && req.method === 'GET') {
      if (!collections.includes(coll[1]!)) return sendJson(res, 404, { code: 'NotFound', description: `collection ${coll[1]}` });
      if (!coll[2]) return sendJson(res, 200, { type: 'Collection', id: coll[1], links: [] });
      return search(req, res, { ...queryToParams(u), collections: [coll[1]!] }, 'GET', fault);
    }
    if (rest === '/search' && req.method === 'POST') {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(req.body || '{}');
      } catch (e) {
        return badRequest(res, e);
      }
      return search(req, res, body, 'POST', fault);
    }
    if (rest === '/search' && req.method === 'GET') {
      try {
        return search(req, res, queryToParams(u), 'GET', fault);
      } catch (e) {
        return badRequest(res, e);
      }
    }
    return sendJson(res, 404, { code: 'NotFound', description: `${req.method} ${req.path}` });
  });
  root = `${lb.url}${prefix}`;
  return {
    url: root,
    log,
    entries,
    searchRequests: () => log.filter(isSearch),
    addFault: (f) => faults.push({ f, left: f.times ?? 1 }),
    close: () => lb.close(),
  };
}
