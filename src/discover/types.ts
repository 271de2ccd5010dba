// What discovery hands to the tile stage, and what it reports about a run.

import type { GridCell, Modality, SceneItem, SourceName } from '../model/types.js';

/** Why a cell lacks a source (or has it only in part). One per missing source; counted in the summary. */
export type MissingReason =
  | 'no_s2_l2a'
  | 's2_l2a_partial'
  | 'no_s2_l1c'
  | 's2_l1c_partial'
  | 'no_s1_in_window'
  | 's1_partial'
  | 'no_landcover'
  | 'landcover_partial';

export const MISSING_REASONS: readonly MissingReason[] = [
  'no_s2_l2a',
  's2_l2a_partial',
  'no_s2_l1c',
  's2_l1c_partial',
  'no_s1_in_window',
  's1_partial',
  'no_landcover',
  'landcover_partial',
];

/** The scenes chosen for one grid cell: what the tile stage reads and warps onto `cell.extent`. */
export interface CellScenes {
  cell: GridCell;
  /**
   * Chosen scenes per source in mosaic order: the first covers most of the cell, later ones fill
   * what earlier ones leave (the tile stage paints them first-wins). Absent when none was chosen.
   */
  scenes: Partial<Record<SourceName, SceneItem[]>>;
  /** Share of the cell's target extent the chosen scenes cover, per source (0..1). */
  coverage: Partial<Record<SourceName, number>>;
  /** One reason per configured source that is missing or under `pairing.minCoverage`. */
  missing: MissingReason[];
  /** Sentinel-1 datetime minus Sentinel-2 datetime in days (first scenes of each); null if either is absent. */
  s1GapDays: number | null;
  /** True when every configured imaging modality was found. */
  complete: boolean;
}

/** Counts written to `discover-summary.json`. */
export interface DiscoverSummary {
  /** Cells of the area enumerated from the grid. */
  cellsEnumerated: number;
  /** Cells with at least one scene of any configured source. */
  cellsFound: number;
  /** Cells with every configured imaging modality. */
  cellsComplete: number;
  /** Cells written to the scenes table (complete ones plus kept incomplete ones). */
  cellsKept: number;
  /** Cells left out because a required modality was missing. */
  cellsDropped: number;
  /** Per reason: cells that had it (kept or not). */
  reasons: Record<MissingReason, number>;
  /** Per reason: cells dropped with it. */
  droppedByReason: Record<MissingReason, number>;
  /** STAC query groups and searches issued (one search per group per source). */
  queryGroups: number;
  searches: number;
  /** HTTP requests (pages and retries included) and cache hits, summed over sources. */
  requests: number;
  cacheHits: number;
  retries: number;
  /** Items returned by all searches, before dedupe. */
  itemsSeen: number;
  /** Items dropped because their collection is not the source's `collection` or `alt_collections`
   *  (a server answering with mixed collections), by source. */
  itemsWrongCollection: Partial<Record<SourceName, number>>;
  /** Modalities a cell had to have to be kept. */
  required: Modality[];
  elapsedS: number;
}

export interface DiscoverResult {
  summary: DiscoverSummary;
  /** Absolute path of the scenes table (Parquet). */
  scenesTable: string;
  /** Absolute path of discover-summary.json. */
  summaryFile: string;
  /** The kept cells in memory, when asked for (`collect: true`); the table holds the same rows. */
  cells?: CellScenes[];
}
