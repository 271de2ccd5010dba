import type { PipelineConfig } from '../config/pipeline.js';
import type { Logger } from '../log/logger.js';

/** What every stage receives from the runner. */
export interface StageContext {
  config: PipelineConfig;
  /** Absolute run directory; each stage writes under its own subfolder of it. */
  runDir: string;
  log: Logger;
  /** Stop at the first failed tile/item instead of recording it and going on. */
  failFast: boolean;
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
  run(ctx: StageContext): Promise<StageOutcome>;
}
