import { resolve } from 'node:path';
import { strictObject, type ConfigSection } from '../section.js';

/** `output:` where a run writes. `--out` on the command line overrides `dir`. */
export interface OutputConfig {
  /** Run directory, absolute after normalising. Default `runs/<name>` relative to the current directory. */
  dir: string;
}
interface RawOutput {
  dir?: string;
}

export const outputSection: ConfigSection<RawOutput, OutputConfig> = {
  key: 'output',
  required: false,
  schema: strictObject({ dir: { type: 'string', minLength: 1, description: 'Run directory (relative to this file).' } }),
  normalise: (raw, ctx) => ({ dir: raw?.dir ? resolve(ctx.baseDir, raw.dir) : '' }),
};
