// `terrafm discover`: runs the discover stage of a pipeline on its own: grid cells of the area,
// STAC searches, S1/S2 pairing, then scenes.parquet and discover-summary.json in the run directory.
import { checkOutputDir } from '../../output-dir.js';
import { loadPipelineFile } from '../../config/load.js';
import { runDiscover } from '../../discover/stage.js';
import { prepareInputs } from '../../runner/prepare.js';
import { defineCommand, int, str, type CommandIO } from '../command.js';

export interface DiscoverCommandOptions {
  pipeline: string;
  /** Run directory; overrides output.dir of the pipeline. */
  out?: string;
  /** Only the first n grid cells (a preview of a large area). */
  limitCells?: number;
}

export const discoverCommand = defineCommand<DiscoverCommandOptions>({
  name: 'discover',
  summary: 'Find and pair the Sentinel-1/2 and land-cover scenes of every grid cell; write scenes.parquet.',
  positionals: [{ name: 'pipeline.yaml', description: 'Pipeline definition.', required: true }],
  options: {
    out: { type: 'string', short: 'o', valueName: '<dir>', description: 'Run directory (overrides output.dir).' },
    'limit-cells': { type: 'string', valueName: '<n>', description: 'Only the first n grid cells of the area.' },
  },
  examples: ['terrafm discover pipelines/demo.yaml --out runs/demo-discover --limit-cells 5'],
  parse: (values, positionals) => ({ pipeline: positionals[0], out: str(values, 'out'), limitCells: int(values, 'limit-cells', 1) }),
  async run(opts, io?: CommandIO) {
    const config = loadPipelineFile(opts.pipeline, { outDir: opts.out });
    await prepareInputs(config);
    checkOutputDir(config.output.dir, '--out');
    const res = await runDiscover(config, { outDir: config.output.dir, limitCells: opts.limitCells });
    const out = io?.stdout ?? process.stdout;
    out.write(`${JSON.stringify({ scenesTable: res.scenesTable, summaryFile: res.summaryFile, ...res.summary }, null, 2)}\n`);
    return 0;
  },
});
