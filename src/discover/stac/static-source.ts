// StacSource over a static catalog (the demo default): the catalog is walked once, then every
// search filters it with the same matching rules as the loopback STAC API server.

import type { SceneItem } from '../../model/types.js';
import type { HttpClient } from '../../net/http.js';
import { StacError } from '../../errors.js';
import { fetchJson } from '../../net/fetch-json.js';
import { parseItem } from './parse-item.js';
import { loadStaticCatalog, readLocalJson, type CatalogEntry } from './static-catalog.js';
import { compileSearch, matchesSearch } from './search-match.js';
import { sourceHttpClient } from './source-http.js';
import type { SearchRequest, StacSource, StacSourceOptions, StacStats } from './types.js';

export class StaticStacSource implements StacSource {
  readonly provider = 'static' as const;
  private entries: Promise<CatalogEntry[]> | undefined;
  private readonly http: HttpClient;

  constructor(private readonly opts: StacSourceOptions & { catalog: string }) {
    this.http = sourceHttpClient(opts);
  }

  get stats(): StacStats {
    return this.http.stats;
  }

  private load(): Promise<CatalogEntry[]> {
    if (!this.entries) {
      const remote = /^https?:/i.test(this.opts.catalog);
      const read = remote
        ? (href: string) => fetchJson(this.http, { method: 'GET', url: href }, 'a STAC Catalog, Collection or Item')
        : readLocalJson;
      this.entries = loadStaticCatalog(this.opts.catalog, read);
      // A failed walk must not be remembered: the next search tries again.
      this.entries.catch(() => {
        this.entries = undefined;
      });
    }
    return this.entries;
  }

  async *search(req: SearchRequest): AsyncGenerator<SceneItem> {
    const q = compileSearch(req);
    if (!Number.isInteger(req.limit) || req.limit < 1) {
      throw new StacError(`search: limit ${JSON.stringify(req.limit)}: expected a positive integer page size`);
    }
    const seen = new Set<string>();
    for (const e of await this.load()) {
      if (!matchesSearch(e.item, q)) continue;
      const item = parseItem(e.item, { itemHref: e.href, bandAssets: this.opts.bandAssets });
      if (seen.has(item.id)) continue;
      seen.add(item.id);
      yield item;
    }
  }
}
