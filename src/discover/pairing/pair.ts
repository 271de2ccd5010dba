// Per-cell pairing: which Sentinel-2 L2A, L1C, Sentinel-1 and land-cover scenes a cell gets.
//
// - S2 L2A: least `eo:cloud_cover` among scenes covering the cell (cloud_max applied), ties by the
//   later date, then id; a mosaic when no single scene covers (see mosaic.ts).
// - S2 L1C: the same acquisitions as the chosen L2A (same datatakeKey: same platform, sensing time
//   and MGRS tile), in the L2A's mosaic order; when no L2A is configured or found, chosen on its own
//   with the L2A rule.
// - S1: closest in time to the S2 scene within +-windowDays (orbit direction filtered), ties by the
//   later date; when the cell has no S2 scene (none configured or none found), the one closest to the
//   middle of the time range, with no window.
// - Land cover: the most recent map covering the cell.
// Duplicates (same sceneKey from several collections, e.g. sentinel-2-l2a and sentinel-2-c1-l2a)
// are merged first, keeping the collection listed first in the source's configuration.

import type { Modality, SceneItem, SourceName } from '../../model/types.js';
import type { Candidate } from '../batch-assign.js';
import type { CellTarget } from '../batch.js';
import type { CellScenes, MissingReason } from '../types.js';
import { chooseMosaic, type Mosaic, type Rank } from './mosaic.js';

const DAY_MS = 86_400_000;

export interface SourceRules {
  /** Collections in order of preference for duplicates (main collection first). */
  collections: string[];
  /** Max cloud cover in percent (S2). Default 100. */
  cloudMax?: number;
  /** Orbit direction accepted (S1). Default any. */
  orbit?: 'any' | 'ascending' | 'descending';
}

export interface PairingRules {
  sources: Partial<Record<SourceName, SourceRules>>;
  /** Max |S1 - S2| in days. */
  windowDays: number;
  /** Share of the cell a scene or mosaic must cover to count as found (0..1]. */
  minCoverage: number;
  /** Modalities a cell must have to be kept. */
  require: Modality[];
  /** Keep cells that miss a required modality (they are counted either way). */
  keepIncomplete: boolean;
  /** Time range searched (ISO); its middle is the S1 reference time when no S2 is configured. */
  time: { start: string; end: string };
}

export interface PairOutcome {
  scenes: CellScenes;
  /** False when a required modality is missing and incomplete cells are not kept. */
  keep: boolean;
  /** Required modalities that are missing (why the cell was dropped, when it was). */
  missingRequired: MissingReason[];
}

const NO_REASON: Record<SourceName, MissingReason> = {
  s2_l2a: 'no_s2_l2a',
  s2_l1c: 'no_s2_l1c',
  s1: 'no_s1_in_window',
  landcover: 'no_landcover',
};
const PARTIAL_REASON: Record<SourceName, MissingReason> = {
  s2_l2a: 's2_l2a_partial',
  s2_l1c: 's2_l1c_partial',
  s1: 's1_partial',
  landcover: 'landcover_partial',
};

const byId = (a: SceneItem, b: SceneItem) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const laterFirst = (a: SceneItem, b: SceneItem) => Date.parse(b.datetime) - Date.parse(a.datetime);

/** Least cloud first (unknown cloud last), then later date, then id. */
export const rankByCloud: Rank = (a, b) => (a.cloudCover ?? 101) - (b.cloudCover ?? 101) || laterFirst(a, b) || byId(a, b);

/** Closest to `refMs` first, then later date, then id. */
export function rankByTime(refMs: number): Rank {
  return (a, b) => Math.abs(Date.parse(a.datetime) - refMs) - Math.abs(Date.parse(b.datetime) - refMs) || laterFirst(a, b) || byId(a, b);
}

const rankLatest: Rank = (a, b) => laterFirst(a, b) || byId(a, b);

/** One candidate per sceneKey: the first preferred collection, then the higher processing baseline. */
export function dedupeCandidates(cands: Candidate[], preferred: string[]): Candidate[] {
  const rank = (c: string) => {
    const i = preferred.indexOf(c);
    return i < 0 ? preferred.length : i;
  };
  const best = new Map<string, Candidate>();
  for (const c of cands) {
    const cur = best.get(c.item.sceneKey);
    if (!cur) {
      best.set(c.item.sceneKey, c);
      continue;
    }
    const d = rank(c.item.collection) - rank(cur.item.collection);
    const newerBaseline = (c.item.processingBaseline ?? '') > (cur.item.processingBaseline ?? '');
    if (d < 0 || (d === 0 && newerBaseline)) best.set(c.item.sceneKey, c);
  }
  return [...best.values()];
}

/** Pair one cell's candidates (per source, already assigned by geometry). */
export function pairCell(target: CellTarget, cands: Partial<Record<SourceName, Candidate[]>>, rules: PairingRules): PairOutcome {
  const chosen: Partial<Record<SourceName, Mosaic>> = {};
  const pool = (s: SourceName) => dedupeCandidates(cands[s] ?? [], rules.sources[s]?.collections ?? []);

  const l2a = rules.sources.s2_l2a;
  if (l2a) {
    const max = l2a.cloudMax ?? 100;
    const m = chooseMosaic(pool('s2_l2a').filter((c) => (c.item.cloudCover ?? 0) <= max), rankByCloud, rules.minCoverage);
    if (m) chosen.s2_l2a = m;
  }
  const l1c = rules.sources.s2_l1c;
  if (l1c) {
    const max = l1c.cloudMax ?? 100;
    const all = pool('s2_l1c');
    let m: Mosaic | null;
    if (chosen.s2_l2a) {
      // Same acquisitions as the L2A, in the L2A's order.
      const order = chosen.s2_l2a.parts.map((p) => p.item.datatakeKey ?? p.item.sceneKey);
      const keyOf = (it: SceneItem) => order.indexOf(it.datatakeKey ?? '\u0000');
      const rank: Rank = (a, b) => keyOf(a) - keyOf(b) || rankByCloud(a, b);
      m = chooseMosaic(all.filter((c) => keyOf(c.item) >= 0), rank, rules.minCoverage);
    } else {
      m = chooseMosaic(all.filter((c) => (c.item.cloudCover ?? 0) <= max), rankByCloud, rules.minCoverage);
    }
    if (m) chosen.s2_l1c = m;
  }
  const s2First = (chosen.s2_l2a ?? chosen.s2_l1c)?.parts[0].item;
  const s1 = rules.sources.s1;
  if (s1) {
    const orbit = s1.orbit ?? 'any';
    const ref = s2First ? Date.parse(s2First.datetime) : (Date.parse(rules.time.start) + Date.parse(rules.time.end)) / 2;
    const windowMs = rules.windowDays * DAY_MS;
    const inWindow = pool('s1').filter((c) => {
      if (orbit !== 'any' && c.item.orbitState !== orbit) return false;
      // The window only binds when there is an S2 scene to pair with.
      return !s2First || Math.abs(Date.parse(c.item.datetime) - ref) <= windowMs;
    });
    const m = chooseMosaic(inWindow, rankByTime(ref), rules.minCoverage);
    if (m) chosen.s1 = m;
  }
  if (rules.sources.landcover) {
    const m = chooseMosaic(pool('landcover'), rankLatest, rules.minCoverage);
    if (m) chosen.landcover = m;
  }

  const scenes: CellScenes = {
    cell: target.cell,
    scenes: {},
    coverage: {},
    missing: [],
    s1GapDays: null,
    complete: true,
  };
  for (const s of Object.keys(rules.sources) as SourceName[]) {
    const m = chosen[s];
    if (m) {
      scenes.scenes[s] = m.parts.map((p) => p.item);
      scenes.coverage[s] = m.coverage;
    }
    const found = Boolean(m && m.coverage >= rules.minCoverage);
    if (!found) {
      scenes.missing.push(m ? PARTIAL_REASON[s] : NO_REASON[s]);
      if (s !== 'landcover') scenes.complete = false;
    }
  }
  const s1First = chosen.s1?.parts[0].item;
  if (s2First && s1First) scenes.s1GapDays = (Date.parse(s1First.datetime) - Date.parse(s2First.datetime)) / DAY_MS;

  const missingRequired = rules.require
    .filter((mod) => rules.sources[mod] && !(chosen[mod] && chosen[mod]!.coverage >= rules.minCoverage))
    .map((mod) => (chosen[mod] ? PARTIAL_REASON[mod] : NO_REASON[mod]));
  return { scenes, keep: missingRequired.length === 0 || rules.keepIncomplete, missingRequired };
}
