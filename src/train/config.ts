// Validating a raw `train:` mapping (from a pipeline file or built from command-line flags) on its
// own, so `terrafm train` works with or without a full pipeline file.
import fs from 'node:fs';
import { parse } from 'yaml';
import { sectionValidator } from '../config/ajv-issues.js';
import { normaliseTrain, trainRules, trainSchema, type RawTrain, type TrainConfig } from '../config/sections/train.js';
import { ConfigError } from '../errors.js';

const validate = sectionValidator(trainSchema, 'train');

/** Validates and normalises; throws ConfigError listing every problem (paths prefixed `train.`). */
export function trainConfigFrom(raw: RawTrain | undefined, where: string): TrainConfig {
  const data = raw ?? {};
  const schemaIssues = validate(data);
  if (schemaIssues.length) throw new ConfigError(where, schemaIssues);
  const cfg = normaliseTrain(data);
  const issues = trainRules(cfg);
  if (issues.length) throw new ConfigError(where, issues);
  return cfg;
}

/** The raw `train:` mapping of a pipeline YAML file (empty when the file has none). */
export function readTrainSection(file: string): RawTrain {
  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(file, [{ path: '', message: `cannot read: ${(e as Error).message.split('\n')[0]}` }]);
  }
  const t = (doc as { train?: unknown } | null)?.train;
  if (t === undefined || t === null) return {};
  if (typeof t !== 'object' || Array.isArray(t)) throw new ConfigError(file, [{ path: 'train', message: 'expected a mapping' }]);
  return t as RawTrain;
}
