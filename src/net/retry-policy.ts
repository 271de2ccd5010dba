// Pure retry decisions for HTTP: which failures are worth another attempt and how long to wait.
// Kept free of I/O so the policy is tested with exact numbers (injected random and clock).

/** Statuses that say "try again later" rather than "your request is wrong". */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * Milliseconds a `Retry-After` header asks us to wait, or undefined when absent/unreadable.
 * The header is either delta-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT");
 * a date in the past means "now" (0).
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

export interface BackoffOptions {
  /** Base delay of the first retry in ms. */
  baseMs: number;
  /** Upper bound of any single computed delay in ms. */
  maxMs: number;
}

/**
 * "Full jitter" exponential backoff: a uniform draw in [0, min(max, base * 2^(attempt-1))).
 * Spreading retries uniformly avoids many clients hammering a recovering server in lockstep.
 * `attempt` is the number of the attempt that just failed (1 for the first).
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Delay before the next attempt: the server's Retry-After when it gave one (capped, because a
 * server asking for an hour should fail the run rather than hang it), else jittered backoff.
 */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  opts: BackoffOptions & { maxRetryAfterMs: number },
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, opts.maxRetryAfterMs);
  return backoffDelay(attempt, opts, random);
}

/** Network-level failures (no HTTP status) that are transient: resets, refused, DNS hiccups, timeouts. */
export function isRetryableNetworkError(err: unknown): boolean {
  const codes = new Set([
    'ECONNRESET',
    'ECONNREFUSED',
    'EPIPE',
    'ETIMEDOUT',
    'EAI_AGAIN',
    'ENOTFOUND',
    'UND_ERR_SOCKET',
    'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_HEADERS_TIMEOUT',
    'UND_ERR_BODY_TIMEOUT',
    'UND_ERR_CLOSED',
  ]);
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && codes.has(code)) return true;
    const name = (e as { name?: unknown }).name;
    const message = String((e as { message?: unknown }).message ?? '');
    // undici wraps socket failures in TypeError('fetch failed'); node-fetch uses FetchError type 'system'.
    if (name === 'TypeError' && message === 'fetch failed') return true;
    if (name === 'FetchError' && (e as { type?: unknown }).type === 'system') return true;
    if (/socket hang up|premature close|terminated|other side closed/i.test(message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
