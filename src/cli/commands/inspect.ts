// `terrafm inspect <dir>`: summary of a corpus (shards, tiles, bytes, class shares, band means/stds)
// from its manifest and statistics; the work is in src/shard/inspect.ts.
import { formatInspect, inspectCorpus } from '../../shard/inspect.js';
import { defineCommand } from '../command.js';
import { resolveCorpusDir } from '../corpus-input.js';

export interface InspectCommandOptions {
  dir: string;
  json: boolean;
}

export const inspectCommand = defineCommand<InspectCommandOptions>({
  name: 'inspect',
  summary: 'Summarise a shard corpus: shards, tiles, bytes, class shares, band means and stds.',
  positionals: [{ name: 'dir', description: 'Corpus directory (with manifest.json), or a run directory (its corpus/).', required: true }],
  options: {
    json: { type: 'boolean', description: 'Print the summary as JSON instead of tables.' },
  },
  examples: ['terrafm inspect runs/demo/corpus', 'terrafm inspect runs/demo --json'],
  parse: (values, positionals) => ({ dir: positionals[0], json: values.json === true }),
  async run(opts, io) {
    const s = inspectCorpus(resolveCorpusDir(opts.dir));
    (io?.stdout ?? process.stdout).write(opts.json ? `${JSON.stringify(s, null, 2)}\n` : `${formatInspect(s)}\n`);
    return 0;
  },
});
