// Turns Ajv's validation errors into ConfigIssues a person can act on: the dotted key path, the bad
// value and what is allowed. Ajv reports every failing branch of an `anyOf`; we keep only the
// outermost error at a path so the user reads one line per mistake.
import { Ajv, type ErrorObject } from 'ajv';
import type { ConfigIssue } from '../errors.js';

/** `/sources/s1/provider` -> `sources.s1.provider`; `/area/bbox/0` -> `area.bbox[0]`. */
export function pointerToPath(pointer: string): string {
  if (!pointer) return '';
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `array ${JSON.stringify(v).slice(0, 60)}`;
  if (typeof v === 'string') return `string ${JSON.stringify(v)}`;
  if (typeof v === 'object') return 'object';
  return `${typeof v} ${String(v)}`;
}

/** Closest candidate by edit distance, for "did you mean" hints on typos. */
export function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

function valueAt(root: unknown, pointer: string): unknown {
  let cur: any = root;
  for (const part of pointer.split('/').slice(1)) cur = cur?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return cur;
}

export function ajvErrorsToIssues(errors: ErrorObject[], data: unknown): ConfigIssue[] {
  // Paths covered by an anyOf/oneOf error: its branch errors are noise.
  const unionPaths = new Set(errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.instancePath));
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== 'anyOf' && e.keyword !== 'oneOf' && [...unionPaths].some((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`))) continue;
    const issue = toIssue(e, data);
    const key = `${issue.path}|${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}

function toIssue(e: ErrorObject, data: unknown): ConfigIssue {
  const path = pointerToPath(e.instancePath);
  const value = valueAt(data, e.instancePath);
  const schema = e.parentSchema as { description?: string; properties?: Record<string, unknown> } | undefined;
  const p = e.params as Record<string, any>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const allowed = Object.keys(schema?.properties ?? {});
      const hint = closest(key, allowed);
      return {
        path: path ? `${path}.${key}` : key,
        message: `unknown key${hint ? ` (did you mean "${hint}"?)` : ''}; allowed keys: ${allowed.join(', ')}`,
      };
    }
    case 'required':
      return { path: path ? `${path}.${p.missingProperty}` : String(p.missingProperty), message: 'missing required key' };
    case 'type':
      return { path, message: `expected ${p.type}, got ${describeValue(value)}` };
    case 'enum':
      return { path, message: `${JSON.stringify(value)} is not allowed; expected one of: ${(p.allowedValues as unknown[]).join(', ')}` };
    case 'const':
      return { path, message: `${JSON.stringify(value)} is not allowed; expected ${JSON.stringify(p.allowedValue)}` };
    case 'pattern':
      return { path, message: `${JSON.stringify(value)} does not match; expected ${schema?.description ?? `pattern ${p.pattern}`}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path, message: `${String(value)} is out of range; expected a value ${p.comparison} ${p.limit}` };
    case 'minItems':
    case 'maxItems':
      return { path, message: `has ${(value as unknown[]).length} items; expected ${e.keyword === 'minItems' ? 'at least' : 'at most'} ${p.limit}` };
    case 'minProperties':
    case 'maxProperties': {
      const keys = Object.keys(schema?.properties ?? {});
      return { path, message: `has ${Object.keys(value as object).length} keys; expected ${schema?.description ?? `${e.keyword === 'minProperties' ? 'at least' : 'at most'} ${p.limit} of ${keys.join(', ')}`}` };
    }
    case 'anyOf':
    case 'oneOf':
      return { path, message: `got ${describeValue(value)}; expected ${schema?.description ?? 'one of the allowed forms'}` };
    case 'uniqueItems':
      return { path, message: `items ${p.j} and ${p.i} are duplicates; expected unique items` };
    default:
      return { path, message: `${e.message ?? 'invalid'} (got ${describeValue(value)})` };
  }
}

/**
 * A validator for one config section read on its own (`terrafm train --pipeline`, the sampling
 * commands): the same Ajv options and messages as the whole-pipeline loader, paths prefixed with
 * the section key (e.g. `train.crops.global_size`).
 */
export function sectionValidator(schema: object, key: string): (data: unknown) => ConfigIssue[] {
  const validate = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema);
  return (data) =>
    validate(data) ? [] : ajvErrorsToIssues(validate.errors ?? [], data).map((i) => ({ ...i, path: i.path ? `${key}.${i.path}` : key }));
}
