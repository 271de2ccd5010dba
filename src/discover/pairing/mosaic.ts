// Choosing the scenes of one source for one cell: a single scene when one covers the cell,
// otherwise a mosaic. Mosaics prefer scenes of one pass (same platform, UTC day and orbit
// direction: adjacent tiles or slices of one acquisition, radiometrically consistent), and only
// then mix passes. Pure: ranking is a comparator supplied by the caller.

import type { SceneItem } from '../../model/types.js';
import type { Candidate } from '../batch-assign.js';
import { unionCoverage } from '../batch-assign.js';

export interface Mosaic {
  /** Chosen candidates in mosaic order (first = largest share; later ones fill gaps). */
  parts: Candidate[];
  /** Union coverage of the parts (0..1). */
  coverage: number;
}

export type Rank = (a: SceneItem, b: SceneItem) => number;

/** Acquisition pass of a scene: same platform, UTC day and orbit direction. */
export function passKey(item: SceneItem): string {
  return `${item.platform ?? ''}|${item.datetime.slice(0, 10)}|${item.orbitState ?? ''}`;
}

/**
 * Best single scene covering >= minCoverage; else the best single-pass mosaic reaching it; else a
 * greedy mosaic across passes (largest gain first) that may stay below minCoverage. Returns null
 * when there is no candidate at all.
 */
export function chooseMosaic(cands: Candidate[], rank: Rank, minCoverage: number): Mosaic | null {
  if (cands.length === 0) return null;
  const byRank = (a: Candidate, b: Candidate) => rank(a.item, b.item);
  const singles = cands.filter((c) => c.coverage >= minCoverage).sort(byRank);
  if (singles.length) return { parts: [singles[0]], coverage: singles[0].coverage };

  const passes = new Map<string, Candidate[]>();
  for (const c of cands) {
    const k = passKey(c.item);
    let l = passes.get(k);
    if (!l) passes.set(k, (l = []));
    l.push(c);
  }
  const passMosaics = [...passes.values()].map((group) => greedy(group, [], rank, minCoverage));
  const full = passMosaics.filter((m) => m.coverage >= minCoverage);
  if (full.length) {
    // Rank complete single-pass mosaics by their worst member (e.g. the cloudiest tile), then size.
    full.sort((a, b) => rank(worst(a, rank), worst(b, rank)) || a.parts.length - b.parts.length);
    return full[0];
  }
  // Start from the pass that covers most, then fill from any scene.
  passMosaics.sort((a, b) => b.coverage - a.coverage || rank(a.parts[0].item, b.parts[0].item));
  const start = passMosaics[0];
  const used = new Set(start.parts);
  return greedy(
    cands.filter((c) => !used.has(c)),
    start.parts,
    rank,
    minCoverage,
  );
}

function worst(m: Mosaic, rank: Rank): SceneItem {
  return m.parts.map((p) => p.item).sort(rank)[m.parts.length - 1];
}

/** Adds candidates by largest coverage gain (ties by rank) until minCoverage or no gain left. */
function greedy(pool: Candidate[], start: Candidate[], rank: Rank, minCoverage: number): Mosaic {
  const parts = [...start];
  const n = (pool[0] ?? start[0]).mask.length;
  const covered = new Uint8Array(n);
  for (const p of parts) for (let k = 0; k < n; k++) covered[k] |= p.mask[k];
  let coverage = count(covered) / n;
  const left = [...pool].sort((a, b) => b.coverage - a.coverage || rank(a.item, b.item));
  while (coverage < minCoverage && left.length) {
    let best = -1;
    let bestGain = 0;
    for (let i = 0; i < left.length; i++) {
      let gain = 0;
      const m = left[i].mask;
      for (let k = 0; k < n; k++) if (m[k] && !covered[k]) gain++;
      if (gain > bestGain || (gain === bestGain && gain > 0 && best >= 0 && rank(left[i].item, left[best].item) < 0)) {
        best = i;
        bestGain = gain;
      }
    }
    if (best < 0) break;
    const c = left.splice(best, 1)[0];
    parts.push(c);
    for (let k = 0; k < n; k++) covered[k] |= c.mask[k];
    coverage = count(covered) / n;
  }
  return { parts, coverage: parts.length ? unionCoverage(parts.map((p) => p.mask)) : 0 };
}

function count(m: Uint8Array): number {
  let s = 0;
  for (const v of m) s += v;
  return s;
}
