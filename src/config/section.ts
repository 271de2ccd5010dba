// The contract every config section follows: schema -> normalise -> rules.
// A section owns one top-level YAML key. Its JSON-schema fragment feeds both the validator and
// schemas/pipeline.schema.json (editor completion); `normalise` turns the validated snake_case YAML
// into the typed camelCase model with every default filled in; `rules` checks what a schema cannot
// (cross-field constraints), returning issues instead of throwing so all of them are reported at once.
import type { ConfigIssue } from '../errors.js';

export type JsonSchema = { [key: string]: unknown };

export interface NormaliseContext {
  /** Directory of the pipeline file; relative paths in the file resolve against it. */
  baseDir: string;
}

export interface ConfigSection<Raw, Normalised> {
  key: string;
  schema: JsonSchema;
  /** Whether the key must be present in the YAML (else normalise receives undefined). */
  required: boolean;
  normalise(raw: Raw | undefined, ctx: NormaliseContext): Normalised;
  rules?(value: Normalised): ConfigIssue[];
}

/** Shorthand for an object schema that rejects unknown keys (so typos are caught). */
export function strictObject(properties: Record<string, JsonSchema>, extra: JsonSchema = {}): JsonSchema {
  return { type: 'object', additionalProperties: false, properties, ...extra };
}

/** Thrown by a section's `normalise` when it finds problems only visible while normalising (a missing file). */
export class SectionIssues extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  }
}
