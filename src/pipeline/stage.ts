// The contract between the runner (src/runner/) and each stage's adapter (src/<stage>/adapter.ts). It
// lives here, below both, so a stage never imports the runner and the runner imports no stage.
import type { PipelineConfig } from '../config/pipeline.js';
import type { Logger } from '../log/logger.js';
import type { Partition } from './partition.js';

/** What every stage receives from the runner. */
export interface StageContext {
  config: PipelineConfig;
  /** Absolute run directory; each stage writes under its own subfolder of it. */
  runDir: string;
  log: Logger;
  /** Stop at the first failed tile/item instead of recording it and going on. */
  failFast: boolean;
  /** This worker's share of the grid cells. Default (absent): every cell. */
  partition?: Partition;
  /** Keep per-unit progress (tile journal) so a killed run resumes. Default (absent): false, start over. */
  resumable?: boolean;
  /** Fingerprint of the config this stage depends on (see runner/state.ts). Set by the runner. */
  fingerprint?: string;
  /** A sample table computed elsewhere (`--sample-from`), checked to exist by the runner: used instead of drawing one (sample-from.ts). */
  sampleFrom?: string;
}

export interface StageOutcome {
  /** `partial`: finished, but some units failed and were recorded in the stage's failures table. */
  status: 'ok' | 'partial' | 'skipped';
  /** Counts and paths worth printing and keeping in run.json. */
  summary: Record<string, unknown>;
  failures?: number;
}

export interface Stage {
  name: string;
  description: string;
  /** Whether the pipeline config asks for this stage (e.g. no `sampling:` section -> no sample stage). */
  enabled(config: PipelineConfig): boolean;
  /**
   * The config parts whose change must redo this stage (and, through the chained fingerprint, every
   * later one). Operational knobs that do not change outputs (concurrency, timeouts) are left out.
   */
  configParts?(config: PipelineConfig, ctx: { partition: Partition; sampleFrom?: string }): unknown;
  run(ctx: StageContext): Promise<StageOutcome>;
}
