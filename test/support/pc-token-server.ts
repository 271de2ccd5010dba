// A fake Planetary Computer SAS token endpoint on loopback: /api/sas/v1/token/{account}/{container}
// answers {"msft:expiry", "token"} with a token valid for `ttlMs` from the server clock, can
// answer 429 + Retry-After first, and records what it was asked (and the subscription header).

import { sendJson, startLoopback, type LoopbackRequest } from './loopback.js';

export interface TokenServer {
  /** Token endpoint root, e.g. http://127.0.0.1:1234/api/sas/v1/token */
  tokenUrl: string;
  log: LoopbackRequest[];
  /** Answer the next `n` requests with 429 (Retry-After: retryAfter). */
  throttle(n: number, retryAfter?: string): void;
  close(): Promise<void>;
}

export async function startTokenServer(opts: { ttlMs: number; now: () => number }): Promise<TokenServer> {
  const log: LoopbackRequest[] = [];
  let throttled = 0;
  let retryAfter: string | undefined;
  let issued = 0;
  const lb = await startLoopback((req, res) => {
    log.push(req);
    if (throttled > 0) {
      throttled--;
      return sendJson(res, 429, { message: 'Rate limit' }, retryAfter !== undefined ? { 'retry-after': retryAfter } : {});
    }
    const m = /^\/api\/sas\/v1\/token\/([^/]+)\/([^/?]+)$/.exec(req.path);
    if (!m) return sendJson(res, 404, { message: 'not found' });
    issued++;
    const expiry = new Date(opts.now() + opts.ttlMs).toISOString();
    return sendJson(res, 200, { 'msft:expiry': expiry, token: `sv=2021&sr=c&se=${encodeURIComponent(expiry)}&sig=${m[1]}-${m[2]}-${issued}` });
  });
  return {
    tokenUrl: `${lb.url}/api/sas/v1/token`,
    log,
    throttle: (n, ra) => {
      throttled = n;
      retryAfter = ra;
    },
    close: () => lb.close(),
  };
}
