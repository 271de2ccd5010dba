// RFC 3339 datetime intervals as STAC item search uses them ("start/end", ".." or empty = open),
// and the time span of an item (datetime, or start_datetime..end_datetime when datetime is null).

import { StacError } from '../../errors.js';

/** Inclusive bounds in epoch ms; -Infinity/Infinity for open ends. */
export interface TimeSpan {
  start: number;
  end: number;
}

function parseInstant(s: string, whole: string): number {
  // Require a date; a bare date means its whole day would be ambiguous, so it is taken as 00:00Z.
  if (!/^\d{4}-\d{2}-\d{2}([Tt ][\d:.]+([Zz]|[+-]\d{2}:?\d{2})?)?$/.test(s)) {
    throw new StacError(`datetime "${whole}": "${s}" is not an RFC 3339 timestamp; expected e.g. 2024-01-01T00:00:00Z/2024-12-31T23:59:59Z`);
  }
  const t = Date.parse(/[Tt ]/.test(s) && !/([Zz]|[+-]\d{2}:?\d{2})$/.test(s) ? `${s}Z` : s);
  if (Number.isNaN(t)) throw new StacError(`datetime "${whole}": "${s}" is not a valid date`);
  return t;
}

/** Parses "start/end", "start/..", "../end" or a single instant. */
export function parseInterval(value: string): TimeSpan {
  const v = value.trim();
  if (v === '') throw new StacError('datetime is empty; expected an RFC 3339 interval "start/end"');
  const parts = v.split('/');
  if (parts.length > 2) throw new StacError(`datetime "${value}": expected one "/" between start and end`);
  if (parts.length === 1) {
    const t = parseInstant(parts[0]!, value);
    return { start: t, end: t };
  }
  const [a, b] = parts as [string, string];
  const open = (s: string): boolean => s === '' || s === '..';
  if (open(a) && open(b)) throw new StacError(`datetime "${value}": both ends are open`);
  const span = { start: open(a) ? -Infinity : parseInstant(a, value), end: open(b) ? Infinity : parseInstant(b, value) };
  if (span.start > span.end) throw new StacError(`datetime "${value}": start is after end`);
  return span;
}

/** Time span of a raw STAC item from its properties; undefined when it has no usable time. */
export function itemTimeSpan(properties: Record<string, unknown>): TimeSpan | undefined {
  const dt = properties.datetime;
  if (typeof dt === 'string') {
    const t = Date.parse(dt);
    if (!Number.isNaN(t)) return { start: t, end: t };
  }
  const s = typeof properties.start_datetime === 'string' ? Date.parse(properties.start_datetime) : NaN;
  const e = typeof properties.end_datetime === 'string' ? Date.parse(properties.end_datetime) : NaN;
  if (!Number.isNaN(s) && !Number.isNaN(e)) return { start: s, end: e };
  return undefined;
}

export function spansOverlap(a: TimeSpan, b: TimeSpan): boolean {
  return a.start <= b.end && b.start <= a.end;
}
