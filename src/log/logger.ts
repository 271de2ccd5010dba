// Logging and progress for every stage. Three renderings of the same events:
// - text on a TTY: lines plus a redrawn progress bar with rate and ETA;
// - text off a TTY (CI, pipes, cluster logs): plain lines, progress every 10 % or 10 s;
// - json (`--log-format json`): one JSON object per line, for log collectors.
// Logs go to stderr so stdout stays clean for command output (tables, JSON, CSV).

import { redactText } from '../redact.js';

export type LogFormat = 'text' | 'json';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  format?: LogFormat;
  level?: LogLevel;
  /** Where to write; defaults to process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Clock, injectable for tests. */
  now?: () => number;
}

export interface Progress {
  /** Advance by n units (default 1); `extra` is shown after the counts (e.g. "3 failed"). */
  tick(n?: number, extra?: string): void;
  done(summary?: string): void;
}

export class Logger {
  readonly format: LogFormat;
  private readonly level: number;
  private readonly stream: NonNullable<LoggerOptions['stream']>;
  private readonly now: () => number;
  private barVisible = false;

  constructor(opts: LoggerOptions = {}) {
    this.format = opts.format ?? 'text';
    this.level = LEVELS[opts.level ?? 'info'];
    this.stream = opts.stream ?? process.stderr;
    this.now = opts.now ?? Date.now;
  }

  get isTTY(): boolean {
    return this.format === 'text' && Boolean(this.stream.isTTY);
  }

  debug(msg: string, fields?: Record<string, unknown>) {
    this.log('debug', msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>) {
    this.log('info', msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>) {
    this.log('warn', msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>) {
    this.log('error', msg, fields);
  }

  log(level: LogLevel, msg: string, fields?: Record<string, unknown>) {
    if (LEVELS[level] < this.level) return;
    if (this.format === 'json') {
      this.write(`${JSON.stringify({ time: new Date(this.now()).toISOString(), level, msg, ...fields })}\n`);
      return;
    }
    const tail = fields && Object.keys(fields).length ? ` ${Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')}` : '';
    const prefix = level === 'info' ? '' : `${level}: `;
    this.write(`${prefix}${msg}${tail}\n`);
  }

  /** A progress reporter for `total` units of `label` (e.g. "tile", 240). */
  progress(label: string, total: number, unit = 'items'): Progress {
    const start = this.now();
    let count = 0;
    let lastPrint = start;
    let lastDecile = 0;
    let extraText = '';
    const render = () => {
      const elapsed = (this.now() - start) / 1000;
      const rate = elapsed > 0 ? count / elapsed : 0;
      const eta = rate > 0 && total > count ? (total - count) / rate : 0;
      return { elapsed, rate, eta };
    };
    return {
      tick: (n = 1, extra) => {
        count += n;
        if (extra !== undefined) extraText = extra;
        if (this.level > LEVELS.info) return; // --quiet: no progress output
        const { elapsed, rate, eta } = render();
        const share = total > 0 ? count / total : 0;
        if (this.isTTY) {
          const width = Math.max(10, Math.min(40, (this.stream.columns ?? 80) - 60));
          const filled = Math.round(share * width);
          const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
          this.stream.write(`\r${label} [${bar}] ${count}/${total} ${rate.toFixed(1)} ${unit}/s ETA ${fmtSeconds(eta)}${extraText ? ` ${extraText}` : ''}\x1b[K`);
          this.barVisible = true;
          return;
        }
        // Integer deciles, not share differences: 0.3 - 0.2 < 0.1 in floating point.
        const decile = total > 0 ? Math.floor((count * 10) / total) : 0;
        const due = decile > lastDecile || this.now() - lastPrint >= 10_000 || count === total;
        if (!due) return;
        lastDecile = decile;
        lastPrint = this.now();
        if (this.format === 'json') {
          this.write(`${JSON.stringify({ time: new Date(this.now()).toISOString(), level: 'info', msg: 'progress', stage: label, done: count, total, rate: round(rate), elapsed_s: round(elapsed), extra: extraText || undefined })}\n`);
        } else {
          this.write(`${label}: ${count}/${total} (${Math.round(share * 100)}%) ${rate.toFixed(1)} ${unit}/s${extraText ? ` ${extraText}` : ''}\n`);
        }
      },
      done: (summary) => {
        const { elapsed, rate } = render();
        if (this.barVisible) {
          this.stream.write('\n');
          this.barVisible = false;
        }
        this.info(`${label}: ${summary ?? `${count} ${unit}`} in ${fmtSeconds(elapsed)} (${rate.toFixed(1)} ${unit}/s)`);
      },
    };
  }

  private write(raw: string) {
    const text = redactText(raw);
    if (this.barVisible) {
      this.stream.write('\r\x1b[K');
      this.barVisible = false;
    }
    this.stream.write(text);
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

export function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

let current = new Logger();
/** The process-wide logger the CLI configures; library code logs through it. */
export function logger(): Logger {
  return current;
}
export function setLogger(l: Logger): void {
  current = l;
}
