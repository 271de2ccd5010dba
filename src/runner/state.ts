// What a run directory remembers between attempts: one done marker per finished stage in
// <run>/state/, each carrying the fingerprint of the configuration the stage ran with. A marker whose
// fingerprint matches lets a rerun skip the stage; anything else (no marker, another fingerprint)
// makes the stage run again. Markers are written atomically after the stage's outputs are in place,
// so a process killed at any moment leaves either a valid marker or none.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { canonicalJson } from '../canonical-json.js';
import { stateDir } from '../pipeline/layout.js';
import type { StageOutcome } from '../pipeline/stage.js';

export const MARKER_VERSION = 1;

export interface DoneMarker {
  version: number;
  stage: string;
  /** Fingerprint of the config parts this stage and every earlier stage depend on. */
  fingerprint: string;
  outcome: StageOutcome;
  seconds: number;
}

function markerPath(runDir: string, stage: string): string {
  return join(stateDir(runDir), `${stage}.done.json`);
}

/**
 * Chained fingerprints: stage i's covers its own config parts and stage i-1's fingerprint, so a change
 * upstream invalidates every later stage too (pure).
 */
export function chainFingerprints(parts: { stage: string; config: unknown }[]): Map<string, string> {
  const out = new Map<string, string>();
  let prev = `terrafm-state-v${MARKER_VERSION}`;
  for (const p of parts) {
    prev = createHash('sha256').update(prev).update('\n').update(p.stage).update('\n').update(canonicalJson(p.config)).digest('hex');
    out.set(p.stage, prev);
  }
  return out;
}


export function readMarker(runDir: string, stage: string): DoneMarker | undefined {
  try {
    const m = JSON.parse(readFileSync(markerPath(runDir, stage), 'utf8')) as DoneMarker;
    return m.version === MARKER_VERSION && m.stage === stage && typeof m.fingerprint === 'string' ? m : undefined;
  } catch {
    // absent or unreadable: the stage simply runs again
    return undefined;
  }
}

export function writeMarker(runDir: string, m: Omit<DoneMarker, 'version'>): void {
  mkdirSync(stateDir(runDir), { recursive: true });
  writeFileAtomic(markerPath(runDir, m.stage), `${JSON.stringify({ version: MARKER_VERSION, ...m }, null, 2)}\n`);
}

export function clearMarker(runDir: string, stage: string): void {
  rmSync(markerPath(runDir, stage), { force: true });
}

/** `--fresh`: forget every marker and journal (outputs are overwritten by the stages themselves); the run lock stays. */
export function clearState(runDir: string): void {
  let names: string[];
  try {
    names = readdirSync(stateDir(runDir));
  } catch {
    return;
  }
  for (const f of names) if (f !== 'run.lock') rmSync(join(stateDir(runDir), f), { recursive: true, force: true });
}
