// `terrafm merge <out> <partition-dir>...`: one corpus from the outputs of partitioned runs
// (src/shard/merge.ts). Shards are linked (or copied), never rewritten; validate accepts the result.
import { checkOutputDir } from '../../output-dir.js';
import { mergeCorpora } from '../../shard/merge.js';
import { defineCommand, type ParsedValues } from '../command.js';
import { UsageError } from '../../errors.js';

export interface MergeCommandOptions {
  out: string;
  inputs: string[];
  move: boolean;
  overwrite: boolean;
  planOnly: boolean;
}

function inputsOf(values: ParsedValues, positionals: string[]): string[] {
  const fromOpt = values.input;
  const list = [...positionals.slice(1).flatMap((p) => p.split(',')), ...(Array.isArray(fromOpt) ? fromOpt : typeof fromOpt === 'string' ? [fromOpt] : [])];
  return list.map((s) => s.trim()).filter(Boolean);
}

export const mergeCommand = defineCommand<MergeCommandOptions>({
  name: 'merge',
  summary: 'Combine the corpora of partitioned runs (terrafm run --partition i/N) into one corpus.',
  positionals: [
    { name: 'out', description: 'Directory of the merged corpus (manifest.json, stats.json, shards, tile-failures.jsonl).', required: true },
    { name: 'partition-dir', description: 'Run directories (or their corpus/ directories) of the partitions; also comma-separated, or with --input.', variadic: true },
  ],
  options: {
    input: { type: 'string', multiple: true, valueName: '<dir>', description: 'One more partition directory.' },
    move: { type: 'boolean', description: 'Move the shard files instead of hard-linking or copying them.' },
    overwrite: { type: 'boolean', description: 'Replace a corpus already in <out>.' },
    'plan-only': {
      type: 'boolean',
      description: 'Write manifest.json, stats.json and merge-plan.tsv (source path, new name) but leave the shards where they are (object storage: copy them server-side from the plan).',
    },
  },
  examples: ['terrafm merge runs/demo-merged runs/demo', 'terrafm merge runs/demo-merged2 --input runs/demo'],
  parse: (values, positionals) => {
    const inputs = inputsOf(values, positionals);
    if (inputs.length === 0) throw new UsageError('terrafm merge: no partition directories; expected <out> <dir>... or --input <dir>');
    return { out: positionals[0], inputs, move: values.move === true, overwrite: values.overwrite === true, planOnly: values['plan-only'] === true };
  },
  async run(opts, io) {
    checkOutputDir(opts.out, '<out>');
    const r = await mergeCorpora(opts.out, opts.inputs, { move: opts.move, overwrite: opts.overwrite, planOnly: opts.planOnly });
    (io?.stdout ?? process.stdout).write(`merged ${r.inputs.length} corpora into ${opts.out}: ${r.manifest.shards.length} shards, ${r.manifest.tiles} tiles, ${r.failures} failure rows\n`);
    return 0;
  },
});

