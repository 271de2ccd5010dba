// The CLI top level: pick the command, parse its options, run it, and turn every error into one
// printed message and one exit code. No other place prints errors or calls process.exit.
import { parseArgs } from 'node:util';
import { ExitCode, TerrafmError, UsageError } from '../errors.js';
import { Logger, setLogger, type LogFormat } from '../log/logger.js';
import { redactText } from '../redact.js';
import type { CommandSpec, ParsedValues } from './command.js';
import { COMMANDS } from './commands/index.js';
import { commandHelp, GLOBAL_OPTIONS, mainHelp } from './help.js';

export interface MainIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export async function main(argv: string[], io: MainIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const target = name === 'help' ? findCommand(rest[0]) : undefined;
    io.stdout.write(target ? commandHelp(target) : mainHelp(COMMANDS));
    return ExitCode.ok;
  }
  if (name === '--version') {
    io.stdout.write(`${(await import('../version.js')).VERSION}\n`);
    return ExitCode.ok;
  }
  let logFormat: LogFormat = 'text';
  try {
    const cmd = findCommand(name);
    if (!cmd) throw new UsageError(`unknown command "${name}"; expected one of: ${COMMANDS.map((c) => c.name).join(', ')}`);
    const { values, positionals } = parseCommandArgs(cmd, rest);
    if (values.help) {
      io.stdout.write(commandHelp(cmd));
      return ExitCode.ok;
    }
    logFormat = values['log-format'] === 'json' ? 'json' : 'text';
    if (values['log-format'] !== undefined && values['log-format'] !== 'json' && values['log-format'] !== 'text') {
      throw new UsageError(`--log-format: "${values['log-format']}" is not valid; expected text or json`);
    }
    setLogger(new Logger({ format: logFormat, stream: io.stderr, level: values.verbose ? 'debug' : values.quiet ? 'warn' : 'info' }));
    const opts = cmd.parse(values as ParsedValues, positionals);
    return await cmd.run(opts, { stdout: io.stdout });
  } catch (e) {
    return reportError(e, io.stderr, logFormat);
  }
}

function findCommand(name: string | undefined): CommandSpec<any> | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** `--bbox -111.7,40.5,...` as written: a value that starts with a minus and a digit belongs to the
 *  string option before it (node:util parseArgs would read it as an option: "argument is ambiguous"). */
export function joinNegativeValues(args: string[], options: Record<string, { type: string }>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    if (a.startsWith('--') && !a.includes('=') && options[a.slice(2)]?.type === 'string' && next !== undefined && /^-\.?\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

function parseCommandArgs(cmd: CommandSpec<any>, args: string[]) {
  const options = { ...GLOBAL_OPTIONS, ...cmd.options };
  try {
    const { values, positionals } = parseArgs({
      args: joinNegativeValues(args, options),
      options: Object.fromEntries(
        Object.entries(options).map(([k, o]) => [k, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }]),
      ),
      allowPositionals: true,
      strict: true,
    });
    if (values.help) return { values, positionals };
    const variadic = cmd.positionals.at(-1)?.variadic === true;
    const maxPos = variadic ? Infinity : cmd.positionals.length;
    if (positionals.length > maxPos) throw new UsageError(`terrafm ${cmd.name}: unexpected argument "${positionals[maxPos]}"; see terrafm ${cmd.name} --help`);
    const missing = cmd.positionals.find((p, i) => p.required && positionals[i] === undefined);
    if (missing) throw new UsageError(`terrafm ${cmd.name}: missing <${missing.name}> (${missing.description}); see terrafm ${cmd.name} --help`);
    return { values, positionals };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    // node:util parseArgs errors (unknown option, missing value) become usage errors naming the command.
    throw new UsageError(`terrafm ${cmd.name}: ${(e as Error).message.split('\n')[0]}; see terrafm ${cmd.name} --help`);
  }
}

function reportError(e: unknown, raw: NodeJS.WritableStream, format: LogFormat): number {
  const stderr = { write: (text: string) => raw.write(redactText(text)) };
  if (e instanceof TerrafmError) {
    if (format === 'json') stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', subsystem: e.subsystem, error: e.name, msg: e.message })}\n`);
    else stderr.write(`error: ${e.toString()}\n`);
    return e.exitCode;
  }
  const err = e as Error;
  if (format === 'json') stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', error: 'internal', msg: err?.message, stack: err?.stack })}\n`);
  else stderr.write(`internal error (a bug, please report it): ${err?.stack ?? String(e)}\n`);
  return ExitCode.internal;
}
