// Pipeline file -> typed, normalised PipelineConfig. Order: YAML syntax -> JSON Schema (every
// section at once, all errors collected) -> per-section normalise (defaults, paths) -> cross-field
// rules. Any issue stops here with one ConfigError listing them all, before any work starts.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { setExtraCredentialParams } from '../redact.js';
import { ajvErrorsToIssues } from './ajv-issues.js';
import { CROSS_RULES, pipelineSchema, SECTIONS, type PipelineConfig } from './pipeline.js';
import { SectionIssues } from './section.js';

export interface LoadOptions {
  /** Overrides `output.dir` (the CLI's `--out`). */
  outDir?: string;
}

export function loadPipelineFile(file: string, opts: LoadOptions = {}): PipelineConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); expected a pipeline YAML file` }]);
  }
  return parsePipeline(text, file, opts);
}

let validator: ReturnType<Ajv['compile']> | undefined;
function validate(data: unknown) {
  validator ??= new Ajv({ allErrors: true, strict: false, verbose: true }).compile(pipelineSchema());
  validator(data);
  return validator.errors ?? [];
}

export function parsePipeline(text: string, file: string, opts: LoadOptions = {}): PipelineConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({ path: '', line: e.linePos?.[0].line, message: `YAML syntax: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}` })),
    );
  }
  const data = doc.toJS() as Record<string, unknown> | null;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(file, [{ path: '', message: `expected a mapping of sections (area, time, sources, ...), got ${data === null ? 'an empty file' : typeof data}` }]);
  }

  const lineOf = (path: string): number | undefined => {
    const keys = path.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== '').map((k) => (/^\d+$/.test(k) ? Number(k) : k));
    for (let n = keys.length; n > 0; n--) {
      const node = doc.getIn(keys.slice(0, n), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const withLines = (issues: ConfigIssue[]) => issues.map((i) => ({ ...i, line: i.line ?? lineOf(i.path) }));

  const schemaIssues = ajvErrorsToIssues(validate(data), data);
  if (schemaIssues.length) throw new ConfigError(file, withLines(schemaIssues));

  const ctx = { baseDir: dirname(resolve(file)) };
  const issues: ConfigIssue[] = [];
  const out: Record<string, unknown> = { version: data.version ?? 1, name: data.name, file: resolve(file) };
  for (const section of SECTIONS) {
    try {
      out[section.key] = section.normalise(data[section.key] as never, ctx);
    } catch (e) {
      if (e instanceof SectionIssues) issues.push(...e.issues);
      else throw e;
    }
  }
  if (issues.length === 0) {
    for (const section of SECTIONS) if (section.rules && out[section.key] !== undefined) issues.push(...section.rules(out[section.key] as never));
  }
  if (issues.length === 0) for (const rule of CROSS_RULES) issues.push(...rule(out as unknown as PipelineConfig));
  if (issues.length) throw new ConfigError(file, withLines(issues));

  const config = out as unknown as PipelineConfig;
  if (opts.outDir) config.output.dir = resolve(opts.outDir);
  if (!config.output.dir) config.output.dir = resolve('runs', config.name);
  // Redaction must know the pipeline's extra credential parameters before anything is read or written.
  setExtraCredentialParams(config.output.redactQueryParams);
  return config;
}
