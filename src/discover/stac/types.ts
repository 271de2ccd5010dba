// The narrow interface between discovery (grid, batching, pairing) and STAC backends.
// Everything behind it (HTTP, paging, static catalogs, provider quirks, signing) is in this folder.

import type { BBox, SceneItem } from '../../model/types.js';
import type { HttpClientOptions } from '../../net/http.js';

export interface SearchRequest {
  collections: string[];
  /** WGS84 [minx, miny, maxx, maxy]. */
  bbox?: BBox;
  /** GeoJSON geometry in WGS84 (alternative to bbox). */
  intersects?: unknown;
  /** RFC 3339 interval "start/end" (either side may be ".." for open). */
  datetime: string;
  /** CQL2-JSON, sent with filter-lang cql2-json. */
  filter?: unknown;
  /** Explicit page size, always sent (servers default to 10 or 250 otherwise). */
  limit: number;
}

export interface StacStats {
  /** Network requests sent, retries included. */
  requests: number;
  /** Responses answered from the on-disk cache. */
  cacheHits: number;
  /** Attempts after the first. */
  retries: number;
}

export interface StacSource {
  /** Streams every matching item, following all pages; duplicates (by id) dropped. */
  search(req: SearchRequest): AsyncIterable<SceneItem>;
  /** Requests made so far (for summaries/benchmarks), and cache hits. */
  readonly stats: StacStats;
  /** Provider this source talks to. */
  readonly provider: StacSourceOptions['provider'];
}

export type StacProvider = 'static' | 'earth-search' | 'planetary-computer' | 'stac-api';

/** How a source's HttpClient retries, waits and caches (the HTTP layer's own options; tests inject fetch, sleep and clock). */
export type SourceHttpOptions = Pick<
  HttpClientOptions,
  'fetchImpl' | 'concurrency' | 'timeoutMs' | 'retries' | 'backoffBaseMs' | 'backoffMaxMs' | 'maxRetryAfterMs' | 'cacheDir' | 'sleep' | 'now' | 'onRetry'
>;

export interface StacSourceOptions extends SourceHttpOptions {
  provider: StacProvider;
  /** STAC API root (stac-api, or override the provider's default). */
  url?: string;
  /** Static catalog path or URL (catalog.json) for provider 'static'. */
  catalog?: string;
  /** Logical band name -> asset key; merged over the defaults of the provider. */
  bandAssets?: Record<string, string>;
  /** Planetary Computer subscription key (Ocp-Apim-Subscription-Key), optional. */
  subscriptionKey?: string;
  /**
   * How item search is sent: 'POST' (default for earth-search and planetary-computer), 'GET'
   * (query string), or 'auto' (default for stac-api: read the landing page once and use POST only
   * when a search link offers it).
   */
  searchMethod?: 'POST' | 'GET' | 'auto';
}
