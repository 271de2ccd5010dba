// Choosing one item per acquisition when several collections hold it (e.g. Earth Search's
// sentinel-2-l2a and sentinel-2-c1-l2a, or the same scene from two providers).

import type { SceneItem } from '../../model/types.js';

/**
 * Keeps one item per sceneKey, the one whose collection comes first in `preferred`; collections
 * not listed rank after all listed ones (ties keep the first seen). Output keeps first-seen order
 * of the keys, so the result is deterministic for a deterministic input.
 */
export function dedupeByScene(items: Iterable<SceneItem>, preferred: string[] = []): SceneItem[] {
  const rank = (c: string): number => {
    const i = preferred.indexOf(c);
    return i < 0 ? preferred.length : i;
  };
  const best = new Map<string, SceneItem>();
  for (const it of items) {
    const cur = best.get(it.sceneKey);
    if (!cur || rank(it.collection) < rank(cur.collection)) best.set(it.sceneKey, it);
  }
  return [...best.values()];
}
