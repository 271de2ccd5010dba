// The one HTTP client of the product: bounded concurrency (p-limit), per-attempt timeout that also
// covers a body that stalls half-way, retries with full-jitter exponential backoff on 429/5xx/
// resets/timeouts honouring Retry-After, an optional on-disk cache of successful bodies, and
// failures reported as HttpError (URL, status, attempts) or StacError-style JSON errors by callers.
// Built on node-fetch by default (any fetch can be injected); see docs/decisions.md "HTTP client".

import nodeFetch from 'node-fetch';
import pLimit from 'p-limit';
import { HttpError } from '../errors.js';
import { cacheKey, ResponseCache } from './response-cache.js';
import { isRetryableNetworkError, isRetryableStatus, parseRetryAfter, retryDelay } from './retry-policy.js';

/** The subset of a fetch Response the client uses, so node-fetch, undici or a fake can be plugged in. */
export interface ResponseLike {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}
export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}
export type FetchLike = (url: string, init: FetchInit) => Promise<ResponseLike>;

export interface HttpClientOptions {
  /** fetch implementation; default node-fetch 3 (Node's http module and its keep-alive agent). */
  fetchImpl?: FetchLike;
  /** Most requests in flight at once (default 4). */
  concurrency?: number;
  /** Limit per attempt, from sending to the last body byte, in ms (default 30000). */
  timeoutMs?: number;
  /** Most attempts per request, the first included (default 6). */
  retries?: number;
  /** First retry waits up to this many ms; doubles per attempt (default 500). */
  backoffBaseMs?: number;
  /** Cap of one computed backoff delay (default 30000 ms). */
  backoffMaxMs?: number;
  /** Cap on a server's Retry-After (default 120000 ms). */
  maxRetryAfterMs?: number;
  /** Directory of the on-disk response cache; no caching when absent. */
  cacheDir?: string;
  /** Headers sent with every request (e.g. a subscription key). */
  headers?: Record<string, string>;
  /** Injected for tests: how to wait, the random source of jitter, and the clock. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  /** Called before each retry wait (logging, tests). */
  onRetry?: (info: RetryInfo) => void;
}

export interface RetryInfo {
  url: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  /** Request body (JSON text for POST). */
  body?: string;
  headers?: Record<string, string>;
  /** Use the on-disk cache for this request (default true when the client has one). */
  cache?: boolean;
}

export interface HttpResult {
  status: number;
  contentType: string | null;
  body: string;
  fromCache: boolean;
}

export interface HttpStats {
  /** Network requests sent (every attempt counts). */
  requests: number;
  /** Requests answered from the on-disk cache. */
  cacheHits: number;
  /** Attempts after the first (included in `requests`). */
  retries: number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

class AttemptTimeout extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'AttemptTimeout';
  }
}

/** Outcome of one attempt, classified so the retry loop stays small. */
type Attempt =
  | { kind: 'ok'; result: HttpResult }
  | { kind: 'retry'; status?: number; reason: string; retryAfterMs?: number; cause?: unknown }
  | { kind: 'fail'; status?: number; detail: string; cause?: unknown };

export class HttpClient {
  readonly stats: HttpStats = { requests: 0, cacheHits: 0, retries: 0 };
  private readonly fetchImpl: FetchLike;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly cache: ResponseCache | undefined;
  private readonly o: Required<
    Pick<HttpClientOptions, 'timeoutMs' | 'retries' | 'backoffBaseMs' | 'backoffMaxMs' | 'maxRetryAfterMs'>
  >;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly options: HttpClientOptions = {}) {
    this.fetchImpl = options.fetchImpl ?? (nodeFetch as unknown as FetchLike);
    this.limit = pLimit(Math.max(1, options.concurrency ?? 4));
    this.cache = options.cacheDir ? new ResponseCache(options.cacheDir) : undefined;
    this.o = {
      timeoutMs: options.timeoutMs ?? 30_000,
      retries: Math.max(1, options.retries ?? 6),
      backoffBaseMs: options.backoffBaseMs ?? 500,
      backoffMaxMs: options.backoffMaxMs ?? 30_000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 120_000,
    };
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** Sends the request (or answers from the cache) and returns a 2xx body; throws HttpError otherwise. */
  async request(req: HttpRequest): Promise<HttpResult> {
    const useCache = this.cache !== undefined && req.cache !== false;
    const key = useCache ? cacheKey(req.method, req.url, req.body) : '';
    if (useCache) {
      const hit = await this.cache!.get(key);
      if (hit) {
        this.stats.cacheHits++;
        return { status: hit.status, contentType: hit.contentType, body: hit.body, fromCache: true };
      }
    }
    const result = await this.withRetries(req);
    if (useCache) {
      // Only successes reach here: error responses are never cached.
      await this.cache!.put(key, { status: result.status, contentType: result.contentType, body: result.body });
    }
    return result;
  }

  private async withRetries(req: HttpRequest): Promise<HttpResult> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.limit(() => this.attempt(req));
      if (outcome.kind === 'ok') return outcome.result;
      if (outcome.kind === 'fail') throw new HttpError(req.url, outcome.status, attempt, outcome.detail, outcome.cause);
      if (attempt >= this.o.retries) {
        const detail = outcome.status === undefined ? outcome.reason : '';
        throw new HttpError(req.url, outcome.status, attempt, detail, outcome.cause);
      }
      const delayMs = retryDelay(
        attempt,
        outcome.retryAfterMs,
        { baseMs: this.o.backoffBaseMs, maxMs: this.o.backoffMaxMs, maxRetryAfterMs: this.o.maxRetryAfterMs },
        this.random,
      );
      this.options.onRetry?.({ url: req.url, attempt, delayMs, reason: outcome.reason });
      this.stats.retries++;
      await this.sleep(delayMs);
    }
  }

  private async attempt(req: HttpRequest): Promise<Attempt> {
    this.stats.requests++;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    // One deadline for headers and body: a server that sends headers and then stalls is a timeout too.
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new AttemptTimeout(this.o.timeoutMs);
        controller.abort(err);
        reject(err);
      }, this.o.timeoutMs);
    });
    deadline.catch(() => undefined);
    try {
      const headers: Record<string, string> = { accept: 'application/geo+json, application/json', ...this.options.headers, ...req.headers };
      if (req.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
        headers['content-type'] = 'application/json';
      }
      const res = await Promise.race([
        this.fetchImpl(req.url, { method: req.method, headers, body: req.body, signal: controller.signal }),
        deadline,
      ]);
      const body = await Promise.race([res.text(), deadline]);
      const contentType = res.headers.get('content-type');
      if (res.status >= 200 && res.status < 300) {
        return { kind: 'ok', result: { status: res.status, contentType, body, fromCache: false } };
      }
      if (isRetryableStatus(res.status)) {
        const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.now());
        return { kind: 'retry', status: res.status, reason: `HTTP ${res.status}`, retryAfterMs };
      }
      return { kind: 'fail', status: res.status, detail: shortDetail(body) };
    } catch (e) {
      if (e instanceof AttemptTimeout || controller.signal.aborted) {
        return { kind: 'retry', reason: `timed out (${this.o.timeoutMs} ms limit)`, cause: e };
      }
      if (isRetryableNetworkError(e)) {
        return { kind: 'retry', reason: `connection failed (${networkReason(e)})`, cause: e };
      }
      return { kind: 'fail', detail: `request failed (${networkReason(e)})`, cause: e };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** First line of an error body, trimmed, for the error message (servers often explain a 400 there). */
function shortDetail(body: string): string {
  let text = body.trim();
  try {
    const j = JSON.parse(text) as { description?: unknown; detail?: unknown; message?: unknown };
    const m = j.description ?? j.detail ?? j.message;
    if (typeof m === 'string') text = m;
  } catch {
    // not JSON: use the raw text
  }
  const line = text.split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

function networkReason(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; depth < 4 && cur; depth++) {
    const code = (cur as { code?: unknown }).code;
    const message = (cur as { message?: unknown }).message;
    if (typeof code === 'string') parts.push(code);
    else if (typeof message === 'string' && parts.length === 0) parts.push(message);
    cur = (cur as { cause?: unknown }).cause;
  }
  return parts.join(': ') || String(e);
}
