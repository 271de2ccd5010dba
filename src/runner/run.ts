// `terrafm run`: every enabled stage in order, one run directory, one run.json recording what each
// stage did. A stage that throws stops the run; what earlier stages wrote stays on disk.
// Resumable: a stage whose done marker (state/<stage>.done.json) matches the current config
// fingerprint is skipped; the tile stage also resumes inside itself from its shard journal.
// The runner knows no stage: the CLI passes the stage list (stages.ts) and the input preparation
// (prepare.ts) in, and stages meet the runner only through the contract in src/pipeline/stage.ts.
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-file.js';
import { redactText } from '../redact.js';
import { join } from 'node:path';
import type { PipelineConfig } from '../config/pipeline.js';
import { ExitCode, StageError, UsageError, errorMessage, isTerrafmError, type ExitCodeValue } from '../errors.js';
import { checkOutputDir } from '../output-dir.js';
import { logger } from '../log/logger.js';
import { VERSION } from '../version.js';
import { RUN_RECORD } from '../pipeline/layout.js';
import { WHOLE, type Partition } from '../pipeline/partition.js';
import { checkSampleFrom } from '../pipeline/sample-from.js';
import type { Stage, StageOutcome } from '../pipeline/stage.js';
import { lockRunDir } from './lock.js';
import { chainFingerprints, clearMarker, clearState, readMarker, writeMarker } from './state.js';

/** Stages that read the whole corpus, so a partitioned run leaves them out. */
const WHOLE_CORPUS_STAGES = new Set(['train']);

export interface RunOptions {
  config: PipelineConfig;
  /** Only these stages (by name), still in pipeline order. Default: all enabled stages. */
  stages?: string[];
  failFast?: boolean;
  /** The stages, in pipeline order (the CLI passes STAGES from stages.ts; tests their own). */
  registry: Stage[];
  /** Makes inputs a run can make for itself before any stage (the CLI passes prepareInputs). Default: none. */
  prepare?: (config: PipelineConfig) => Promise<void>;
  /** This worker's share of the grid cells (`--partition i/N`). Default: everything. */
  partition?: Partition;
  /** Ignore what earlier attempts recorded and redo every stage (`--fresh`). */
  fresh?: boolean;
  /** Record progress so a rerun resumes (default true); false runs without state or journal. */
  resumable?: boolean;
  /** A sample table drawn elsewhere (`--sample-from`), required for a partitioned run with `sampling:`. */
  sampleFrom?: string;
}

export interface RunResult {
  runDir: string;
  outcomes: { stage: string; outcome: StageOutcome; seconds: number; resumed?: boolean; earlier?: boolean }[];
  exitCode: ExitCodeValue;
}

export async function runPipeline(opts: RunOptions): Promise<RunResult> {
  const { config } = opts;
  const registry = opts.registry;
  const partition = opts.partition ?? WHOLE;
  const resumable = opts.resumable ?? true;
  const unknown = (opts.stages ?? []).filter((s) => !registry.some((r) => r.name === s));
  if (unknown.length) throw new UsageError(`--stages: unknown stage "${unknown[0]}"; expected some of: ${registry.map((r) => r.name).join(', ')}`);
  const enabled = registry.filter((s) => s.enabled(config));
  let selected = registry.filter((s) => (opts.stages ? opts.stages.includes(s.name) : s.enabled(config)));
  const log = logger();
  if (partition.count > 1) {
    // Training needs the whole corpus: it runs once, after `terrafm merge`, not in each partition.
    const whole = selected.filter((s) => WHOLE_CORPUS_STAGES.has(s.name));
    if (whole.length && opts.stages) {
      throw new UsageError(`--partition ${partition.index}/${partition.count}: stage ${whole[0].name} needs the whole corpus; run it after terrafm merge, without --partition`);
    }
    if (whole.length) log.info(`partition ${partition.index}/${partition.count}: ${whole.map((s) => s.name).join(', ')} left out (needs the merged corpus; run it after terrafm merge)`);
    selected = selected.filter((s) => !WHOLE_CORPUS_STAGES.has(s.name));
  }
  // Sampling draws from the whole population (a fixed count, weights normalised over all cells), so
  // one worker seeing a third of the cells cannot draw the same sample: it must be given the sample.
  if (partition.count > 1 && selected.some((s) => s.name === 'sample') && opts.sampleFrom === undefined) {
    throw new UsageError(
      `--partition ${partition.index}/${partition.count}: the pipeline has a sampling section, and a sample must be drawn over every cell at once; ` +
        'expected --sample-from <sample.parquet> (from one unpartitioned `terrafm run <pipeline> --stages discover,sample`), or a pipeline without sampling',
    );
  }
  checkSampleFrom(opts.sampleFrom);
  const runDir = config.output.dir;
  checkOutputDir(runDir, 'run directory (--out or output.dir)');
  await mkdir(runDir, { recursive: true });
  const unlock = resumable || opts.fresh ? lockRunDir(runDir) : () => {};
  try {
    if (opts.fresh) clearState(runDir);
    return await runStages(opts, { registry, partition, resumable, enabled, selected, runDir, log });
  } finally {
    unlock();
  }
}

async function runStages(
  opts: RunOptions,
  { registry, partition, resumable, enabled, selected, runDir, log }: { registry: Stage[]; partition: Partition; resumable: boolean; enabled: Stage[]; selected: Stage[]; runDir: string; log: ReturnType<typeof logger> },
): Promise<RunResult> {
  const { config } = opts;
  await opts.prepare?.(config);
  log.info(`run ${config.name}: ${selected.map((s) => s.name).join(' -> ') || 'no stages enabled'} into ${runDir}${partition.count > 1 ? ` (partition ${partition.index}/${partition.count})` : ''}`);

  // Fingerprints chain over every enabled stage in pipeline order, whichever are selected this time.
  const chain = [...enabled, ...selected.filter((s) => !enabled.includes(s))].sort((a, b) => registry.indexOf(a) - registry.indexOf(b));
  // A stage without configParts depends on the config section named after it (e.g. `train:`).
  const partsOf = (s: Stage): unknown =>
    s.configParts ? s.configParts(config, { partition, sampleFrom: opts.sampleFrom }) : ((config as unknown as Record<string, unknown>)[s.name] ?? null);
  const fingerprints = chainFingerprints(chain.map((s) => ({ stage: s.name, config: partsOf(s) })));

  const result: RunResult = { runDir, outcomes: [], exitCode: ExitCode.ok };
  // run.json keeps one record per stage across partial invocations (`--stages tile` after
  // `--stages discover,sample`): stages not run this time keep their earlier record, marked so.
  const earlier = opts.fresh ? [] : earlierStageRecords(runDir);
  const stageRecords = () =>
    registry.flatMap((s) => {
      const now = result.outcomes.find((o) => o.stage === s.name);
      if (now) return [now];
      const before = earlier.find((o) => o.stage === s.name);
      return before ? [{ ...before, earlier: true }] : [];
    });
  const record = async (error?: string) => {
    const doc = {
      tool: 'terrafm-pipeline',
      version: VERSION,
      pipeline: config.file,
      name: config.name,
      ...(partition.count > 1 ? { partition } : {}),
      stages: stageRecords(),
      exitCode: result.exitCode,
      error,
    };
    writeFileAtomic(join(runDir, RUN_RECORD), redactText(`${JSON.stringify(doc, null, 2)}\n`));
  };
  let upstreamRan = false;
  for (const stage of selected) {
    const fingerprint = fingerprints.get(stage.name)!;
    const marker = resumable ? readMarker(runDir, stage.name) : undefined;
    if (marker && marker.fingerprint === fingerprint && !upstreamRan) {
      result.outcomes.push({ stage: stage.name, outcome: marker.outcome, seconds: 0, resumed: true });
      if (marker.outcome.status === 'partial') result.exitCode = ExitCode.partial;
      log.info(`${stage.name}: done earlier (${marker.outcome.status}); skipped`);
      continue;
    }
    // This stage runs again, so later stages' markers no longer vouch for their outputs.
    for (const s of registry.slice(registry.indexOf(stage))) clearMarker(runDir, s.name);
    upstreamRan = true;
    const t0 = performance.now();
    try {
      const outcome = await stage.run({ config, runDir, log, failFast: opts.failFast ?? false, partition, resumable, fingerprint, sampleFrom: opts.sampleFrom });
      const seconds = (performance.now() - t0) / 1000;
      result.outcomes.push({ stage: stage.name, outcome, seconds });
      if (outcome.status === 'partial') result.exitCode = ExitCode.partial;
      if (resumable) writeMarker(runDir, { stage: stage.name, fingerprint, outcome, seconds });
      log.info(`${stage.name}: ${outcome.status}${outcome.failures ? ` (${outcome.failures} failed)` : ''} in ${seconds.toFixed(1)}s`);
    } catch (e) {
      result.exitCode = ExitCode.failed;
      // Recording the failure may fail too (a full disk): the stage's error and exit code stay the answer.
      try {
        await record(errorMessage(e));
      } catch (re) {
        log.warn(`cannot record the failure of ${stage.name} in run.json: ${errorMessage(re)}`);
      }
      if (isTerrafmError(e)) throw e;
      throw new StageError(stage.name, `stage failed: ${(e as Error).message}`, e);
    }
  }
  await record();
  return result;
}

/** Stage records of an earlier run.json in this directory ([] when there is none or it is unreadable). */
function earlierStageRecords(runDir: string): RunResult['outcomes'] {
  try {
    const doc = JSON.parse(readFileSync(join(runDir, RUN_RECORD), 'utf8')) as { stages?: unknown };
    return Array.isArray(doc.stages) ? (doc.stages as RunResult['outcomes']).filter((o) => typeof o?.stage === 'string') : [];
  } catch {
    return [];
  }
}
