// Record files people hand to single-stage commands (cells, passed cells, scenes): one JSON array, or
// JSON lines (one object per line, blank lines ignored). Parsed here, once.
import { readFile } from 'node:fs/promises';
import { StageError } from './errors.js';

/** The records of a JSON array or JSON lines text (pure); throws SyntaxError on bad JSON. */
export function parseJsonRecords(text: string): unknown[] {
  const t = text.trim();
  if (t.startsWith('[')) return JSON.parse(t) as unknown[];
  return t
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as unknown);
}

/** Reads a cells file; a read or parse problem is a StageError of `subsystem` naming the file. */
export async function readJsonRecords(file: string, subsystem: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new StageError(subsystem, `cannot read cells file ${file}: ${(e as Error).message}`, e);
  }
  try {
    return parseJsonRecords(text);
  } catch (e) {
    throw new StageError(subsystem, `${file}: not a JSON array or JSON lines (${(e as Error).message})`, e);
  }
}
