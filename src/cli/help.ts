import type { CommandSpec, OptionSpec } from './command.js';

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  'log-format': { type: 'string', valueName: '<text|json>', description: 'Log rendering: text (progress bars on a terminal) or json lines.', default: 'text' },
  verbose: { type: 'boolean', short: 'v', description: 'Also print debug messages.' },
  quiet: { type: 'boolean', short: 'q', description: 'Print warnings and errors only.' },
  help: { type: 'boolean', short: 'h', description: 'Show help for the command.' },
};

function optionLines(options: Record<string, OptionSpec>): string[] {
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.valueName ?? '<value>'}` : ''}`;
    const desc = `${o.description}${o.default !== undefined ? ` (default: ${o.default})` : ''}${o.multiple ? ' Repeatable.' : ''}`;
    return [flag, desc] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length), 10) + 2;
  return rows.map(([f, d]) => `  ${f.padEnd(width)}${d}`);
}

export function commandHelp(cmd: CommandSpec<any>): string {
  const pos = cmd.positionals.map((p) => `${p.required ? `<${p.name}>` : `[${p.name}]`}${p.variadic ? '...' : ''}`).join(' ');
  const lines = [`terrafm ${cmd.name}${pos ? ` ${pos}` : ''} [options]`, '', cmd.summary, ''];
  if (cmd.positionals.length) {
    lines.push('Arguments:');
    const w = Math.max(...cmd.positionals.map((p) => p.name.length)) + 4;
    for (const p of cmd.positionals) lines.push(`  ${p.name.padEnd(w)}${p.description}`);
    lines.push('');
  }
  if (Object.keys(cmd.options).length) lines.push('Options:', ...optionLines(cmd.options), '');
  lines.push('Global options:', ...optionLines(GLOBAL_OPTIONS), '');
  if (cmd.examples?.length) lines.push('Examples:', ...cmd.examples.map((e) => `  ${e}`), '');
  return lines.join('\n');
}

export function mainHelp(commands: CommandSpec<any>[]): string {
  const w = Math.max(...commands.map((c) => c.name.length)) + 4;
  return [
    'terrafm: build Earth-observation pretraining corpora and pretrain TerraFM on them.',
    '',
    'Usage: terrafm <command> [arguments] [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(w)}${c.summary}`),
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    "Run 'terrafm <command> --help' for a command's arguments and options.",
    '',
  ].join('\n');
}
