// Evaluates the CQL2-JSON subset the pipeline sends (property comparisons such as
// eo:cloud_cover <= 20, joined with and/or/not) against a raw STAC item. The static source and
// the loopback test server both use it, so a filter means the same thing everywhere. Anything
// outside the subset is refused with a clear error rather than silently matching everything.

import { StacError } from '../../errors.js';

type Json = unknown;
type Item = { id?: unknown; collection?: unknown; properties?: Record<string, unknown> };

const COMPARISONS: Record<string, (a: number | string | boolean, b: number | string | boolean) => boolean> = {
  '=': (a, b) => a === b,
  '<>': (a, b) => a !== b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};
// Early drafts (and Earth Search's recorded requests) spell the operators as words.
const ALIASES: Record<string, string> = { eq: '=', neq: '<>', ne: '<>', lt: '<', lte: '<=', le: '<=', gt: '>', gte: '>=', ge: '>=' };
export const SUPPORTED_CQL2_OPS = ['and', 'or', 'not', ...Object.keys(COMPARISONS), ...Object.keys(ALIASES), 'between', 'in', 'isNull'];

function valueOf(arg: Json, item: Item): unknown {
  if (arg !== null && typeof arg === 'object' && !Array.isArray(arg)) {
    const o = arg as Record<string, unknown>;
    if (typeof o.property === 'string') {
      if (o.property === 'id') return item.id;
      if (o.property === 'collection') return item.collection;
      return item.properties?.[o.property];
    }
    if (typeof o.timestamp === 'string') return Date.parse(o.timestamp);
    if (typeof o.date === 'string') return Date.parse(o.date);
    throw new StacError(`filter: unsupported CQL2 argument ${JSON.stringify(arg)}; expected {"property": ...} or a literal`);
  }
  return arg;
}

function scalar(v: unknown): v is number | string | boolean {
  return typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';
}

/** Checks the expression's shape once, so a bad filter fails before any request is sent. */
export function validateCql2(expr: Json): void {
  const probe: Item = { id: '', collection: '', properties: {} };
  evaluateCql2(expr, probe);
}

export function evaluateCql2(expr: Json, item: Item): boolean {
  if (expr === true || expr === false) return expr;
  if (expr === null || typeof expr !== 'object' || Array.isArray(expr)) {
    throw new StacError(`filter: expected a CQL2-JSON expression object {"op": ..., "args": [...]}, got ${JSON.stringify(expr)}`);
  }
  const { op: rawOp, args } = expr as { op?: unknown; args?: unknown };
  if (typeof rawOp !== 'string' || !Array.isArray(args)) {
    throw new StacError(`filter: expected {"op": string, "args": array}, got ${JSON.stringify(expr)}`);
  }
  const op = ALIASES[rawOp] ?? rawOp;
  switch (op) {
    case 'and': {
      // Evaluate every argument (no short-circuit) so unsupported parts are reported even when
      // an earlier argument is false.
      const results = args.map((a) => evaluateCql2(a, item));
      return results.every(Boolean);
    }
    case 'or': {
      const results = args.map((a) => evaluateCql2(a, item));
      return results.some(Boolean);
    }
    case 'not':
      if (args.length !== 1) throw new StacError(`filter: "not" takes 1 argument, got ${args.length}`);
      return !evaluateCql2(args[0], item);
    case 'isNull': {
      const v = valueOf(args[0], item);
      return v === null || v === undefined;
    }
    case 'between': {
      if (args.length !== 3) throw new StacError(`filter: "between" takes 3 arguments, got ${args.length}`);
      const [v, lo, hi] = args.map((a) => valueOf(a, item));
      return scalar(v) && scalar(lo) && scalar(hi) && typeof v === typeof lo && v >= lo && v <= hi;
    }
    case 'in': {
      const v = valueOf(args[0], item);
      const list = args[1];
      if (!Array.isArray(list)) throw new StacError(`filter: "in" expects a list as second argument`);
      return list.some((x) => valueOf(x, item) === v);
    }
    default: {
      const cmp = COMPARISONS[op];
      if (!cmp) {
        throw new StacError(`filter: unsupported CQL2 operator "${rawOp}"; supported: ${SUPPORTED_CQL2_OPS.join(', ')}`);
      }
      if (args.length !== 2) throw new StacError(`filter: "${rawOp}" takes 2 arguments, got ${args.length}`);
      const a = valueOf(args[0], item);
      const b = valueOf(args[1], item);
      // A missing property never matches (SQL NULL semantics), and types are not coerced.
      if (!scalar(a) || !scalar(b) || typeof a !== typeof b) return false;
      return cmp(a, b);
    }
  }
}
