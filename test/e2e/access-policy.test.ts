// The asset access policy end to end: items from a loopback STAC API name a local file by file://,
// a local path, and another host through /vsicurl/. Those tiles fail at plan with the rule that
// refused them (tile-failures.jsonl), and nothing is opened: every planned cell names one of them.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cli, e2eLifecycle, remoteAssets, startAssetServer, startStacServer, tempDir, writePipeline } from './helpers.js';

const { entries: demo, closeLater } = e2eLifecycle();

describe('asset access policy end to end', () => {
  it('file:///etc/passwd, /etc/passwd and /vsicurl/http://other-host from an API are refused with their rule; nothing is read from them', async () => {
    const assets = await startAssetServer();
    const other = await startAssetServer();
    closeLater(assets.close, other.close);
    const bad: [RegExp, (h: string) => string][] = [
      [/S2B_32TNT_20220722_0_L2A\/B02\.tif$/, () => 'file:///etc/passwd'],
      [/sentinel-1-rtc\/.*\.tif$/, () => '/etc/passwd'],
      [/S2A_32TNT_20210508_0_L2A\/B02\.tif$/, (h) => `/vsicurl/${other.url}${h}`],
    ];
    const served = remoteAssets(demo(), assets.url).map((e) => {
      const item = structuredClone(e.item) as { assets: Record<string, { href: string }> };
      for (const a of Object.values(item.assets)) {
        const hit = bad.find(([re]) => re.test(a.href));
        if (hit) a.href = hit[1](new URL(a.href).pathname);
      }
      return { ...e, item: item as never };
    });
    const stac = await startStacServer({ entries: served });
    closeLater(stac.close);
    const dir = tempDir('policy');
    const run = path.join(dir, 'run');
    const r = await cli(['run', writePipeline(dir, { stacUrl: stac.url }), '--out', run]);
    expect(r.code, r.stderr).toBe(3);
    const rows = readFileSync(path.join(run, 'tile-failures.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { stage: string; rule?: string; href: string; error: string });
    const rules = new Set(rows.map((x) => x.rule));
    expect(rows.every((x) => x.stage === 'plan' && x.rule !== undefined)).toBe(true);
    // the e2e pipeline lists the demo world in asset_roots, so /etc/passwd is refused as outside them
    expect([...rules].sort()).toEqual(expect.arrayContaining(['file-url', 'outside-catalog-root', 'vsi-prefix']));
    expect(rows.find((x) => x.rule === 'vsi-prefix')?.error).toMatch(/^refused by the asset access policy \(vsi-prefix\): GDAL virtual file system paths are not accepted from catalogs/);
    expect(other.requests).toEqual([]);
    // every planned tile is accounted for by a row (the run finished, exit 3, nothing opened)
    expect(rows.length).toBe(JSON.parse(readFileSync(path.join(run, 'run.json'), 'utf8')).stages[1].outcome.summary.planned);
    expect(assets.requests).toEqual([]);
  }, 120_000);
});
