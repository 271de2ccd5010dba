// Planetary Computer asset signing: blobs on *.blob.core.windows.net need a SAS token per storage
// account/container from PC's token endpoint. Tokens are cached in memory (never on disk: they are
// credentials) and renewed when under 60 s remain before "msft:expiry"; concurrent callers share
// one token request; the endpoint's 429s go through the HTTP client's backoff.

import { StacError } from '../errors.js';
import type { HttpClient } from './http.js';
import { fetchJson } from './fetch-json.js';

export const PC_TOKEN_URL = 'https://planetarycomputer.microsoft.com/api/sas/v1/token';

/** PC's STAC API path; its SAS endpoint sits beside it on the same host (`/api/sas/v1/token`). */
const PC_STAC_PATH = /\/api\/stac\/v1\/?$/;

/** The token endpoint for a Planetary Computer STAC root: beside it when the root is overridden (a
 *  proxy or a test server answering as PC does), else PC's own. */
export function pcTokenUrlFor(stacUrl?: string): string {
  return stacUrl && PC_STAC_PATH.test(stacUrl) ? stacUrl.replace(PC_STAC_PATH, '/api/sas/v1/token') : PC_TOKEN_URL;
}

export interface PcSignerOptions {
  tokenUrl?: string;
  subscriptionKey?: string;
  /** Renew a token when fewer than this many ms remain (default 60000). */
  refreshMarginMs?: number;
  now?: () => number;
}

interface Token {
  token: string;
  expiresAt: number;
}

/** The one test for a Planetary Computer blob link: https://<account>.blob.core.windows.net/<container>/... */
const BLOB = /^https:\/\/([a-z0-9]+)\.blob\.core\.windows\.net\/([^/?#]+)\//i;

/** Whether an href is a blob that needs a SAS token to be read. */
export function isPcBlobHref(href: string): boolean {
  return BLOB.test(href);
}

export class PcSigner {
  private readonly tokens = new Map<string, Token>();
  private readonly pending = new Map<string, Promise<Token>>();
  private readonly tokenUrl: string;
  private readonly margin: number;
  private readonly now: () => number;
  /** Token endpoint calls made (tests, summaries). */
  tokenRequests = 0;

  constructor(
    private readonly http: HttpClient,
    private readonly opts: PcSignerOptions = {},
  ) {
    this.tokenUrl = (opts.tokenUrl ?? PC_TOKEN_URL).replace(/\/+$/, '');
    this.margin = opts.refreshMarginMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** Appends a valid SAS token to a blob href; other hrefs (and already signed ones) pass unchanged. */
  async sign(href: string): Promise<string> {
    const m = BLOB.exec(href);
    if (!m || /[?&]sig=/.test(href)) return href;
    const token = await this.token(m[1]!.toLowerCase(), m[2]!);
    return `${href}${href.includes('?') ? '&' : '?'}${token}`;
  }

  async token(account: string, container: string): Promise<string> {
    const key = `${account}/${container}`;
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt - this.now() > this.margin) return cached.token;
    let p = this.pending.get(key);
    if (!p) {
      p = this.fetchToken(account, container).finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    const t = await p;
    this.tokens.set(key, t);
    return t.token;
  }

  private async fetchToken(account: string, container: string): Promise<Token> {
    const url = `${this.tokenUrl}/${account}/${container}`;
    this.tokenRequests++;
    const json = await fetchJson(
      this.http,
      {
        method: 'GET',
        url,
        cache: false,
        ...(this.opts.subscriptionKey ? { headers: { 'Ocp-Apim-Subscription-Key': this.opts.subscriptionKey } } : {}),
      },
      'a SAS token document {"msft:expiry": ..., "token": ...}',
    );
    const expiry = typeof json['msft:expiry'] === 'string' ? Date.parse(json['msft:expiry']) : NaN;
    if (typeof json.token !== 'string' || json.token === '' || Number.isNaN(expiry)) {
      throw new StacError(`${url}: expected a SAS token document {"msft:expiry": <RFC 3339>, "token": <string>}, got keys ${JSON.stringify(Object.keys(json))}`);
    }
    return { token: json.token, expiresAt: expiry };
  }
}
