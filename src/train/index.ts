// Public entry points of the train stage.
import type { TrainConfig } from '../config/sections/train.js';
import { corpusTileSource } from './corpus.js';
import { trainWith, type TrainOptions, type TrainResult } from './loop.js';

export { trainWith, type TrainOptions, type TrainResult } from './loop.js';
export { evalKnn, evalKnnSource, compareRunKnn, embedCorpus, embedToParquet, loadEncoder, type RunComparison } from './evaluate.js';
export { formatKnn, type KnnReport } from './knn.js';
export { compareRunCrossModal, evalCrossModal, evalCrossModalSource, DEFAULT_PAIR, type CrossModalComparison, type CrossModalReport } from './evaluate-crossmodal.js';
export { formatCrossModalKnn, formatRetrieval, type CrossModalKnnReport, type RetrievalReport } from './crossmodal.js';
export { DEFAULT_SPLIT, isHeldOut, type HeldOutSplit, type SplitRecord } from './split.js';
export { corpusTileSource } from './corpus.js';
export { memoryTileSource, type TileSource, type TrainTile } from './tiles.js';
export { selectBackend, describeChoice } from './backend.js';
export { exportSafetensors, importWeights, type ExportMetadata, type ImportReport } from './interchange/files.js';
export { countParams, encoderParamSpecs, ENCODER_SHAPES, MODEL_SIZES, type ModelSize } from './sizes.js';

/** Pretrains on a shard corpus directory (manifest.json, stats.json, shards). */
export async function trainOnCorpus(dir: string, cfg: TrainConfig, opts: TrainOptions): Promise<TrainResult> {
  return trainWith(corpusTileSource(dir, { modalities: cfg.views.modalities }), cfg, opts);
}
