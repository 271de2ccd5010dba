// Discovery throughput against the loopback STAC API: many bbox/datetime queries (several pages
// each) at request concurrency 1, 4 and 16; the cost of a fully cached rerun; and the raw request
// rate of Node's built-in fetch (undici) against node-fetch on the same server.
// Run alone: npx tsx bench/discover-stac.bench.ts

import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodeFetch from 'node-fetch';
import pLimit from 'p-limit';
import { openStacSource } from '../src/discover/stac/index.js';
import type { SearchRequest, StacSource, StacSourceOptions } from '../src/discover/stac/types.js';
import type { CatalogEntry } from '../src/discover/stac/static-catalog.js';
import { HttpClient, type FetchLike } from '../src/net/http.js';
import { realItems } from '../test/support/stac-fixtures.js';
import { startLoopback } from '../test/support/loopback.js';
import { startStacServer } from '../test/support/stac-server.js';
import type { BenchContext } from './harness.js';

/** Real items copied onto a lon/lat lattice and a run of days: `copies` x 53 items. */
function syntheticEntries(copies: number): CatalogEntry[] {
  const base = realItems();
  const out: CatalogEntry[] = [];
  for (let c = 0; c < copies; c++) {
    const dx = (c % 20) * 2 - 20;
    const dy = Math.floor(c / 20) * 2 - 10;
    const day = c % 30;
    for (const it of base) {
      const b = it.bbox as number[];
      const w = Math.min(1, b[2]! - b[0]!);
      const h = Math.min(1, b[3]! - b[1]!);
      const x0 = dx + (b[0]! - Math.floor(b[0]!));
      const y0 = dy + (b[1]! - Math.floor(b[1]!));
      const ring = [[x0, y0], [x0 + w, y0], [x0 + w, y0 + h], [x0, y0 + h], [x0, y0]];
      const props = { ...(it.properties as Record<string, unknown>), datetime: new Date(Date.UTC(2024, 5, 1 + day, 10)).toISOString() };
      out.push({
        href: `mem://${c}/${it.id}`,
        item: { ...it, id: `${it.id}_c${c}`, bbox: [x0, y0, x0 + w, y0 + h], geometry: { type: 'Polygon', coordinates: [ring] }, properties: props },
      });
    }
  }
  return out;
}

/** Queries: 2x2 degree boxes over the lattice, each over a 10-day window; pages of `limit`. */
function queries(n: number): SearchRequest[] {
  const out: SearchRequest[] = [];
  for (let i = 0; i < n; i++) {
    const x = (i % 20) * 2 - 20;
    const y = (Math.floor(i / 20) % 10) * 2 - 10;
    const d = 1 + (i % 3) * 10;
    out.push({
      collections: ['sentinel-2-l2a', 'sentinel-2-c1-l2a', 'sentinel-2-l1c', 'sentinel-1-grd'],
      bbox: [x, y, x + 1.99, y + 1.99],
      datetime: `2024-06-${String(d).padStart(2, '0')}T00:00:00Z/2024-06-${String(d + 9).padStart(2, '0')}T23:59:59Z`,
      limit: 10,
    });
  }
  return out;
}

async function runAll(src: StacSource, qs: SearchRequest[], parallel: number): Promise<number> {
  const limit = pLimit(parallel);
  const counts = await Promise.all(
    qs.map((q) =>
      limit(async () => {
        let n = 0;
        for await (const _ of src.search(q)) n++;
        return n;
      }),
    ),
  );
  return counts.reduce((a, b) => a + b, 0);
}

export default async function bench(ctx: BenchContext): Promise<void> {
  const copies = ctx.quick ? 20 : 100;
  const nQueries = ctx.quick ? 20 : 100;
  const reps = ctx.quick ? 1 : 3;
  const server = await startStacServer({ entries: syntheticEntries(copies) });
  const qs = queries(nQueries);
  try {
    for (const concurrency of [1, 4, 16]) {
      const itemsPerS: number[] = [];
      const reqPerS: number[] = [];
      let items = 0;
      let requests = 0;
      for (let r = 0; r < reps; r++) {
        const src = openStacSource({ provider: 'stac-api', url: server.url, concurrency });
        const t0 = performance.now();
        items = await runAll(src, qs, concurrency);
        const s = (performance.now() - t0) / 1000;
        requests = src.stats.requests;
        itemsPerS.push(items / s);
        reqPerS.push(requests / s);
      }
      const note = `${nQueries} queries, ${items} items, ${requests} requests (pages of 10), loopback server of ${copies * 53} items in the same process, 2 cores`;
      ctx.record({ name: `discover items, concurrency ${concurrency}`, unit: 'items/s', values: itemsPerS, note });
      ctx.record({ name: `discover requests, concurrency ${concurrency}`, unit: 'requests/s', values: reqPerS, note });
    }

    // Fully cached rerun: first run fills the cache, reruns must make zero requests.
    const cacheDir = mkdtempSync(path.join(ctx.tmpDir ?? os.tmpdir(), 'stac-cache-'));
    const opts: StacSourceOptions = { provider: 'stac-api', url: server.url, concurrency: 4, cacheDir };
    const cold = openStacSource(opts);
    const tc = performance.now();
    await runAll(cold, qs, 4);
    const coldMs = performance.now() - tc;
    const warmMs: number[] = [];
    for (let r = 0; r < reps; r++) {
      const warm = openStacSource(opts);
      const t0 = performance.now();
      await runAll(warm, qs, 4);
      warmMs.push(performance.now() - t0);
      if (warm.stats.requests !== 0) throw new Error(`cached rerun made ${warm.stats.requests} requests`);
    }
    ctx.record({ name: 'cached rerun (0 requests)', unit: 'ms', values: warmMs, note: `${nQueries} queries, ${cold.stats.requests} cached pages; cold run with cache writes took ${coldMs.toFixed(0)} ms` });

    // Transport choice: a fixed ~40 KB search page from a trivial server (so the client side
    // dominates), 16 in flight, built-in fetch vs node-fetch.
    const pageBody = JSON.stringify({ type: 'FeatureCollection', features: realItems().slice(0, 10), links: [] });
    const fixed = await startLoopback((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/geo+json', 'content-length': String(Buffer.byteLength(pageBody)) });
      res.end(pageBody);
    });
    const page = `${fixed.url}/search`;
    const body = JSON.stringify({ ...qs[0], limit: 10 });
    const impls: [string, FetchLike][] = [
      ['built-in fetch (undici)', globalThis.fetch as unknown as FetchLike],
      ['node-fetch 3', nodeFetch as unknown as FetchLike],
    ];
    const n = ctx.quick ? 200 : 1000;
    for (const [name, fetchImpl] of impls) {
      const rates: number[] = [];
      for (let r = 0; r < reps; r++) {
        const http = new HttpClient({ fetchImpl, concurrency: 16 });
        const t0 = performance.now();
        await Promise.all(Array.from({ length: n }, () => http.request({ method: 'POST', url: page, body })));
        rates.push(n / ((performance.now() - t0) / 1000));
      }
      ctx.record({ name: `POST /search page, ${name}, 16 in flight`, unit: 'requests/s', values: rates, note: `${n} requests of one fixed 10-item page (${(pageBody.length / 1024).toFixed(0)} KB) per repetition` });
    }
    await fixed.close();
  } finally {
    await server.close();
  }
}

// Standalone run prints the figures.
if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const ctx: BenchContext = {
    record: (f) => console.log(`${f.name}: ${f.values.map((v) => v.toFixed(1)).join(', ')} ${f.unit}${f.note ? `  (${f.note})` : ''}`),
    peakRssMiB: () => process.resourceUsage().maxRSS / 1024,
    quick: process.env.BENCH_QUICK === '1',
    tmpDir: mkdtempSync(path.join(os.tmpdir(), 'bench-')),
  };
  await bench(ctx);
}
