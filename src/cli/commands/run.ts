import { fileURLToPath } from 'node:url';
import { loadPipelineFile } from '../../config/load.js';
import { parsePartition, type Partition } from '../../pipeline/partition.js';
import { prepareInputs } from '../../runner/prepare.js';
import { runPipeline } from '../../runner/run.js';
import { STAGES } from '../../runner/stages.js';
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
  /** Ignore the state of earlier attempts in the run directory and redo every stage. */
  fresh: boolean;
  /** This worker's share of the grid cells (`--partition i/N` or `auto/N`). */
  partition: Partition;
  /** A sample table drawn by an unpartitioned run, for partitioned runs of a pipeline with sampling. */
  sampleFrom?: string;
}

export const runCommand = defineCommand<RunCommandOptions>({
  name: 'run',
  summary: 'Run every enabled stage of a pipeline, in order, into one run directory (resumes an interrupted run).',
  positionals: [{ name: 'pipeline.yaml', description: 'Pipeline definition (default: the embedded demo, pipelines/demo.yaml).' }],
  options: {
    out: { type: 'string', short: 'o', valueName: '<dir>', description: "Run directory (overrides the pipeline's output.dir)." },
    stages: { type: 'string', valueName: '<a,b,...>', description: 'Only these stages, e.g. discover,tile (still run in pipeline order).' },
    'fail-fast': { type: 'boolean', description: 'Stop at the first failed tile or asset (exit 4) instead of recording it and continuing (exit 3).' },
    fresh: { type: 'boolean', description: 'Forget what earlier attempts finished (state/ in the run directory) and redo every stage. Default: skip finished stages and shards.' },
    partition: {
      type: 'string',
      valueName: '<i/N|auto/N>',
      description: 'Only the grid cells of partition i of N (a hash of the cell id); auto/N reads i from JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array job). Combine the outputs with terrafm merge.',
    },
    'sample-from': {
      type: 'string',
      valueName: '<sample.parquet>',
      description: 'Use this sample table (sample/sample.parquet of an unpartitioned run) instead of drawing one; required with --partition when the pipeline has a sampling section.',
    },
  },
  examples: [
    'terrafm run pipelines/demo.yaml --out runs/demo',
    'terrafm run pipelines/demo.yaml --out runs/demo --stages discover,sample',
    'terrafm run pipelines/demo.yaml --out runs/demo-p1 --partition 1/3 --sample-from runs/demo/sample/sample.parquet --stages discover,sample,tile',
  ],
  parse: (values, positionals) => ({
    pipeline: positionals[0] ?? DEMO_PIPELINE,
    out: str(values, 'out'),
    stages: str(values, 'stages')?.split(',').map((s) => s.trim()).filter(Boolean),
    failFast: values['fail-fast'] === true,
    fresh: values.fresh === true,
    partition: parsePartition(str(values, 'partition')),
    sampleFrom: str(values, 'sample-from'),
  }),
  async run(opts) {
    const config = loadPipelineFile(opts.pipeline, { outDir: opts.out });
    const result = await runPipeline({ config, registry: STAGES, prepare: prepareInputs, stages: opts.stages, failFast: opts.failFast, fresh: opts.fresh, partition: opts.partition, sampleFrom: opts.sampleFrom });
    return result.exitCode;
  },
});
