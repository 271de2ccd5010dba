// The held-out split: one deterministic hash of the tile id decides which tiles the evaluations
// score (`eval knn`, `eval retrieval`) and, by default, which tiles training never sees. Training
// and evaluation read the split from here only, so they cannot disagree.
import { TrainError } from '../errors.js';
import { deriveSeed } from './rng.js';
import type { TileSource } from './tiles.js';

export interface HeldOutSplit {
  /** Percent of tiles held out (1..99). */
  percent: number;
  /** Seed of the hash. */
  seed: number;
}

/** The split `eval` uses when nothing else is said (and the train config's default). */
export const DEFAULT_SPLIT: HeldOutSplit = { percent: 30, seed: 0 };

/** Deterministic held-out split by tile id: about `percent`% of tiles are held out. */
export function isHeldOut(tileId: string, split: HeldOutSplit = DEFAULT_SPLIT): boolean {
  return deriveSeed(split.seed, 'heldout', tileId) % 100 < split.percent;
}

export interface TrainingSplit {
  /** The source without its held-out tiles (stream indices count the kept tiles only). */
  source: TileSource;
  trainTiles: number;
  heldOutTiles: number;
}

/** What a run records about its split (train.json, run.json). */
export interface SplitRecord extends HeldOutSplit {
  /** Whether training left the held-out tiles out. */
  excluded: boolean;
  trainTiles: number;
  heldOutTiles: number;
}

/** The training side of a train config's `held_out` setting, and its record. */
export async function trainingSplit(source: TileSource, heldOut: HeldOutSplit & { exclude: boolean }): Promise<{ source: TileSource; record: SplitRecord }> {
  const split = { percent: heldOut.percent, seed: heldOut.seed };
  if (heldOut.exclude) {
    const s = await withoutHeldOut(source, split);
    return { source: s.source, record: { ...split, excluded: true, trainTiles: s.trainTiles, heldOutTiles: s.heldOutTiles } };
  }
  const ids = await source.tileIds();
  const held = ids.filter((id) => isHeldOut(id, split)).length;
  return { source, record: { ...split, excluded: false, trainTiles: ids.length, heldOutTiles: held } };
}

/**
 * The tiles training may use. The kept tiles' positions in the full stream are listed once from the
 * tile ids, so reading from a kept position (a resume) starts at that tile instead of decoding
 * everything before it.
 */
export async function withoutHeldOut(source: TileSource, split: HeldOutSplit): Promise<TrainingSplit> {
  const ids = await source.tileIds();
  const kept: number[] = [];
  ids.forEach((id, i) => !isHeldOut(id, split) && kept.push(i));
  if (kept.length === 0)
    throw new TrainError(`all ${ids.length} tiles are in the held-out split (${split.percent} %, seed ${split.seed}); nothing is left to train on (train.held_out.exclude: false trains on them)`);
  const filtered: TileSource = {
    stats: () => source.stats(),
    tileIds: async () => kept.map((i) => ids[i]),
    async *read(from: number) {
      if (from >= kept.length) return;
      for await (const t of source.read(kept[from])) if (!isHeldOut(t.tileId, split)) yield t;
    },
  };
  return { source: filtered, trainTiles: kept.length, heldOutTiles: ids.length - kept.length };
}
