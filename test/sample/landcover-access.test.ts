// The land-cover pass reads hrefs that catalog items named (per cell from discovery, or from an
// esa-worldcover search) only when the source's asset access policy allows them, as the tile plan does.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AssetAccess } from '../../src/net/access-policy.js';
import { perCellHrefSource, tileHrefSource } from '../../src/sample/landcover/sources.js';
import type { LandcoverCell } from '../../src/sample/landcover/plan.js';
import { cellsInBBox } from '../../src/sample/landcover/cells-input.js';

const cell: LandcoverCell = cellsInBBox([6.1, 0.1, 6.11, 0.11], { cellSizeKm: 10, tileSizePx: 1000, resolutionM: 10 })[0]!;
const catalogDir = mkdtempSync(path.join(tmpdir(), 'terrafm-lc-access-'));
const inside = path.join(catalogDir, 'esa-worldcover', 'ESA_WorldCover_10m_2021_v200_N00E006_Map.tif');
writeFileSync(path.join(catalogDir, 'placeholder'), '');
const staticAccess: AssetAccess = { origin: 'static', catalogRoot: catalogDir, hosts: [], roots: [] };
const API_ASSET_ACCESS: AssetAccess = { origin: 'api', hosts: [], roots: [] };

const pathsFor = (hrefs: string[], access?: AssetAccess) => perCellHrefSource(new Map([[cell.id, hrefs]]), undefined, access).pathsFor(cell);

describe('land-cover hrefs named by items pass the asset access policy', () => {
  it('reads files under a static catalog and remote URLs from an API', async () => {
    expect(await pathsFor([inside], staticAccess)).toEqual([inside]);
    expect(await pathsFor(['https://example.test/N00E006_Map.tif'], API_ASSET_ACCESS)).toEqual(['/vsicurl/https://example.test/N00E006_Map.tif']);
  });

  it('refuses local files outside the catalog, local files from an API, /vsi prefixes and file:// URLs, naming the rule', async () => {
    await expect(pathsFor(['/etc/passwd'], staticAccess)).rejects.toThrow(/^land-cover asset \/etc\/passwd refused by the asset access policy \(outside-catalog-root\)/);
    await expect(pathsFor([path.join(catalogDir, '../../etc/passwd')], staticAccess)).rejects.toThrow(/\(outside-catalog-root\)/);
    await expect(pathsFor([inside], API_ASSET_ACCESS)).rejects.toThrow(/\(local-path-from-api\): items from a remote STAC API may only name http\(s\):\/\/, s3:\/\/ or gs:\/\/ assets/);
    await expect(pathsFor(['/vsicurl/http://other-host.test/x_N00E006_Map.tif'], staticAccess)).rejects.toThrow(/\(vsi-prefix\)/);
    await expect(pathsFor(['file:///etc/passwd'], staticAccess)).rejects.toThrow(/\(file-url\)/);
  });

  it('applies host allow-lists, and checks the hrefs of an esa-worldcover search', async () => {
    const narrow: AssetAccess = { ...API_ASSET_ACCESS, hosts: ['*.blob.core.windows.net'] };
    await expect(pathsFor(['https://evil.test/N00E006_Map.tif'], narrow)).rejects.toThrow(/\(host-not-allowed\): host evil\.test is not in the source's asset_hosts/);
    const searched = tileHrefSource(['/data/ESA_WorldCover_10m_2021_v200_N00E006_Map.tif'], undefined, API_ASSET_ACCESS);
    await expect(searched.pathsFor(cell)).rejects.toThrow(/\(local-path-from-api\)/);
  });

  it('reads configured hrefs (the user\'s own) as given when no policy applies', async () => {
    expect(await pathsFor(['/etc/passwd'])).toEqual(['/etc/passwd']);
  });
});
