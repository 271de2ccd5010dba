// Acquisition times <-> Parquet TIMESTAMP(MICROS, UTC). STAC datetimes carry up to microseconds, which a
// JS Date (milliseconds) would cut, so the conversion works on the text and a bigint count of microseconds.
import { TerrafmError } from '../errors.js';

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/i;

/** Microseconds since 1970-01-01T00:00:00Z of an RFC 3339 date-time; throws ShardError naming the text. */
export function isoToMicros(text: string): bigint {
  const m = RFC3339.exec(text);
  const seconds = m ? Date.parse(`${m[1]}${m[3].toUpperCase()}`) : NaN;
  if (!m || Number.isNaN(seconds)) throw new TerrafmError('parquet', `datetime ${JSON.stringify(text)} is not an RFC 3339 date-time (e.g. 2021-06-01T10:20:31Z)`);
  const frac = (m[2] ?? '').slice(0, 6).padEnd(6, '0');
  return BigInt(seconds) * 1000n + BigInt(frac);
}

/** Canonical UTC text of a microsecond timestamp: `YYYY-MM-DDTHH:MM:SS[.f]Z`, trailing zeros of the fraction dropped. */
export function microsToIso(us: bigint): string {
  let seconds = us / 1_000_000n;
  if (seconds * 1_000_000n > us) seconds -= 1n; // floor for times before 1970
  const fraction = (us - seconds * 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}
