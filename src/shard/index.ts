// Public API of the shard stage: the sink the tile stage writes into, the reader the trainer streams
// from, and inspect/validate for the CLI.
export { openShardSink, writeCorpusFrom, type ShardSink, type CorpusResult, type OpenSinkOptions } from './sink.js';
export { openCorpus, openShard, readShardRows, readShardFile, iterateTiles, listRowGroups, columnsFor, type RowGroupRef, type Corpus, type ShardFile, type ReadOptions, type IterateOptions } from './reader.js';
export { validateCorpus, assertValidCorpus, type ValidateReport } from './validate.js';
export { inspectCorpus, formatInspect, type InspectSummary } from './inspect.js';
export { bandMoments, normalisation, classShares, mergeStats, emptyStats, statsToJson, statsFromJson, type CorpusStats, type ModalityStats, type BandStats, type StatsJson } from './stats.js';
export { SCHEMA_VERSION, READABLE_VERSIONS, COLUMNS, COLUMN_NAMES, columnsOf, describeSchema, type SchemaVersion } from './schema.js';
export type { ShardTile } from './row-codec.js';
export type { Manifest, ManifestShard } from './manifest.js';
export type { CorpusLayout, ModalityLayout } from './layout.js';
export type { ShardEntry } from './shard-file-writer.js';
