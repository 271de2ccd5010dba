// The shard journal: one JSON line per finished shard, appended (and fsynced) right after the shard
// file is renamed into place. It is what lets a killed run resume without rewriting or duplicating
// tiles: the journalled shards whose bytes still match are kept, everything after them is redone.
// The first line is a header naming what the shards were cut from (a key such as the tile plan's
// hash); a journal with another key belongs to another plan and is ignored.
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { ShardError } from '../errors.js';
import { redactText } from '../redact.js';
import { layoutFromJson, layoutToJson, type CorpusLayout, type LayoutJson } from './layout.js';
import type { ShardEntry } from './shard-file-writer.js';
import { statsFromJson, statsToJson, type StatsJson } from './stats.js';
import { writeCorpusFile } from './manifest.js';

export const JOURNAL_VERSION = 1;

export interface JournalHeader {
  kind: 'header';
  version: number;
  /** What the shards were cut from; a resume needs the same key. */
  key: string;
}

/** A finished shard as journalled: its manifest entry (stats as JSON) plus what a resume needs. */
export interface JournalShard extends Omit<ShardEntry, 'stats'> {
  kind: 'shard';
  /** 0-based position of the shard in the corpus. */
  seq: number;
  stats: StatsJson;
  /** Corpus layout when the shard closed (it grows as modalities first appear). */
  layout: LayoutJson;
  tileIds: string[];
  /** The producer's own resume data (the tile stage: where in its plan to go on, failures so far). */
  progress: unknown;
}

export type JournalLine = JournalHeader | JournalShard;

export function journalShard(seq: number, e: ShardEntry, layout: CorpusLayout, tileIds: string[], progress: unknown): JournalShard {
  return { kind: 'shard', seq, ...e, stats: statsToJson(e.stats), layout: layoutToJson(layout), tileIds, progress };
}

export function shardEntryOf(j: JournalShard, where: string): ShardEntry {
  const { file, rows, bytes, sha256, tileIdMin, tileIdMax, rowGroups, payloadBytes } = j;
  return { file, rows, bytes, sha256, tileIdMin, tileIdMax, rowGroups, payloadBytes, stats: statsFromJson(j.stats, where) };
}

export function layoutOf(j: JournalShard, where: string): CorpusLayout {
  return layoutFromJson(j.layout, where);
}

/**
 * Parses journal text (pure). Returns the shard lines in order when the header matches `key`; stops at
 * the first line that is torn (a crash during the append) or out of sequence. `undefined`: no usable
 * journal (absent, other key, other version).
 */
export function parseJournal(text: string, key: string): JournalShard[] | undefined {
  const lines = text.split('\n');
  let header: JournalHeader | undefined;
  try {
    header = JSON.parse(lines[0]) as JournalHeader;
  } catch {
    return undefined;
  }
  if (header?.kind !== 'header' || header.version !== JOURNAL_VERSION || header.key !== key) return undefined;
  const out: JournalShard[] = [];
  for (const line of lines.slice(1)) {
    if (!line.trim()) continue;
    let j: JournalShard;
    try {
      j = JSON.parse(line) as JournalShard;
    } catch {
      break;
    }
    if (j?.kind !== 'shard' || j.seq !== out.length || typeof j.sha256 !== 'string' || !Array.isArray(j.tileIds)) break;
    out.push(j);
  }
  return out;
}

export function readJournal(path: string, key: string): JournalShard[] | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  return parseJournal(text, key);
}

/** Starts the journal over with `key` and the shards kept from an earlier attempt (atomic rewrite). */
export function resetJournal(path: string, key: string, kept: JournalShard[]): void {
  const header: JournalHeader = { kind: 'header', version: JOURNAL_VERSION, key };
  writeCorpusFile(path, redactText([header, ...kept].map((l) => `${JSON.stringify(l)}\n`).join('')));
}

/** Appends one shard line and fsyncs it: once this returns, a crash cannot lose the shard. */
export function appendJournal(path: string, line: JournalShard): void {
  const text = redactText(`${JSON.stringify(line)}\n`);
  try {
    const fd = openSync(path, 'a');
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw new ShardError(`cannot append to the shard journal ${path}: ${(e as Error).message}`, e);
  }
}
