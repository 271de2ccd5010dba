// Read the `sampling:` key of a pipeline YAML on its own, validated against this section's schema, for
// the `landcover` and `sample` commands (the full pipeline loader validates it too once it is wired in).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { sectionValidator } from '../config/ajv-issues.js';
import { normalise, samplingSection, type SamplingConfig } from '../config/sections/sampling.js';
import { ConfigError } from '../errors.js';

const validateSampling = sectionValidator(samplingSection.schema, 'sampling');

export function loadSamplingConfig(file: string | undefined): SamplingConfig {
  if (!file) return normalise(undefined);
  let doc: unknown;
  try {
    doc = YAML.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(file, [{ path: '', message: `cannot read or parse YAML: ${(e as Error).message}` }]);
  }
  const raw = (doc as Record<string, unknown> | null)?.sampling;
  const schemaIssues = raw === undefined ? [] : validateSampling(raw);
  if (schemaIssues.length > 0) throw new ConfigError(file, schemaIssues);
  const cfg = normalise(raw as Parameters<typeof normalise>[0], path.dirname(path.resolve(file)));
  const issues = samplingSection.rules?.(cfg) ?? [];
  if (issues.length > 0) throw new ConfigError(file, issues);
  return cfg;
}
