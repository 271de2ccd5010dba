// A tiny HTTP server on 127.0.0.1 with a random port, for tests and benchmarks. close() also
// destroys open sockets, so stalled responses (fault injection) never keep a test waiting.

import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface LoopbackRequest {
  method: string;
  /** Path with query string, e.g. /v1/search?limit=10 */
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type LoopbackHandler = (req: LoopbackRequest, res: http.ServerResponse, raw: http.IncomingMessage) => void | Promise<void>;

export interface Loopback {
  url: string;
  /** TCP connections accepted so far (connection reuse shows as few connections). */
  connections(): number;
  close(): Promise<void>;
}

export async function startLoopback(handler: LoopbackHandler): Promise<Loopback> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = http.createServer((raw, res) => {
    const chunks: Buffer[] = [];
    raw.on('data', (c: Buffer) => chunks.push(c));
    raw.on('end', () => {
      const req: LoopbackRequest = { method: raw.method ?? 'GET', path: raw.url ?? '/', headers: raw.headers, body: Buffer.concat(chunks).toString('utf8') };
      Promise.resolve(handler(req, res, raw)).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'TestServerError', description: String(e) }));
      });
    });
  });
  server.keepAliveTimeout = 5000;
  server.on('connection', (s) => {
    accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: http.ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}
