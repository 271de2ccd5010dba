// Reads vcrpy cassettes (YAML) of REAL STAC API traffic and replays them from a loopback server.
// Requests are matched on method + path/query + body (JSON-equal when both are JSON); the public
// hosts inside response bodies are rewritten to the replay server, so the client follows the
// real next links (tokens, bodies, merge flags) against loopback.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import { startLoopback, type LoopbackRequest } from './loopback.js';
import { realFixture } from './fixtures.js';

export const CASSETTE_DIR = realFixture('stac/cassettes');

/** Public hosts seen in the cassettes; each is mapped to the replay server. */
export const RECORDED_HOSTS = ['https://earth-search.aws.element84.com', 'https://planetarycomputer.microsoft.com'];

export interface Interaction {
  method: string;
  /** Original absolute URI. */
  uri: string;
  /** Request body text, or null. */
  body: string | null;
  status: number;
  contentType: string;
  responseBody: string;
}

export function loadCassette(name: string): Interaction[] {
  const doc = parse(readFileSync(path.join(CASSETTE_DIR, name), 'utf8')) as {
    interactions: { request: { method: string; uri: string; body: unknown }; response: { status: { code: number }; headers: Record<string, string[]>; body: { string: string } } }[];
  };
  return doc.interactions.map((i) => {
    const ct = Object.entries(i.response.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1]?.[0] ?? 'application/json';
    return {
      method: i.request.method,
      uri: i.request.uri,
      body: typeof i.request.body === 'string' ? i.request.body : null,
      status: i.response.status.code,
      contentType: ct,
      responseBody: i.response.body.string,
    };
  });
}

/** Path + query of an absolute recorded URI (host removed). */
export function recordedPath(uri: string): string {
  const u = new URL(uri);
  return `${u.pathname}${u.search}`;
}

function bodiesEqual(a: string | null, b: string): boolean {
  if ((a === null || a === '') && b === '') return true;
  if (a === null) return false;
  try {
    return isDeepStrictEqual(JSON.parse(a), JSON.parse(b));
  } catch {
    return a === b;
  }
}

function samePath(a: string, b: string): boolean {
  // The client normalises URLs (e.g. ":" in query values may be percent-encoded or not).
  const norm = (p: string): string => {
    const u = new URL(p, 'http://x');
    u.searchParams.sort();
    return `${u.pathname.replace(/\/+$/, '')}?${u.searchParams.toString()}`;
  };
  return norm(a) === norm(b);
}

export interface ReplayServer {
  /** Base URL replacing the recorded hosts, e.g. http://127.0.0.1:4321 */
  url: string;
  /** Rewrites a recorded absolute URI to the replay server. */
  local(uri: string): string;
  /** Requests answered from the recording, and ones that were not recorded. */
  served: LoopbackRequest[];
  unrecorded: LoopbackRequest[];
  close(): Promise<void>;
}

/**
 * Serves the interactions. A request that was not recorded gets an empty FeatureCollection
 * ("end of results", as a real API answers past the last page) when `unrecorded` is
 * 'empty-page', or a 404 when it is '404'; either way it is listed in `unrecorded`.
 */
export async function startReplayServer(interactions: Interaction[], unrecorded: 'empty-page' | '404' = 'empty-page'): Promise<ReplayServer> {
  const served: LoopbackRequest[] = [];
  const missed: LoopbackRequest[] = [];
  let base = '';
  const rewrite = (text: string): string => RECORDED_HOSTS.reduce((t, h) => t.split(h).join(base), text);
  const lb = await startLoopback((req, res) => {
    const hit = interactions.find((i) => i.method === req.method && samePath(recordedPath(i.uri), req.path) && bodiesEqual(i.body, req.body));
    if (!hit) {
      missed.push(req);
      if (unrecorded === '404') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'NotRecorded', description: `${req.method} ${req.path} is not in the cassette` }));
      } else {
        res.writeHead(200, { 'content-type': 'application/geo+json' });
        res.end(JSON.stringify({ type: 'FeatureCollection', features: [], links: [] }));
      }
      return;
    }
    served.push(req);
    const body = rewrite(hit.responseBody);
    res.writeHead(hit.status, { 'content-type': hit.contentType, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  });
  base = lb.url;
  return {
    url: base,
    local: (uri) => rewrite(uri),
    served,
    unrecorded: missed,
    close: () => lb.close(),
  };
}
