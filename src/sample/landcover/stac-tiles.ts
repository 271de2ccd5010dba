// WorldCover tile hrefs from a STAC search (Planetary Computer `esa-worldcover`: one item per 3x3-degree
// tile and year, asset `map`). The search itself is discovery's StacSource; this only asks it for the
// tiles under the cells and keeps the newest year per tile.
import type { StacSource } from '../../discover/stac/types.js';
import { StageError } from '../../errors.js';
import type { BBox } from '../../model/types.js';
import { tileNameInHref } from './plan.js';

export interface StacTileQuery {
  bbox: BBox;
  /** Default `esa-worldcover`. */
  collection?: string;
  /** RFC 3339 interval; default the 2021 map (v200). */
  datetime?: string;
}

export async function stacWorldCoverHrefs(source: StacSource, q: StacTileQuery): Promise<string[]> {
  const items = [];
  for await (const item of source.search({
    collections: [q.collection ?? 'esa-worldcover'],
    bbox: q.bbox,
    datetime: q.datetime ?? '2021-01-01T00:00:00Z/2021-12-31T23:59:59Z',
    limit: 100,
  }))
    items.push(item);
  items.sort((a, b) => a.datetime.localeCompare(b.datetime));
  const byTile = new Map<string, string>();
  for (const it of items) {
    const href = it.assets.map?.href;
    if (!href) throw new StageError('landcover', `STAC item ${it.id} has no "map" asset; expected an ESA WorldCover item`);
    const tile = tileNameInHref(href);
    if (!tile) throw new StageError('landcover', `STAC item ${it.id}: cannot tell the tile of ${href}; expected ..._N00E006_Map.tif`);
    byTile.set(tile, href); // newest year last, so it wins
  }
  return [...byTile.values()];
}

/** The lon/lat box enclosing several boxes. */
export function unionBBox(boxes: Iterable<BBox>): BBox {
  const u: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const b of boxes) {
    u[0] = Math.min(u[0], b[0]);
    u[1] = Math.min(u[1], b[1]);
    u[2] = Math.max(u[2], b[2]);
    u[3] = Math.max(u[3], b[3]);
  }
  return u;
}
