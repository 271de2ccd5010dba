// `terrafm validate <dir>`: checks a corpus against its manifest and statistics (src/shard/validate.ts).
// Any problem raises ValidationError, which the CLI prints as a list and turns into exit code 5.
import { ValidationError } from '../../errors.js';
import { validateCorpus } from '../../shard/validate.js';
import { defineCommand } from '../command.js';
import { resolveCorpusDir } from '../corpus-input.js';

export interface ValidateCommandOptions {
  dir: string;
  json: boolean;
}

export const validateCommand = defineCommand<ValidateCommandOptions>({
  name: 'validate',
  summary: 'Check a shard corpus: checksums, schema, missing/extra shards, duplicate tile ids, statistics recomputed from the pixels.',
  positionals: [{ name: 'dir', description: 'Corpus directory (with manifest.json), or a run directory (its corpus/).', required: true }],
  options: {
    json: { type: 'boolean', description: 'Print the report as JSON (still exits 5 when problems are found).' },
  },
  examples: ['terrafm validate runs/demo/corpus', 'terrafm validate runs/demo'],
  parse: (values, positionals) => ({ dir: positionals[0], json: values.json === true }),
  async run(opts, io) {
    const dir = resolveCorpusDir(opts.dir);
    const report = await validateCorpus(dir);
    const out = io?.stdout ?? process.stdout;
    if (opts.json) out.write(`${JSON.stringify(report, null, 2)}\n`);
    if (report.problems.length) throw new ValidationError(dir, report.problems);
    if (!opts.json) out.write(`ok: ${dir}: ${report.shardsChecked} shards, ${report.tilesChecked} tiles, checksums, schema and statistics match\n`);
    return 0;
  },
});
