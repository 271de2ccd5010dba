// Shape of a CLI command. The command itself is `run(opts)`: an async function taking a typed
// options object, callable from tests without argv. `parse` is the only argv-aware part, and the
// help text is generated from the same option table, so help and behaviour cannot drift apart.
import { UsageError } from '../errors.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  description: string;
  /** Shown in help as the value placeholder, e.g. `<dir>`. */
  valueName?: string;
  /** Shown in help; the command applies its own defaults in `parse`. */
  default?: string;
  multiple?: boolean;
}

export interface PositionalSpec {
  name: string;
  description: string;
  required?: boolean;
  /** Last positional only: takes every remaining argument (`<dir>...`). */
  variadic?: boolean;
}

export interface CommandIO {
  stdout: NodeJS.WritableStream;
}

export type ParsedValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandSpec<O = unknown> {
  name: string;
  summary: string;
  positionals: PositionalSpec[];
  options: Record<string, OptionSpec>;
  examples?: string[];
  /** argv values -> typed options; throws UsageError on bad values. */
  parse(values: ParsedValues, positionals: string[]): O;
  /** Runs the command; resolves to the process exit code. Output (tables, JSON) goes to io.stdout. */
  run(opts: O, io?: CommandIO): Promise<number>;
}

/** Identity helper that keeps the option type `O` tied between `parse` and `run`. */
export function defineCommand<O>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

// Helpers for `parse` implementations.
export function str(values: ParsedValues, key: string): string | undefined {
  const v = values[key];
  return typeof v === 'string' ? v : undefined;
}
export function int(values: ParsedValues, key: string, min = -Infinity, max = Infinity): number | undefined {
  const v = str(values, key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${key}: "${v}" is not valid; expected an integer${Number.isFinite(min) ? ` >= ${min}` : ''}${Number.isFinite(max) ? ` and <= ${max}` : ''}`);
  }
  return n;
}
export function num(values: ParsedValues, key: string): number | undefined {
  const v = str(values, key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${key}: "${v}" is not valid; expected a number`);
  return n;
}
export function oneOf<T extends string>(values: ParsedValues, key: string, allowed: readonly T[]): T | undefined {
  const v = str(values, key);
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) throw new UsageError(`--${key}: "${v}" is not valid; expected one of: ${allowed.join(', ')}`);
  return v as T;
}
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new UsageError(`missing ${what}`);
  return value;
}
