// The one HttpClient a StacSource talks through, built from the source options the same way for
// every provider (static catalogs served over HTTP get the same retry and backoff settings).
import { HttpClient } from '../../net/http.js';
import type { StacSourceOptions } from './types.js';

export function sourceHttpClient(opts: StacSourceOptions, headers: Record<string, string> = {}): HttpClient {
  const { fetchImpl, concurrency, timeoutMs, retries, backoffBaseMs, backoffMaxMs, maxRetryAfterMs, cacheDir, sleep, now, onRetry } = opts;
  return new HttpClient({ fetchImpl, concurrency, timeoutMs, retries, backoffBaseMs, backoffMaxMs, maxRetryAfterMs, cacheDir, headers, sleep, now, onRetry });
}
