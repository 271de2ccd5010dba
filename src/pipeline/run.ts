// `terrafm run`: every enabled stage in order, one run directory, one run.json recording what each
// stage did. A stage that throws stops the run; what earlier stages wrote stays on disk.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PipelineConfig } from '../config/pipeline.js';
import { ExitCode, StageError, UsageError, type ExitCodeValue } from '../errors.js';
import { logger } from '../log/logger.js';
import { VERSION } from '../version.js';
import type { Stage, StageOutcome } from './stage.js';
import { prepareInputs } from './prepare.js';
import { STAGES } from './stages.js';

export interface RunOptions {
  config: PipelineConfig;
  /** Only these stages (by name), still in pipeline order. Default: all enabled stages. */
  stages?: string[];
  failFast?: boolean;
  /** Stage list, injectable for tests. */
  registry?: Stage[];
}

export interface RunResult {
  runDir: string;
  outcomes: { stage: string; outcome: StageOutcome; seconds: number }[];
  exitCode: ExitCodeValue;
}

export async function runPipeline(opts: RunOptions): Promise<RunResult> {
  const { config } = opts;
  const registry = opts.registry ?? STAGES;
  const unknown = (opts.stages ?? []).filter((s) => !registry.some((r) => r.name === s));
  if (unknown.length) throw new UsageError(`--stages: unknown stage "${unknown[0]}"; expected some of: ${registry.map((r) => r.name).join(', ')}`);
  const selected = registry.filter((s) => (opts.stages ? opts.stages.includes(s.name) : s.enabled(config)));
  const runDir = config.output.dir;
  await mkdir(runDir, { recursive: true });
  await prepareInputs(config);
  const log = logger();
  log.info(`run ${config.name}: ${selected.map((s) => s.name).join(' -> ') || 'no stages enabled'} into ${runDir}`);

  const result: RunResult = { runDir, outcomes: [], exitCode: ExitCode.ok };
  const record = async (error?: string) => {
    const doc = { tool: 'terrafm-pipeline', version: VERSION, pipeline: config.file, name: config.name, stages: result.outcomes, exitCode: result.exitCode, error };
    const tmp = join(runDir, 'run.json.tmp');
    await writeFile(tmp, `${JSON.stringify(doc, null, 2)}\n`);
    await rename(tmp, join(runDir, 'run.json'));
  };
  for (const stage of selected) {
    const t0 = performance.now();
    try {
      const outcome = await stage.run({ config, runDir, log, failFast: opts.failFast ?? false });
      const seconds = (performance.now() - t0) / 1000;
      result.outcomes.push({ stage: stage.name, outcome, seconds });
      if (outcome.status === 'partial') result.exitCode = ExitCode.partial;
      log.info(`${stage.name}: ${outcome.status}${outcome.failures ? ` (${outcome.failures} failed)` : ''} in ${seconds.toFixed(1)}s`);
    } catch (e) {
      result.exitCode = ExitCode.failed;
      await record(String(e));
      if (e instanceof Error && 'subsystem' in e) throw e;
      throw new StageError(stage.name, `stage failed: ${(e as Error).message}`, e);
    }
  }
  await record();
  return result;
}
