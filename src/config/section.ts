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

/**
 * The `default` values a section's schema states, nested like its properties (a property without a
 * default is absent). Normalisers fill in from these, so each default is written once, in the schema
 * (which editors and schemas/pipeline.schema.json show).
 */
export function schemaDefaults<T = Record<string, any>>(schema: JsonSchema): T {
  const out: Record<string, unknown> = {};
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  for (const [k, p] of Object.entries(props)) {
    if ('default' in p) out[k] = structuredClone(p.default); // a copy: a normalised config may be changed
    else if (p.properties) {
      const nested = schemaDefaults(p);
      if (Object.keys(nested).length) out[k] = nested;
    }
  }
  return out as T;
}
