import { loadPipelineFile } from '../../config/load.js';
import { defineCommand } from '../command.js';

export interface ConfigCommandOptions {
  pipeline: string;
}

export const configCommand = defineCommand<ConfigCommandOptions>({
  name: 'config',
  summary: 'Check a pipeline file and print it normalised (every default filled in) as JSON.',
  positionals: [{ name: 'pipeline.yaml', description: 'Pipeline definition to check.', required: true }],
  options: {},
  examples: ['terrafm config pipelines/demo.yaml'],
  parse: (_values, positionals) => ({ pipeline: positionals[0] }),
  async run(opts, io) {
    const config = loadPipelineFile(opts.pipeline);
    (io?.stdout ?? process.stdout).write(`${JSON.stringify(config, null, 2)}\n`);
    return 0;
  },
});
