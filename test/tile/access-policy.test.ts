// The asset access policy: which hrefs a catalog item may make GDAL read, and how a refusal lands in
// the tile plan (a failure at stage `plan` naming the rule; nothing is opened).
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalise } from '../../src/config/sections/tile.js';
import { parseItem } from '../../src/discover/stac/parse-item.js';
import { checkAssetAccess, type AssetAccess } from '../../src/net/access-policy.js';
import { planTiles } from '../../src/tile/plan.js';
import { processTile } from '../../src/tile/run-tiles.js';
import { cell, scene } from './helpers.js';

const API: AssetAccess = { origin: 'api', hosts: [], roots: [] };
const root = mkdtempSync(path.join(tmpdir(), 'terrafm-access-'));
const STATIC: AssetAccess = { origin: 'static', catalogRoot: root, hosts: [], roots: [] };
const rule = (href: string, target: string, a: AssetAccess) => checkAssetAccess(href, target, a)?.rule;

describe('checkAssetAccess', () => {
  it('items from APIs may name http(s), s3 and gs only', () => {
    expect(rule('https://h/x.tif', 'https://h/x.tif', API)).toBeUndefined();
    expect(rule('s3://bucket/x.tif', 's3://bucket/x.tif', API)).toBeUndefined();
    expect(rule('gs://bucket/x.tif', 'gs://bucket/x.tif', API)).toBeUndefined();
    expect(rule('file:///etc/passwd', '/etc/passwd', API)).toBe('file-url');
    expect(rule('/etc/passwd', '/etc/passwd', API)).toBe('local-path-from-api');
    expect(rule('/vsicurl/http://other-host/x.tif', '/vsicurl/http://other-host/x.tif', API)).toBe('vsi-prefix');
    expect(rule('/vsis3/b/k', '/vsis3/b/k', API)).toBe('vsi-prefix');
    expect(rule('ftp://h/x', 'ftp://h/x', API)).toBe('unsupported-scheme');
  });

  it('static catalogs may name local files only under their directory (symlinks resolved)', () => {
    mkdirSync(path.join(root, 'cogs'), { recursive: true });
    symlinkSync('/etc', path.join(root, 'cogs', 'escape'));
    expect(rule(path.join(root, 'cogs/a.tif'), path.join(root, 'cogs/a.tif'), STATIC)).toBeUndefined();
    expect(rule('/etc/passwd', '/etc/passwd', STATIC)).toBe('outside-catalog-root');
    expect(rule(path.join(root, 'cogs/escape/passwd'), path.join(root, 'cogs/escape/passwd'), STATIC)).toBe('outside-catalog-root');
    expect(rule('file:///etc/passwd', '/etc/passwd', STATIC)).toBe('file-url');
    expect(rule('https://h/x.tif', 'https://h/x.tif', STATIC)).toBeUndefined();
    // widened: an extra root
    expect(rule('/etc/passwd', '/etc/passwd', { ...API, roots: ['/etc'] })).toBeUndefined();
  });

  it('asset_hosts narrows remote reads to listed hosts and buckets', () => {
    const a: AssetAccess = { ...API, hosts: ['*.blob.core.windows.net', 'sentinel-cogs'] };
    expect(rule('https://acct.blob.core.windows.net/c/x.tif', 'https://acct.blob.core.windows.net/c/x.tif', a)).toBeUndefined();
    expect(rule('s3://sentinel-cogs/x.tif', 's3://sentinel-cogs/x.tif', a)).toBeUndefined();
    expect(checkAssetAccess('http://other-host/x.tif', 'http://other-host/x.tif', a)).toEqual({
      rule: 'host-not-allowed',
      message: 'host other-host is not in the source\'s asset_hosts (*.blob.core.windows.net, sentinel-cogs)',
    });
  });
});

describe('the tile plan applies the policy per source', () => {
  const c = cell('c1', 32632, 500000, 5000000, 10, 4);
  const cfg = normalise({ bands: { s2_l2a: ['B04'] } });
  const planFor = (href: string, access: AssetAccess, selfHref?: string) => {
    const item = selfHref
      ? parseItem({ type: 'Feature', id: 'i1', collection: 'sentinel-2-l2a', bbox: [0, 0, 1, 1], properties: { datetime: '2020-01-01T00:00:00Z' }, assets: { B04: { href } } }, { itemHref: selfHref })
      : scene('i1', { B04: href });
    return planTiles([{ cell: c, scenes: { s2_l2a: [item] } }], cfg, { access: { s2_l2a: access } }).tiles[0]!;
  };

  it('file:///etc/passwd, ../../.. out of a static catalog and /vsicurl/ to another host fail at plan with their rule, read nothing', async () => {
    const reader = { read: () => Promise.reject(new Error('must not be called')) };
    const cases: [string, AssetAccess, string | undefined, string][] = [
      ['file:///etc/passwd', API, undefined, 'file-url'],
      ['../../../../../../../../etc/passwd', STATIC, path.join(root, 'items', 'i1.json'), 'outside-catalog-root'],
      ['/vsicurl/http://other-host:9/x.tif', API, undefined, 'vsi-prefix'],
      ['/etc/passwd', API, undefined, 'local-path-from-api'],
    ];
    for (const [href, access, self, expected] of cases) {
      const job = planFor(href, access, self);
      expect(job.planError?.rule, href).toBe(expected);
      const row = await processTile(job, { reader, limit: (f: () => Promise<unknown>) => f() } as never);
      expect(row).toMatchObject({ kind: 'failure', stage: 'plan', rule: expected });
      expect((row as { error: string }).error).toMatch(new RegExp(`^refused by the asset access policy \\(${expected}\\): `));
    }
    expect(planFor('cogs/B04.tif', STATIC, path.join(root, 'items', 'i1.json')).planError).toBeUndefined();
  });
});
