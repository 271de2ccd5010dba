import type { SceneItem } from '../../../src/model/types.js';

let seq = 0;

/** A hand-built scene with a rectangular lon/lat footprint. */
export function scene(p: Partial<SceneItem> & { box: [number, number, number, number]; datetime: string }): SceneItem {
  const [w, s, e, n] = p.box;
  const id = p.id ?? `item-${++seq}`;
  return {
    id,
    collection: p.collection ?? 'sentinel-2-l2a',
    sceneKey: p.sceneKey ?? id,
    datatakeKey: p.datatakeKey,
    datetime: p.datetime,
    bbox: [w, s, e, n],
    geometry: { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] },
    cloudCover: p.cloudCover,
    processingBaseline: p.processingBaseline,
    orbitState: p.orbitState,
    platform: p.platform ?? 'sentinel-2a',
    assets: p.assets ?? { B04: { href: `https://example.test/${id}/B04.tif` } },
  };
}
