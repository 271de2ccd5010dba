import { fileURLToPath } from 'node:url';
import { loadPipelineFile } from '../../config/load.js';
import { runPipeline } from '../../pipeline/run.js';
import { defineCommand, str } from '../command.js';

/** The embedded default pipeline: the demo world. */
export const DEMO_PIPELINE = fileURLToPath(new URL('../../../pipelines/demo.yaml', import.meta.url));

export interface RunCommandOptions {
  /** Pipeline YAML; default: pipelines/demo.yaml. */
  pipeline: string;
  /** Run directory; default: `output.dir` of the pipeline, else runs/<name>. */
  out?: string;
  /** Comma-separated stage names to run (default: all enabled). */
  stages?: string[];
  failFast: boolean;
}

export const runCommand = defineCommand<RunCommandOptions>({
  name: 'run',
  summary: 'Run every enabled stage of a pipeline, in order, into one run directory.',
  positionals: [{ name: 'pipeline.yaml', description: 'Pipeline definition (default: the embedded demo, pipelines/demo.yaml).' }],
  options: {
    out: { type: 'string', short: 'o', valueName: '<dir>', description: "Run directory (overrides the pipeline's output.dir)." },
    stages: { type: 'string', valueName: '<a,b,...>', description: 'Only these stages, e.g. discover,tile (still run in pipeline order).' },
    'fail-fast': { type: 'boolean', description: 'Stop at the first failed tile or asset instead of recording it and continuing.' },
  },
  examples: ['terrafm run pipelines/demo.yaml --out runs/demo', 'terrafm run pipelines/global-earth-search.yaml --out /data/corpus --stages discover'],
  parse: (values, positionals) => ({
    pipeline: positionals[0] ?? DEMO_PIPELINE,
    out: str(values, 'out'),
    stages: str(values, 'stages')?.split(',').map((s) => s.trim()).filter(Boolean),
    failFast: values['fail-fast'] === true,
  }),
  async run(opts) {
    const config = loadPipelineFile(opts.pipeline, { outDir: opts.out });
    const result = await runPipeline({ config, stages: opts.stages, failFast: opts.failFast });
    return result.exitCode;
  },
});
