// Rewrites word-spelled comparison operators of early CQL2 drafts ("lte", "eq") to the standard
// symbols before a filter is sent. Earth Search v1 silently ignores the word forms (recorded in
// the earth-search-v1 cql2 cassette: a "lte" 40 filter came back with 56.8 % cloudy scenes and
// S1 items that have no eo:cloud_cover at all).

const WORD_OPS: Record<string, string> = { eq: '=', neq: '<>', ne: '<>', lt: '<', lte: '<=', le: '<=', gt: '>', gte: '>=', ge: '>=' };

export function normaliseCql2(expr: unknown): unknown {
  if (Array.isArray(expr)) return expr.map(normaliseCql2);
  if (expr === null || typeof expr !== 'object') return expr;
  const o = expr as Record<string, unknown>;
  if (typeof o.op === 'string' && Array.isArray(o.args)) {
    return { ...o, op: WORD_OPS[o.op] ?? o.op, args: o.args.map(normaliseCql2) };
  }
  return o;
}
