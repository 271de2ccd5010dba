// Failures are data: one row per tile that could not be produced, naming the file and the step.
import { RasterError } from '../errors.js';
import type { AccessRule } from '../net/access-policy.js';

export type TileStage = 'plan' | 'open' | 'validate' | 'warp' | 'read' | 'filter';

/** One row of the failures table. `skipped` rows are tiles dropped by a threshold, not errors. */
export interface TileFailure {
  kind: 'failure' | 'skipped';
  tileId: string;
  cellId: string;
  /** The asset href that failed ('' when the tile as a whole is concerned). */
  href: string;
  stage: TileStage;
  error: string;
  /** The asset access policy's rule, when the policy refused the href (stage `plan`). */
  rule?: AccessRule;
}

/** Error raised at one step of reading one asset; the runner turns it into a TileFailure row. */
export class TileStepError extends RasterError {
  readonly stage: TileStage;
  /** The message without the href prefix (the table has an href column). */
  readonly detail: string;
  constructor(href: string, stage: TileStage, detail: string, cause?: unknown) {
    super(href, `${stage}: ${detail}`, cause);
    this.stage = stage;
    this.detail = detail;
  }
}

export function isTileFailure(x: unknown): x is TileFailure {
  return typeof x === 'object' && x !== null && 'stage' in x && 'kind' in x;
}
