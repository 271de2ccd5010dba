import { resolve } from 'node:path';
import { schemaDefaults, strictObject, type ConfigSection, type JsonSchema } from '../section.js';

/** `output:` where a run writes. `--out` on the command line overrides `dir`. */
export interface OutputConfig {
  /** Run directory, absolute after normalising. Default `runs/<name>` relative to the current directory. */
  dir: string;
  /** Query parameters treated as credentials on top of the built-in list (sig, se, st, sp, sv, skoid,
   *  ..., X-Amz-*, X-Goog-*, token): removed from stored hrefs, REDACTED in any text written. Default []. */
  redactQueryParams: string[];
}
interface RawOutput {
  dir?: string;
  redact_query_params?: string[];
}

const outputSchema: JsonSchema = strictObject({
  dir: { type: 'string', minLength: 1, description: 'Run directory (relative to this file).' },
  redact_query_params: {
    type: 'array',
    items: { type: 'string', pattern: '^[A-Za-z0-9_.~-]+\\*?$' },
    default: [],
    description: 'Extra URL query parameters that carry credentials (a trailing * matches a prefix); never written.',
  },
});

export const outputSection: ConfigSection<RawOutput, OutputConfig> = {
  key: 'output',
  required: false,
  schema: outputSchema,
  normalise: (raw, ctx) => ({
    dir: raw?.dir ? resolve(ctx.baseDir, raw.dir) : '',
    redactQueryParams: raw?.redact_query_params ?? schemaDefaults<Required<RawOutput>>(outputSchema).redact_query_params,
  }),
};
