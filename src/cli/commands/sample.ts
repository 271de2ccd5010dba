import path from 'node:path';
import { StageError, UsageError } from '../../errors.js';
import type { SamplingConfig } from '../../config/sections/sampling.js';
import { parseCompareList } from '../../sample/config-specs.js';
import { readClassFrequencies, readLandcoverTable } from '../../sample/landcover/table.js';
import { loadSection } from '../../config/load-section.js';
import { joinPassedCells, readPassedCells } from '../../sample/passed-cells.js';
import { POLICY_NAMES, type PolicyName } from '../../sample/policies/types.js';
import { sampleStep } from '../../sample/stage.js';
import { defineCommand, int, num, oneOf, str } from '../command.js';

export interface SampleCommandOptions {
  /** Land-cover table written by `terrafm landcover` (cells x class counts). */
  landcover: string;
  /** Output directory: sample*.parquet, report.json, report.md, *.svg, *.png. */
  out: string;
  /** Cells that passed discovery (JSON / JSON lines); default: every cell of the land-cover table. */
  cells?: string;
  /** class-frequencies.json from `terrafm landcover`; default: computed from the population. */
  frequencies?: string;
  /** Policies to run side by side (`--compare`); default: just `sampling.policy`. */
  compare?: { name: PolicyName; alpha?: number }[];
  sampling: SamplingConfig;
  png: boolean;
}

export async function runSampleCommand(opts: SampleCommandOptions, out: NodeJS.WritableStream = process.stdout) {
  const table = await readLandcoverTable(opts.landcover);
  let pop = table.population;
  if (opts.cells) {
    const passed = await readPassedCells(opts.cells);
    const joined = joinPassedCells(pop, passed);
    if (joined.population.size === 0)
      throw new StageError('sample', `none of the ${passed.size} cells in ${opts.cells} is in the land-cover table ${opts.landcover}; run \`terrafm landcover\` over the same cells`);
    if (joined.missing > 0) out.write(`sample: ${joined.missing} passed cell(s) have no land-cover row and cannot be sampled\n`);
    pop = joined.population;
  }
  const classFrequencies = opts.frequencies ? await readClassFrequencies(opts.frequencies) : undefined;
  const { run, files } = await sampleStep(pop, opts.sampling, opts.out, { compare: opts.compare, classFrequencies, png: opts.png });
  const r = run.report;
  out.write(`sample: ${r.filters.before} cells, ${r.filters.after} after filters, seed ${r.seed}\n`);
  for (const p of r.policies)
    out.write(
      `  ${p.label}: ${p.cells} cells, entropy ${p.entropyBits.toFixed(3)} bits, KL to uniform ${p.klToUniformBits?.toFixed(3) ?? 'n/a'}, ESS ${p.ess.toFixed(1)}\n`,
    );
  out.write(`  wrote ${files.samples.length + files.report.length} files to ${path.resolve(opts.out)}\n`);
  return { run, files };
}

export const sampleCommand = defineCommand<SampleCommandOptions>({
  name: 'sample',
  summary: 'Draw cells with a land-cover-aware policy (or compare policies) and write the sample and its report.',
  positionals: [],
  options: {
    landcover: { type: 'string', valueName: '<landcover.parquet>', description: 'Land-cover table from `terrafm landcover` (required).' },
    out: { type: 'string', short: 'o', valueName: '<dir>', description: 'Output directory (required).' },
    cells: { type: 'string', valueName: '<file>', description: 'Cells that passed discovery: JSON array or JSON lines of CellScenes or {cellId, cloudCover} records. Default: all table cells.' },
    frequencies: { type: 'string', valueName: '<json>', description: 'Global class frequencies (class-frequencies.json). Default: from the population.' },
    pipeline: { type: 'string', valueName: '<pipeline.yaml>', description: 'Read options from its `sampling:` section; flags below override it.' },
    policy: { type: 'string', valueName: '<name>', description: `Policy: ${POLICY_NAMES.join(' | ')}.`, default: 'inverse-frequency' },
    compare: { type: 'string', valueName: '<a,b,...>', description: 'Run several policies on the same cells and seed, e.g. uniform,inverse-frequency:0.5,inverse-frequency:1,stratified,target.' },
    count: { type: 'string', valueName: '<n>', description: 'Cells to draw.', default: '1000' },
    seed: { type: 'string', valueName: '<n>', description: 'PRNG seed.', default: '0' },
    alpha: { type: 'string', valueName: '<x>', description: 'inverse-frequency temperature (0 uniform, 1 equal shares).', default: '0.5' },
    'max-nodata-fraction': { type: 'string', valueName: '<0..1>', description: 'Drop cells with more nodata than this.', default: '0.5' },
    'max-cloud': { type: 'string', valueName: '<percent>', description: 'Drop cells cloudier than this.', default: '100' },
    'keep-water': { type: 'boolean', description: 'Keep cells that are all permanent water (dropped by default).' },
    'no-png': { type: 'boolean', description: 'Write SVG pictures only.' },
  },
  examples: [
    'terrafm sample --landcover runs/demo/landcover/landcover.parquet --out runs/demo-sample --policy stratified --count 10',
    'terrafm sample --landcover runs/demo/landcover/landcover.parquet --out runs/demo-compare --compare uniform,inverse-frequency:1,stratified --count 10 --seed 7',
  ],
  parse(values) {
    const landcover = str(values, 'landcover');
    const out = str(values, 'out');
    if (!landcover) throw new UsageError('missing --landcover <landcover.parquet>');
    if (!out) throw new UsageError('missing --out <dir>');
    const base = loadSection(str(values, 'pipeline'), 'sampling');
    const maxNodata = num(values, 'max-nodata-fraction');
    if (maxNodata !== undefined && !(maxNodata >= 0 && maxNodata <= 1)) throw new UsageError(`--max-nodata-fraction: ${maxNodata} is not valid; expected 0..1`);
    const maxCloud = num(values, 'max-cloud');
    if (maxCloud !== undefined && !(maxCloud >= 0 && maxCloud <= 100)) throw new UsageError(`--max-cloud: ${maxCloud} is not valid; expected a percent 0..100`);
    const alpha = num(values, 'alpha');
    if (alpha !== undefined && !(alpha >= 0)) throw new UsageError(`--alpha: ${alpha} is not valid; expected a number >= 0`);
    const compareText = str(values, 'compare');
    let compare: SampleCommandOptions['compare'];
    try {
      compare = compareText ? parseCompareList(compareText) : undefined;
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const sampling: SamplingConfig = {
      ...base,
      policy: oneOf(values, 'policy', POLICY_NAMES) ?? base.policy,
      count: int(values, 'count', 1) ?? base.count,
      seed: int(values, 'seed', 0) ?? base.seed,
      alpha: alpha ?? base.alpha,
      filters: {
        maxNodataFraction: maxNodata ?? base.filters.maxNodataFraction,
        maxCloud: maxCloud ?? base.filters.maxCloud,
        excludeAllWater: values['keep-water'] === true ? false : base.filters.excludeAllWater,
      },
    };
    return { landcover, out, cells: str(values, 'cells'), frequencies: str(values, 'frequencies'), compare, sampling, png: values['no-png'] !== true };
  },
  async run(opts, io) {
    await runSampleCommand(opts, io?.stdout ?? process.stdout);
    return 0;
  },
});
