// `terrafm shard <out> --from <corpus> ...`: rewrites one or more corpora into a new one with other shard
// settings (rows/bytes per shard, row-group size, codec) or merges corpora written by separate
// processes into one (tile ids must stay unique). Tiles stream through one row group at a time.
// The tile stage writes shards directly through the same sink (src/shard/sink.ts).
import { UsageError } from '../../errors.js';
import { normalise } from '../../config/sections/shard.js';
import { reshardCorpora } from '../../shard/reshard.js';
import { defineCommand, int, oneOf, str, type ParsedValues } from '../command.js';

export interface ShardCommandOptions {
  out: string;
  from: string[];
  /** Raw `shard` section keys (snake_case), as in a pipeline file. */
  shard: Record<string, unknown>;
  overwrite: boolean;
}

function sizeOpt(values: ParsedValues, key: string): string | undefined {
  return str(values, key);
}

export const shardCommand = defineCommand<ShardCommandOptions>({
  name: 'shard',
  summary: 'Rewrite or merge shard corpora into a new corpus with other shard sizes or compression.',
  positionals: [{ name: 'out', description: 'Directory of the new corpus.', required: true }],
  options: {
    from: { type: 'string', multiple: true, valueName: '<dir>', description: 'Input corpus; repeat to merge several (tile ids must be unique across them).' },
    'max-rows': { type: 'string', valueName: '<n>', default: '10240', description: 'Most tiles per shard.' },
    'max-bytes': { type: 'string', valueName: '<size>', default: '512MiB', description: 'Most bytes per shard, e.g. 512MB.' },
    'row-group-rows': { type: 'string', valueName: '<n>', default: '32', description: 'Most tiles per row group.' },
    'row-group-bytes': { type: 'string', valueName: '<size>', default: '64MiB', description: 'Most uncompressed bytes per row group.' },
    compression: { type: 'string', valueName: '<zstd|snappy|none>', default: 'zstd', description: 'Page compression.' },
    level: { type: 'string', valueName: '<1-19>', default: '3', description: 'zstd level.' },
    overwrite: { type: 'boolean', description: 'Replace a corpus already in <out>.' },
  },
  examples: ['terrafm shard runs/demo-resharded --from runs/demo/corpus --max-rows 4 --compression snappy'],
  parse(values, positionals) {
    const from = values.from === undefined ? [] : Array.isArray(values.from) ? values.from : [String(values.from)];
    if (from.length === 0) throw new UsageError('terrafm shard: give at least one --from <corpus dir>');
    const shard: Record<string, unknown> = {};
    const maxRows = int(values, 'max-rows', 1);
    if (maxRows !== undefined) shard.max_rows = maxRows;
    const rgRows = int(values, 'row-group-rows', 1);
    if (rgRows !== undefined) shard.row_group_rows = rgRows;
    const maxBytes = sizeOpt(values, 'max-bytes');
    if (maxBytes !== undefined) shard.max_bytes = maxBytes;
    const rgBytes = sizeOpt(values, 'row-group-bytes');
    if (rgBytes !== undefined) shard.row_group_bytes = rgBytes;
    const compression = oneOf(values, 'compression', ['zstd', 'snappy', 'none'] as const);
    if (compression !== undefined) shard.compression = compression;
    const level = int(values, 'level', 1, 19);
    if (level !== undefined) shard.compression_level = level;
    return { out: positionals[0], from, shard, overwrite: values.overwrite === true };
  },
  async run(opts, io) {
    const cfg = normalise(opts.shard, 'command line');
    const r = await reshardCorpora(opts.from, opts.out, cfg, { overwrite: opts.overwrite });
    (io?.stdout ?? process.stdout).write(`wrote ${opts.out}: ${r.manifest.shards.length} shards, ${r.manifest.tiles} tiles, ${(r.manifest.bytes / 1e6).toFixed(1)} MB\n`);
    return 0;
  },
});
