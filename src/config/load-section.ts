// One section of a pipeline file on its own, for the commands that run one stage (`terrafm sample`,
// `terrafm landcover`, `terrafm train` and `terrafm tile` with `--pipeline`): the same steps as the
// pipeline loader (load.ts) for that section: YAML -> the section's schema -> normalise (every
// default, from the section alone) -> the section's rules; every problem in one ConfigError naming
// the file. A file without the section, or no file, gives the section's defaults.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';
import { sectionValidator } from './ajv-issues.js';
import { SECTIONS, type PipelineConfig } from './pipeline.js';

/** Keys of the pipeline's sections (area, grid, sampling, tile, train, ...). */
export type SectionKey = Exclude<keyof PipelineConfig, 'version' | 'name' | 'file'>;
export type SectionOf<K extends SectionKey> = NonNullable<PipelineConfig[K]>;

const validators = new Map<string, (data: unknown) => ReturnType<ReturnType<typeof sectionValidator>>>();

function sectionNamed(key: SectionKey) {
  const section = SECTIONS.find((s) => s.key === key);
  if (!section) throw new Error(`no config section ${key}`);
  return section;
}

/**
 * A raw (YAML-shaped, snake_case) section -> its typed, normalised form, or a ConfigError from `where`
 * listing every problem. Undefined stands for an empty section: every default.
 */
export function sectionFrom<K extends SectionKey>(key: K, raw: unknown, where: string, baseDir = '.'): SectionOf<K> {
  const section = sectionNamed(key);
  const data = raw ?? {};
  if (!validators.has(key)) validators.set(key, sectionValidator(section.schema, key));
  const schemaIssues = validators.get(key)!(data);
  if (schemaIssues.length) throw new ConfigError(where, schemaIssues);
  const value = section.normalise(data, { baseDir }) as SectionOf<K>;
  const issues = section.rules?.(value) ?? [];
  if (issues.length) throw new ConfigError(where, issues);
  return value;
}

/** The raw `key:` mapping of a pipeline YAML file (undefined when the file has none). */
export function readSection(file: string, key: SectionKey): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); expected a pipeline YAML file` }]);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    throw new ConfigError(file, doc.errors.map((e) => ({ path: '', line: e.linePos?.[0].line, message: `YAML syntax: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}` })));
  }
  const data = doc.toJS() as unknown;
  if (data === null || data === undefined) return undefined;
  if (typeof data !== 'object' || Array.isArray(data)) throw new ConfigError(file, [{ path: '', message: `expected a mapping of sections (area, time, sources, ...), got ${typeof data}` }]);
  return (data as Record<string, unknown>)[key] ?? undefined;
}

export interface LoadSectionOptions {
  /** Puts command-line values over the file's raw section before it is checked (`terrafm train --steps`). */
  override?: (raw: Record<string, unknown>) => Record<string, unknown>;
}

/** `key:` of the pipeline file `file` (or, without a file, the section's defaults plus `override`). */
export function loadSection<K extends SectionKey>(file: string | undefined, key: K, opts: LoadSectionOptions = {}): SectionOf<K> {
  let raw = file === undefined ? undefined : readSection(file, key);
  if (opts.override) {
    if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) throw new ConfigError(file!, [{ path: key, message: 'expected a mapping' }]);
    raw = opts.override((raw ?? {}) as Record<string, unknown>);
  }
  return sectionFrom(key, raw, file ?? 'command line', file === undefined ? '.' : dirname(resolve(file)));
}
