// Where the land-cover pass finds the map for a cell. Three kinds, one narrow interface:
//   - one local raster or VRT covering everything (GDAL answers nodata outside it);
//   - a list of WorldCover tile hrefs (local paths or URLs, e.g. from a STAC search of the Planetary
//     Computer `esa-worldcover` collection), matched to cells by the 3x3-degree tile name in the href;
//   - per-cell hrefs chosen by discovery (CellScenes.scenes.landcover).
// URLs are read through GDAL's /vsicurl/ (only the COG header and the overview blocks are fetched).
import { StageError } from '../../errors.js';
import { checkAssetAccess, type AssetAccess } from '../../net/access-policy.js';
import { gdalPathFor, readableGdalPath, readTarget, type HrefSigner } from '../../net/links.js';
import { extentLonLatBBox } from '../../grid/index.js';
import { tileNameInHref, worldCoverTilesFor, type LandcoverCell } from './plan.js';

export interface LandcoverSource {
  /** GDAL paths (already /vsicurl/-prefixed where needed) of the maps covering the cell; [] = none. */
  pathsFor(cell: LandcoverCell): Promise<string[]>;
  describe(): string;
}

/**
 * A path GDAL can open, with the href's credentials (from memory or `sign`) attached just now. Hrefs
 * that items named (`access` given) pass the asset access policy first, as in the tile plan: a refusal
 * stops the pass before GDAL opens anything.
 */
async function readablePath(href: string, sign?: HrefSigner, access?: AssetAccess): Promise<string> {
  const gdalPath = gdalPathFor(href);
  if (access) {
    const refusal = checkAssetAccess(href, readTarget(href, gdalPath), access);
    if (refusal) throw new StageError('landcover', `land-cover asset ${href} refused by the asset access policy (${refusal.rule}): ${refusal.message}`);
  }
  return readableGdalPath(gdalPath, sign);
}

export function rasterFileSource(path: string): LandcoverSource {
  return { pathsFor: async () => [path], describe: () => `raster ${path}` };
}

/**
 * Tile hrefs matched by tile name. `sign` (e.g. a Planetary Computer SAS signer) runs on each href just
 * before it is used, since tokens expire during long runs.
 */
export function tileHrefSource(hrefs: string[], sign?: HrefSigner, access?: AssetAccess): LandcoverSource {
  const byTile = new Map<string, string>();
  for (const h of hrefs) {
    const t = tileNameInHref(h);
    if (!t) throw new StageError('landcover', `cannot tell the WorldCover tile of ${h}; expected a name like ..._N00E006_Map.tif`);
    byTile.set(t, h);
  }
  return {
    async pathsFor(cell) {
      const out: string[] = [];
      for (const t of worldCoverTilesFor(extentLonLatBBox(cell))) {
        const h = byTile.get(t);
        if (h) out.push(await readablePath(h, sign, access));
      }
      return out;
    },
    describe: () => `${byTile.size} WorldCover tile href(s)`,
  };
}

/** Hrefs chosen per cell by discovery (cell id -> hrefs); `access`: the land-cover source's policy. */
export function perCellHrefSource(hrefs: Map<string, string[]>, sign?: HrefSigner, access?: AssetAccess): LandcoverSource {
  return {
    async pathsFor(cell) {
      const list = hrefs.get(cell.id) ?? [];
      return Promise.all(list.map((h) => readablePath(h, sign, access)));
    },
    describe: () => `per-cell hrefs for ${hrefs.size} cells`,
  };
}
