// End-to-end harness: a small demo pipeline (one place of the demo world, no sampling, two tiles per
// shard) run by `node bin/terrafm.mjs` in child processes, against a loopback STAC API over the demo
// catalog (test/support/stac-server.ts) and, when asked, a loopback asset server with range support.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDemoWorld, DEFAULT_DEMO_DIR } from '../../src/demo/ensure.js';
import { loadStaticCatalog, type CatalogEntry } from '../../src/discover/stac/static-catalog.js';
import { iterateTiles } from '../../src/shard/reader.js';
import { startStacServer, type StacTestServer } from '../support/stac-server.js';
import { sendFileBytes } from '../support/range-response.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(repoRoot, 'bin', 'terrafm.mjs');

const made: string[] = [];
export function tempDir(tag: string): string {
  const d = mkdtempSync(path.join(tmpdir(), `terrafm-e2e-${tag}-`));
  made.push(d);
  return d;
}
/** Removes every directory tempDir made (call from afterAll). */
export function cleanupTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export async function demoEntries(): Promise<CatalogEntry[]> {
  await ensureDemoWorld(DEFAULT_DEMO_DIR);
  return loadStaticCatalog(path.join(DEFAULT_DEMO_DIR, 'catalog.json'));
}

/** Entries whose asset hrefs point at `base` + the file path (for the loopback asset server). */
export function remoteAssets(entries: CatalogEntry[], base: string, rewrite: (href: string) => string = (h) => h): CatalogEntry[] {
  return entries.map((e) => {
    const assets = structuredClone((e.item.assets ?? {}) as Record<string, { href: string }>);
    for (const a of Object.values(assets)) if (a.href.startsWith('/')) a.href = `${base}${rewrite(a.href)}`;
    return { ...e, item: { ...e.item, assets } };
  });
}

export interface PipelineOpts {
  stacUrl: string;
  /** Lake Constance by default (one UTM zone). */
  bbox?: [number, number, number, number];
  time?: [string, string];
  maxRows?: number;
  /** Extra YAML appended (e.g. a tile section). */
  extra?: string;
}

/** Writes the test pipeline and returns its path. */
export function writePipeline(dir: string, o: PipelineOpts): string {
  const [w, s, e, n] = o.bbox ?? [8.9659, 47.7168, 9.0341, 47.7628];
  const [t0, t1] = o.time ?? ['2021-01-01', '2023-12-31'];
  // The loopback API serves the demo catalog's items, which name local files: the access policy lets an
  // API name local files only under asset_roots, so the demo world is listed there.
  const src = (coll: string) => `    provider: stac-api\n    url: ${o.stacUrl}\n    collection: ${coll}\n    asset_roots: [${JSON.stringify(path.resolve(DEFAULT_DEMO_DIR))}]\n`;
  const text = `version: 1
name: e2e
area:
  bbox: [${w}, ${s}, ${e}, ${n}]
time: { start: ${t0}, end: ${t1} }
grid: { cell_size_km: 2.56, tile_size_px: 256, resolution_m: 10 }
sources:
  s2_l2a:
${src('sentinel-2-l2a')}    cloud_max: 60
  s2_l1c:
${src('sentinel-2-l1c')}    cloud_max: 60
  s1:
${src('sentinel-1-rtc')}    product: rtc
  landcover:
${src('esa-worldcover')}pairing: { window_days: 10 }
discover: { concurrency: 2, max_attempts: 4 }
shard: { max_rows: ${o.maxRows ?? 2} }
${o.extra ?? ''}`;
  const file = path.join(dir, 'pipeline.yaml');
  writeFileSync(file, text);
  return file;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  stdout: string;
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<Exit> } {
  const child = spawn(process.execPath, [BIN, ...args, '--log-format', 'text'], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  const done = new Promise<Exit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr, stdout })));
  return { child, done };
}

export function cli(args: string[], env?: NodeJS.ProcessEnv): Promise<Exit> {
  return spawnCli(args, env).done;
}

/**
 * Runs `args`, SIGKILLs the process as soon as `when()` is true (polled every 10 ms), and returns how it
 * ended. Fails the test if the process finished before the moment came.
 */
export async function killWhen(args: string[], when: () => boolean): Promise<Exit> {
  const { child, done } = spawnCli(args);
  let finished = false;
  void done.then(() => (finished = true));
  while (!finished) {
    if (when()) {
      child.kill('SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const exit = await done;
  if (exit.signal !== 'SIGKILL') throw new Error(`the run ended (code ${exit.code}) before the kill point was reached:\n${exit.stderr}`);
  return exit;
}

export function journalLines(runDir: string): number {
  const f = path.join(runDir, 'state', 'tile-journal.jsonl');
  if (!existsSync(f)) return 0;
  return readFileSync(f, 'utf8').split('\n').filter((l) => l.includes('"kind":"shard"')).length;
}

export function hasTmpShard(runDir: string): boolean {
  const d = path.join(runDir, 'corpus');
  return existsSync(d) && readdirSync(d).some((f) => f.endsWith('.parquet.tmp'));
}

/** Every file of a corpus directory by name -> sha256. */
export function corpusFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) out[f] = createHash('sha256').update(readFileSync(path.join(dir, f))).digest('hex');
  return out;
}

/** tile id -> sha256 of every tensor's bytes and the land-cover raster, read back from the shards. */
export async function tileDigests(corpusDir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const t of iterateTiles(corpusDir)) {
    const h = createHash('sha256');
    for (const m of Object.keys(t.modalities).sort()) {
      const x = t.modalities[m as keyof typeof t.modalities]!;
      h.update(m).update(new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength));
    }
    h.update(t.landcover);
    out.set(t.tileId, h.digest('hex'));
  }
  return out;
}

/** Loopback asset server with range support: the first `failFirst` requests answer 503; `missing` paths 404; `corrupt` paths have a broken header;
 *  with `token`, requests without `sig=<token>` in the query answer 403 (a SAS-protected store). */
export async function startAssetServer(opts: { failFirst?: number; missing?: (p: string) => boolean; corrupt?: (p: string) => boolean; token?: string } = {}): Promise<{ url: string; requests: string[]; failed: () => number; close: () => Promise<void> }> {
  const requests: string[] = [];
  let failed = 0;
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = decodeURIComponent(url.pathname);
    requests.push(`${req.method} ${p}`);
    if (opts.token !== undefined && url.searchParams.get('sig') !== opts.token) {
      res.writeHead(403).end('AuthenticationFailed');
      return;
    }
    if (failed < (opts.failFirst ?? 0)) {
      failed++;
      res.writeHead(503).end('busy');
      return;
    }
    if (opts.missing?.(p)) {
      res.writeHead(404).end('not found');
      return;
    }
    let buf: Buffer;
    try {
      buf = await readFile(p);
    } catch {
      res.writeHead(404).end('not found');
      return;
    }
    // corrupt: same size, TIFF header overwritten (what a broken upload or bit rot looks like)
    if (opts.corrupt?.(p)) buf = Buffer.concat([Buffer.alloc(16, 0x58), buf.subarray(16)]);
    sendFileBytes(req, res, buf);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    failed: () => failed,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

export { startStacServer, type StacTestServer };

/** The two 32TNT scenes the fault tests break: one answers 404, the other has a broken TIFF header. */
export const MISSING_SCENE = /S2B_32TNT_20220722_0_L2A\/B\w+\.tif$/;
export const CORRUPT_SCENE = /S2A_32TNT_20210508_0_L2A\/B\w+\.tif$/;

/** beforeAll/afterAll of an e2e file: the demo catalog's entries, servers closed and temp dirs removed at the end. */
export function e2eLifecycle(): { entries: () => CatalogEntry[]; closeLater: (...close: (() => Promise<void>)[]) => void } {
  let entries: CatalogEntry[] = [];
  const closers: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    entries = await demoEntries();
  }, 60_000);
  afterAll(async () => {
    for (const c of closers) await c();
    cleanupTempDirs();
  });
  return { entries: () => entries, closeLater: (...close) => closers.push(...close) };
}
