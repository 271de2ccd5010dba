// StacSource over a STAC API (Earth Search, Planetary Computer or any by URL).

import type { SceneItem } from '../../model/types.js';
import { StacError } from '../../errors.js';
import type { HttpClient } from '../../net/http.js';
import { evaluateCql2 } from './cql2.js';
import { fetchJson } from '../../net/fetch-json.js';
import { fetchPages, type Page, type PageRequest } from './paging.js';
import { parseItem } from './parse-item.js';
import { PROVIDERS } from './providers.js';
import { sourceHttpClient } from './source-http.js';
import { firstPageRequest, searchBody } from './search-body.js';
import { compileSearch } from './search-match.js';
import type { SearchRequest, StacSource, StacSourceOptions, StacStats } from './types.js';

export class StacApiSource implements StacSource {
  readonly provider: StacSourceOptions['provider'];
  readonly root: string;
  readonly http: HttpClient;
  private method: Promise<'GET' | 'POST'> | undefined;
  /** Items the server returned that failed the client-side CQL2 re-check. */
  rejected = 0;

  constructor(private readonly opts: StacSourceOptions) {
    this.provider = opts.provider;
    const root = opts.url ?? PROVIDERS[opts.provider].url;
    if (!root) throw new StacError(`provider ${opts.provider}: no url given; expected the STAC API root, e.g. https://earth-search.aws.element84.com/v1`);
    this.root = root.replace(/\/+$/, '');
    const headers: Record<string, string> = {};
    if (opts.subscriptionKey && opts.provider === 'planetary-computer') headers['Ocp-Apim-Subscription-Key'] = opts.subscriptionKey;
    this.http = sourceHttpClient(opts, headers);
  }

  get stats(): StacStats {
    return this.http.stats;
  }

  async *search(req: SearchRequest): AsyncGenerator<SceneItem> {
    compileSearch(req); // validates bbox/intersects/datetime/filter before any request
    searchBody(req); // and the limit
    const maxLimit = PROVIDERS[this.provider].maxLimit;
    const limited = maxLimit && req.limit > maxLimit ? { ...req, limit: maxLimit } : req;
    const first = firstPageRequest(this.root, limited, await this.searchMethod());
    // The server's filtering is re-checked for the CQL2 part (servers have ignored operators they
    // do not know, see cql2-normalise.ts); geometry and time are left to the server, whose
    // geodesic or antimeridian rules may legitimately differ from our planar test.
    const filter = req.filter;
    yield* this.items(first, filter === undefined ? undefined : (raw) => evaluateCql2(filter, raw));
  }

  /** Items of a search given as its first raw page request (replays, advanced use); deduped by id. */
  async *items(first: PageRequest, accept?: (raw: Record<string, unknown>) => boolean): AsyncGenerator<SceneItem> {
    const seen = new Set<string>();
    for await (const page of this.pages(first)) {
      // A next link with a new token that serves only items already delivered is a loop in
      // disguise (same page under another token); stop rather than page forever.
      if (page.index > 1 && page.features.length > 0 && page.features.every((f) => seen.has(String(f.id)))) {
        throw new StacError(
          `${page.request.url}: the server repeated a page: all ${page.features.length} items of page ${page.index} were already delivered; stopped after ${page.index - 1} pages`,
        );
      }
      for (let i = 0; i < page.features.length; i++) {
        if (accept && !accept(page.features[i]!)) {
          this.rejected++;
          continue;
        }
        const item = parseItem(page.features[i], {
          pageHref: page.request.url,
          bandAssets: this.opts.bandAssets,
          where: `${page.request.url} page ${page.index} feature ${i}`,
        });
        if (seen.has(item.id)) continue;
        seen.add(item.id);
        yield item;
      }
    }
  }

  pages(first: PageRequest): AsyncGenerator<Page> {
    return fetchPages(this.http, first);
  }

  private searchMethod(): Promise<'GET' | 'POST'> {
    // Known providers take POST; an arbitrary API is asked once (landing page, cached on disk).
    const m = this.opts.searchMethod ?? (this.provider === 'stac-api' ? 'auto' : 'POST');
    if (m !== 'auto') return Promise.resolve(m);
    if (!this.method) {
      this.method = this.detectMethod();
      // A failed landing-page read is not remembered: the next search asks again.
      this.method.catch(() => {
        this.method = undefined;
      });
    }
    return this.method;
  }

  /** POST when the landing page offers a POST search link, else GET (STAC API item-search default). */
  private async detectMethod(): Promise<'GET' | 'POST'> {
    const landing = await fetchJson(this.http, { method: 'GET', url: this.root }, 'a STAC API landing page (Catalog with links)');
    const links = Array.isArray(landing.links) ? (landing.links as { rel?: string; method?: string }[]) : [];
    const search = links.filter((l) => l?.rel === 'search');
    if (search.length === 0) {
      throw new StacError(`${this.root}: landing page has no rel="search" link; expected a STAC API with item search`);
    }
    return search.some((l) => (l.method ?? 'GET').toUpperCase() === 'POST') ? 'POST' : 'GET';
  }
}
