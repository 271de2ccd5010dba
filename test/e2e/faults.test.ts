// Faults and bad input, end to end: `terrafm run` in child processes on the small demo pipeline with
// a loopback STAC API (fault hooks) and a loopback asset server (GDAL reads through /vsicurl/).
// Each case asserts the exit code, the message and what is (or is not) left on disk.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openCorpus } from '../../src/shard/reader.js';
import { CORRUPT_SCENE, MISSING_SCENE, cli, e2eLifecycle, remoteAssets, startAssetServer, startStacServer, tempDir, writePipeline } from './helpers.js';

const { entries: demo, closeLater } = e2eLifecycle();
const FAST_GDAL_RETRY = 'tile: { http: { max_retry: 4, retry_delay_s: 0.05 } }\n';

async function servers(assetOpts: Parameters<typeof startAssetServer>[0]) {
  const assets = await startAssetServer(assetOpts);
  const stac = await startStacServer({ entries: remoteAssets(demo(), assets.url) });
  closeLater(assets.close, stac.close);
  return { assets, stac };
}

const failureRows = (runDir: string) =>
  readFileSync(path.join(runDir, 'tile-failures.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { tileId: string; kind: string; stage: string; href: string; error: string });

describe('faults end to end', () => {
  it('transient STAC errors and a flaky asset server are retried; the run completes (exit 0)', async () => {
    const { assets, stac } = await servers({ failFirst: 3 });
    stac.addFault({ kind: 'status', status: 503, times: 2 });
    stac.addFault({ kind: 'status', status: 429, retryAfter: '0', times: 1 });
    const dir = tempDir('flaky');
    const run = path.join(dir, 'run');
    const r = await cli(['run', writePipeline(dir, { stacUrl: stac.url, extra: FAST_GDAL_RETRY }), '--out', run]);
    expect(r.code, r.stderr).toBe(0);
    expect(assets.failed()).toBe(3);
    expect(assets.requests.length).toBeGreaterThan(3);
    const summary = JSON.parse(readFileSync(path.join(run, 'discover-summary.json'), 'utf8'));
    expect(summary.retries).toBeGreaterThanOrEqual(3);
    expect(failureRows(run)).toEqual([]);
    expect(openCorpus(path.join(run, 'corpus')).manifest.tiles).toBeGreaterThan(0);
    expect((await cli(['validate', path.join(run, 'corpus')])).code).toBe(0);
  }, 60_000);

  it('missing and corrupt assets become failure rows and exit 3; --fail-fast stops with exit 4', async () => {
    // the bands of one 32TNT scene answer 404; those of the other have a broken TIFF header
    const missing = MISSING_SCENE;
    const corrupt = CORRUPT_SCENE;
    const { stac } = await servers({ missing: (p) => missing.test(p), corrupt: (p) => corrupt.test(p) });
    const dir = tempDir('missing');
    const pipeline = writePipeline(dir, { stacUrl: stac.url, extra: FAST_GDAL_RETRY });
    const run = path.join(dir, 'run');
    const r = await cli(['run', pipeline, '--out', run]);
    expect(r.code, r.stderr).toBe(3);
    const rows = failureRows(run);
    expect(rows.length).toBeGreaterThan(0);
    const first404 = rows.find((row) => missing.test(row.href));
    expect(first404?.error).toBe('missing asset (HTTP 404); expected a raster at this URL');
    const corruptRows = rows.filter((row) => corrupt.test(row.href));
    expect(corruptRows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row).toMatchObject({ kind: 'failure', stage: 'open' });
      expect(row.href).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.*S2[AB]_32TNT_\d+_0_L2A\/B\w+\.tif$/);
      if (corrupt.test(row.href)) expect(row.error).toMatch(/^cannot open as a raster \(.*not recognized as a supported file format\.\); expected a readable GeoTIFF\/COG$/);
      // GDAL remembers a 404 per URL: later opens of the same asset report it as not existing
      else expect(row.error).toMatch(/^missing asset \(HTTP 404\); expected a raster at this URL$|^cannot open as a raster \(`\/vsicurl\/http:.*' does not exist in the file system/);
    }
    expect(r.stderr).toContain(`tile ${rows[0].tileId} failed at open (${rows[0].href}): ${rows[0].error}`);
    const corpus = openCorpus(path.join(run, 'corpus'));
    expect(corpus.manifest.tiles + rows.length).toBe(JSON.parse(readFileSync(path.join(run, 'run.json'), 'utf8')).stages[1].outcome.summary.planned);
    expect(JSON.parse(readFileSync(path.join(run, 'run.json'), 'utf8')).exitCode).toBe(3);

    const ff = await cli(['run', pipeline, '--out', path.join(dir, 'ff'), '--fail-fast']);
    expect(ff.code).toBe(4);
    // the first failing tile in plan order stops the run (its message: 404 or corrupt, as in the table)
    expect(ff.stderr).toContain(`error: tile: tile ${rows[0].tileId} failed at open (${rows[0].href}): `);
    expect(ff.stderr).toMatch(/; stopping \(fail-fast\); finished shards are kept and a rerun goes on from them\n/);
    expect(existsSync(path.join(dir, 'ff', 'corpus', 'manifest.json'))).toBe(false);
  }, 60_000);

  it('malformed YAML: exit 2 and the syntax problem with its line, nothing done', async () => {
    const dir = tempDir('yaml');
    writeFileSync(path.join(dir, 'bad.yaml'), 'version: 1\nname: [unclosed\narea: {bbox: [1,2,3]\n');
    const r = await cli(['run', path.join(dir, 'bad.yaml'), '--out', path.join(dir, 'run')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: config: ${path.join(dir, 'bad.yaml')}: 2 problems`);
    expect(r.stderr).toContain('(root) (line 3): YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]');
    expect(existsSync(path.join(dir, 'run'))).toBe(false);
  });

  it('an empty search result: zero cells, a warning, an empty valid corpus, exit 0', async () => {
    const stac = await startStacServer({ entries: demo() });
    closeLater(stac.close);
    const dir = tempDir('empty');
    const run = path.join(dir, 'run');
    const r = await cli(['run', writePipeline(dir, { stacUrl: stac.url, time: ['1990-01-01', '1990-12-31'] }), '--out', run]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/discover: the searches found no cell with s2_l2a \+ s2_l1c \+ s1 \(\d+ cells searched\); check area, time and sources; later stages have nothing to do/);
    expect(stac.searchRequests().length).toBeGreaterThan(0);
    expect(openCorpus(path.join(run, 'corpus')).manifest).toMatchObject({ tiles: 0, shards: [] });
    expect((await cli(['validate', path.join(run, 'corpus')])).code).toBe(0);
  }, 60_000);

  const root = process.getuid?.() === 0;
  it.skipIf(!root)('a full disk while writing a shard: ShardError naming the file and ENOSPC, no partial shard (exit 4)', async () => {
    const stac = await startStacServer({ entries: demo() });
    closeLater(stac.close);
    const dir = tempDir('enospc');
    const run = path.join(dir, 'run');
    const corpus = path.join(run, 'corpus');
    mkdirSync(corpus, { recursive: true });
    // 1 MiB: less than one 256 px tile of 26 channels compresses to, so the first row group cannot land
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', corpus]);
    try {
      const r = await cli(['run', writePipeline(dir, { stacUrl: stac.url }), '--out', run]);
      expect(r.code, r.stderr).toBe(4);
      expect(r.stderr).toMatch(/error: shard: cannot (write|finish) \S+\/corpus\/shard-00000\.parquet(\.tmp)?: ENOSPC: no space left on device/);
      expect(readdirSync(corpus).filter((f) => f.endsWith('.tmp') || f.endsWith('.parquet'))).toEqual([]);
      expect(existsSync(path.join(corpus, 'manifest.json'))).toBe(false);
      expect(JSON.parse(readFileSync(path.join(run, 'run.json'), 'utf8'))).toMatchObject({ exitCode: 4 });
    } finally {
      execFileSync('umount', [corpus]);
    }
  }, 60_000);
});
