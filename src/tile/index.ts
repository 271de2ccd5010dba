// Public surface of the tile stage.
export { planTiles, targetGrid, parseBaseline, harmonizeDnFor } from './plan.js';
export type { TileSourceInput, TilePlan, TileJob, ModalityPlan, ScenePlan, BandSource, LayerPlan, PlanOptions } from './plan.js';
export { runTiles, tileAll } from './run.js';
export type { RunTilesOptions, TileRunSummary } from './run.js';
export type { TileFailure, TileStage } from './failure.js';
export { isTileFailure, TileStepError } from './failure.js';
export { gdalBandReader, nodataFreeWindow, withoutMasks } from './warp.js';
export type { BandReader } from './warp.js';
export { configureGdal, gdalOptions } from './gdal-env.js';
export { writeTileCogs } from './cog.js';
export { warpArgs } from './warp-args.js';
export type { TargetGrid, WarpSpec, GdalOutputType } from './warp-args.js';
export { formatFailuresTable, failuresJsonLines } from './failures-table.js';
