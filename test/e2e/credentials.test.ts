// Credentials never leave memory: items from a loopback STAC API name assets with a SAS query string
// (as Planetary Computer signs them); the loopback asset server answers 403 without the signature.
// A run must read them (so the credentials are used) and then not one byte it wrote may hold the
// token: every file under the run directory, byte for byte, plus every value of every Parquet file
// decoded (zstd pages decompressed through the shard reader's codecs, so compressed pages cannot hide
// it), plus stdout/stderr. Also after failed reads, whose GDAL messages quote the signed /vsicurl/ path.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { readCompressors } from '../../src/shard/codec.js';
import { openCorpus, iterateTiles } from '../../src/shard/reader.js';
import { CORRUPT_SCENE, MISSING_SCENE, cli, e2eLifecycle, remoteAssets, startAssetServer, startStacServer, tempDir, writePipeline } from './helpers.js';

const TOKEN = 'c2VjcmV0LXNhcy1zaWduYXR1cmU';
const SAS = `st=2026-01-01T00%3A00%3A00Z&se=2026-01-02T00%3A00%3A00Z&sp=rl&sv=2021-06-08&sr=c&skoid=9f1c-key-oid&sig=${TOKEN}`;
const FAST_GDAL_RETRY = 'tile: { http: { max_retry: 2, retry_delay_s: 0.05 } }\n';

const { entries: demo, closeLater } = e2eLifecycle();

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Every decoded value of a Parquet file as text (binary as latin1, so any embedded ASCII shows). */
async function parquetText(file: string): Promise<string> {
  const b = readFileSync(file);
  const rows = await parquetReadObjects({ file: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer, compressors: readCompressors() });
  const parts: string[] = [];
  const walk = (v: unknown): void => {
    if (v instanceof Uint8Array) parts.push(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('latin1'));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    else parts.push(String(v));
  };
  rows.forEach(walk);
  return parts.join('\n');
}

/** Files (and decoded Parquet files) holding the token or the skoid; [] when clean. */
async function leaks(runDir: string): Promise<string[]> {
  const found: string[] = [];
  let parquets = 0;
  for (const f of filesUnder(runDir)) {
    const raw = readFileSync(f).toString('latin1');
    if (raw.includes(TOKEN) || raw.includes('9f1c-key-oid')) found.push(f);
    if (f.endsWith('.parquet')) {
      parquets++;
      const text = await parquetText(f);
      if (text.includes(TOKEN) || text.includes('9f1c-key-oid')) found.push(`${f} (decoded)`);
    }
  }
  expect(parquets).toBeGreaterThanOrEqual(2); // scenes.parquet and at least one shard were scanned
  return found;
}

async function servers(assetOpts: Parameters<typeof startAssetServer>[0]) {
  const assets = await startAssetServer({ ...assetOpts, token: TOKEN });
  const stac = await startStacServer({ entries: remoteAssets(demo(), assets.url, (h) => `${h}?${SAS}`) });
  closeLater(assets.close, stac.close);
  return { assets, stac };
}

describe('no credential in any output', () => {
  it('a run that reads SAS-signed assets succeeds and writes no token anywhere (files, decoded Parquet, logs)', async () => {
    const { assets, stac } = await servers({});
    const dir = tempDir('sas');
    const run = path.join(dir, 'run');
    const r = await cli(['run', writePipeline(dir, { stacUrl: stac.url, extra: FAST_GDAL_RETRY }), '--out', run, '--verbose']);
    expect(r.code, r.stderr).toBe(0);
    expect(assets.requests.length).toBeGreaterThan(0); // the signed hrefs were read
    expect(openCorpus(path.join(run, 'corpus')).manifest.tiles).toBeGreaterThan(0);
    expect(await leaks(run)).toEqual([]);
    expect(`${r.stdout}${r.stderr}`).not.toContain(TOKEN);
    // the shards name the asset without its query string: the unsigned href
    for await (const t of iterateTiles(path.join(run, 'corpus'))) {
      for (const h of t.modalities.s2_l2a?.hrefs ?? []) expect(h).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.*\.tif$/);
      break;
    }
  }, 120_000);

  it('failed reads of signed hrefs (404, corrupt, GDAL-cached errors) leave no token in failure rows, journal, run.json or logs', async () => {
    const missing = MISSING_SCENE;
    const corrupt = CORRUPT_SCENE;
    const { stac } = await servers({ missing: (p) => missing.test(p), corrupt: (p) => corrupt.test(p) });
    const dir = tempDir('sas-fail');
    const run = path.join(dir, 'run');
    const r = await cli(['run', writePipeline(dir, { stacUrl: stac.url, extra: FAST_GDAL_RETRY }), '--out', run, '--verbose']);
    expect(r.code, r.stderr).toBe(3);
    const rows = readFileSync(path.join(run, 'tile-failures.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { href: string; error: string });
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows) expect(row.href).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.*\.tif$/);
    // GDAL's own message quotes the path it opened (the signed one): it is kept, with the values redacted
    expect(rows.some((row) => /sig=REDACTED/.test(row.error))).toBe(true);
    expect(await leaks(run)).toEqual([]);
    expect(`${r.stdout}${r.stderr}`).not.toContain(TOKEN);
  }, 120_000);
});
