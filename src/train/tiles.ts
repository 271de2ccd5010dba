// What the trainer needs from a corpus, behind one narrow interface. The shard reader (src/shard/)
// is adapted to it by the caller; tests use in-memory tiles. TileRecord from src/model/types.ts
// satisfies TrainTile structurally.
import type { Modality, TypedPixels } from '../model/types.js';
import { TrainError } from '../errors.js';
import type { CorpusNormalisation } from '../shard/stats.js';
import { MODALITY_CHANNELS } from './sizes.js';

export interface TrainModality {
  /** [bands, height, width] */
  shape: [number, number, number];
  data: TypedPixels;
  /** Value marking nodata pixels (NaN for float tensors using NaN). */
  nodata: number;
  /** Band names; used to drop B10 from 13-band L1C. */
  bands?: string[];
}

export interface TrainTile {
  tileId: string;
  modalities: Partial<Record<Modality, TrainModality>>;
  /** Pixel counts per WorldCover bin (length 12, bin 0 = nodata). */
  classHistogram: number[];
  sampleWeight: number;
}

export interface TileSource {
  stats(): Promise<CorpusNormalisation>;
  /** Tiles in a fixed stream order starting at stream index `from` (0-based); ends at the corpus end. */
  read(from: number): AsyncIterable<TrainTile>;
  /** Every tile id in stream order, without decoding pixels (the held-out split needs them). */
  tileIds(): Promise<string[]>;
}

/** A TileSource over tiles held in memory (tests, small evaluations). */
export function memoryTileSource(tiles: TrainTile[], stats: CorpusNormalisation): TileSource {
  return {
    stats: async () => stats,
    tileIds: async () => tiles.map((t) => t.tileId),
    async *read(from: number) {
      for (let i = from; i < tiles.length; i++) yield tiles[i];
    },
  };
}

/**
 * Indices of the channels the model uses from a stored modality tensor: all of them when the count
 * matches, or 13-band L1C without B10 (cirrus; our reading of "12 channels" in the paper).
 */
export function channelIndices(m: Modality, storedBands: number, bandNames?: string[]): number[] {
  const want = MODALITY_CHANNELS[m];
  const all = Array.from({ length: storedBands }, (_, i) => i);
  if (storedBands === want) return all;
  if (m === 's2_l1c' && storedBands === 13) {
    const drop = bandNames ? bandNames.indexOf('B10') : 10;
    return all.filter((i) => i !== (drop < 0 ? 10 : drop));
  }
  throw new TrainError(`${m} tensor has ${storedBands} bands; expected ${want}${m === 's2_l1c' ? ' or 13 (B10 is dropped)' : ''}`);
}

