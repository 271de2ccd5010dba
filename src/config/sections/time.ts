import { strictObject, type ConfigSection } from '../section.js';

/** `time:` the acquisition time range searched, inclusive. */
export interface TimeConfig {
  /** ISO 8601 start (a date `2021-01-01` means its 00:00:00Z). Required. */
  start: string;
  /** ISO 8601 end (a date means its 23:59:59Z). Required; must not be before start. */
  end: string;
}
interface RawTime {
  start: string;
  end: string;
}

const dateOrDateTime = {
  type: 'string',
  description: 'Date (YYYY-MM-DD) or RFC 3339 date-time (YYYY-MM-DDTHH:MM:SSZ).',
  pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2}))?$',
};

export function toInstant(value: string, endOfDay: boolean): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return `${value}T${endOfDay ? '23:59:59' : '00:00:00'}Z`;
  return new Date(value).toISOString().replace('.000Z', 'Z');
}

export const timeSection: ConfigSection<RawTime, TimeConfig> = {
  key: 'time',
  required: true,
  schema: strictObject(
    { start: dateOrDateTime, end: dateOrDateTime },
    { required: ['start', 'end'], description: 'Acquisition time range searched (inclusive).' },
  ),
  normalise: (raw) => ({ start: toInstant(String(raw!.start), false), end: toInstant(String(raw!.end), true) }),
  rules(t) {
    const s = Date.parse(t.start);
    const e = Date.parse(t.end);
    if (Number.isNaN(s)) return [{ path: 'time.start', message: `"${t.start}" is not a valid date; expected YYYY-MM-DD` }];
    if (Number.isNaN(e)) return [{ path: 'time.end', message: `"${t.end}" is not a valid date; expected YYYY-MM-DD` }];
    if (e < s) return [{ path: 'time.end', message: `${shortInstant(t.end)} is before time.start ${shortInstant(t.start)}; expected an end on or after the start` }];
    return [];
  },
};

/** Back to the date the user wrote when the instant is a day boundary we added. */
function shortInstant(v: string): string {
  return v.replace(/T(00:00:00|23:59:59)Z$/, '');
}
