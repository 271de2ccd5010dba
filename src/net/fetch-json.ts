// JSON over the HTTP client: a body that is not the JSON we expect is a StacError naming the URL.

import { StacError } from '../errors.js';
import type { HttpClient, HttpRequest } from './http.js';

export async function fetchJson(http: HttpClient, req: HttpRequest, expected: string): Promise<Record<string, unknown>> {
  const res = await http.request(req);
  let value: unknown;
  try {
    value = JSON.parse(res.body);
  } catch (e) {
    const snippet = res.body.length > 60 ? `${res.body.slice(0, 60)}...` : res.body;
    throw new StacError(`${req.url}: response is not valid JSON (${(e as Error).message}); expected ${expected}; body starts ${JSON.stringify(snippet)}`, e);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new StacError(`${req.url}: expected ${expected}, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`);
  }
  return value as Record<string, unknown>;
}
