// The one HttpClient a StacSource talks through, built from the source options the same way for
// every provider (static catalogs served over HTTP get the same retry and backoff settings).
import { HttpClient } from '../../net/http.js';
import type { StacSourceOptions } from './types.js';

export function sourceHttpClient(opts: StacSourceOptions, headers: Record<string, string> = {}): HttpClient {
  return new HttpClient({
    fetchImpl: opts.fetchImpl,
    concurrency: opts.concurrency,
    timeoutMs: opts.timeoutMs,
    retries: opts.retries,
    backoffBaseMs: opts.backoffBaseMs,
    backoffMaxMs: opts.backoffMaxMs,
    maxRetryAfterMs: opts.maxRetryAfterMs,
    cacheDir: opts.cacheDir,
    headers,
    sleep: opts.sleep,
    now: opts.now,
    onRetry: opts.onRetry,
  });
}
