// One error module for the whole product. Every failure a user can cause or meet is a TerrafmError
// subclass whose message names the subsystem, the bad value and what was expected. The CLI top level
// (src/cli/main.ts) is the only place that catches them, prints them once and sets the exit code.
import { redactText } from './redact.js';

/** Exit codes the CLI uses; scripts and cluster engines can branch on them. */
export const ExitCode = {
  ok: 0,
  /** An unexpected bug (not a TerrafmError). */
  internal: 1,
  /** Bad command line or bad pipeline configuration: nothing was done. */
  usage: 2,
  /** The run finished but some tiles/items failed and were recorded in the failures table. */
  partial: 3,
  /** A stage failed and stopped the run (finished work is kept). */
  failed: 4,
  /** `validate` found mismatches. */
  invalid: 5,
  /** Interrupted by a signal after saving state. */
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class TerrafmError extends Error {
  /** Short subsystem tag printed before the message, e.g. "config", "stac", "tile". */
  readonly subsystem: string;
  readonly exitCode: ExitCodeValue;
  constructor(subsystem: string, message: string, options?: { cause?: unknown; exitCode?: ExitCodeValue }) {
    // Messages quote hrefs and GDAL text: credentials are redacted here, once, for every error.
    super(redactText(message), options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.subsystem = subsystem;
    this.exitCode = options?.exitCode ?? ExitCode.failed;
  }
  /** The one-line form the CLI prints: "subsystem: message". */
  override toString(): string {
    return `${this.subsystem}: ${this.message}`;
  }
}

/** Wrong command-line usage (unknown option, missing argument). */
export class UsageError extends TerrafmError {
  constructor(message: string) {
    super('cli', message, { exitCode: ExitCode.usage });
  }
}

/** One problem found in a pipeline file: where, what was found, what is allowed. */
export interface ConfigIssue {
  /** Dotted key path, e.g. `grid.cell_size_km` or `sources.s1.provider`; empty for the root. */
  path: string;
  message: string;
  /** 1-based line in the YAML file, when known. */
  line?: number;
}

/** A pipeline file that cannot be used; lists every issue found, before any work starts. */
export class ConfigError extends TerrafmError {
  readonly file: string;
  readonly issues: ConfigIssue[];
  constructor(file: string, issues: ConfigIssue[]) {
    const lines = issues.map((i) => `  - ${i.path || '(root)'}${i.line ? ` (line ${i.line})` : ''}: ${i.message}`);
    super('config', `${file}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n${lines.join('\n')}`, {
      exitCode: ExitCode.usage,
    });
    this.file = file;
    this.issues = issues;
  }
}

/** HTTP request that failed for good (after retries, or a status that is not retried). */
export class HttpError extends TerrafmError {
  readonly url: string;
  readonly status: number | undefined;
  readonly attempts: number;
  constructor(url: string, status: number | undefined, attempts: number, detail: string, cause?: unknown) {
    const what = status === undefined ? detail : `HTTP ${status}${detail ? ` (${detail})` : ''}`;
    super('http', `${url}: ${what} after ${attempts} attempt${attempts === 1 ? '' : 's'}`, { cause });
    this.url = url;
    this.status = status;
    this.attempts = attempts;
  }
}

/** A STAC document that is not what the STAC spec or our config expects. */
export class StacError extends TerrafmError {
  constructor(message: string, cause?: unknown) {
    super('stac', message, { cause });
  }
}

/** A raster that cannot be opened, read or warped (404, corrupt, wrong CRS or band count). */
export class RasterError extends TerrafmError {
  readonly href: string;
  constructor(href: string, message: string, cause?: unknown) {
    super('raster', `${href}: ${message}`, { cause });
    this.href = redactText(href);
  }
}

/** Shard writing or reading problems (disk full, corrupt file, schema mismatch). */
export class ShardError extends TerrafmError {
  constructor(message: string, cause?: unknown) {
    super('shard', message, { cause });
  }
}

/** `validate` found that a corpus on disk does not match its manifest or statistics. */
export class ValidationError extends TerrafmError {
  readonly problems: string[];
  constructor(dir: string, problems: string[]) {
    super('validate', `${dir}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems.map((p) => `  - ${p}`).join('\n')}`, {
      exitCode: ExitCode.invalid,
    });
    this.problems = problems;
  }
}

/** Training problems: missing backend, NaN loss, bad checkpoint. */
export class TrainError extends TerrafmError {
  constructor(message: string, cause?: unknown) {
    super('train', message, { cause });
  }
}

/** A weights file (safetensors, PyTorch .pth) that cannot be read, mapped or written. */
export class WeightsError extends TerrafmError {
  constructor(message: string, cause?: unknown) {
    super('weights', message, { cause });
  }
}

/** A stage that cannot run because an earlier stage's output is missing or inconsistent. */
export class StageError extends TerrafmError {
  constructor(stage: string, message: string, cause?: unknown) {
    super(stage, message, { cause });
  }
}

/** Raised when a run is stopped by SIGINT/SIGTERM after its state was saved. */
export class InterruptedError extends TerrafmError {
  constructor(message: string) {
    super('run', message, { exitCode: ExitCode.interrupted });
  }
}

export function isTerrafmError(e: unknown): e is TerrafmError {
  return e instanceof TerrafmError;
}

/** Message of any thrown value, for failure tables and logs. */
export function errorMessage(e: unknown): string {
  if (e instanceof TerrafmError) return e.toString();
  if (e instanceof Error) return redactText(e.message);
  return redactText(String(e));
}
