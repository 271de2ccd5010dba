// What every corpus-consuming command (train, embed, eval, inspect, validate) does with its <corpus>
// argument: accept a run directory too (its corpus/ is used, and said), and, before the first step,
// verify the corpus (--verify full|cheap, --no-verify).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { logger } from '../log/logger.js';
import { CORPUS_DIR } from '../pipeline/layout.js';
import { MANIFEST_FILE } from '../shard/manifest.js';
import { assertVerifiedCorpus, type VerifyMode } from '../shard/verify.js';
import { oneOf, type OptionSpec, type ParsedValues } from './command.js';

/** The corpus directory a <corpus> argument names: itself, or <run>/corpus for a run directory. */
export function resolveCorpusDir(dir: string): string {
  if (existsSync(join(dir, MANIFEST_FILE)) || !existsSync(join(dir, CORPUS_DIR, MANIFEST_FILE))) return dir;
  const corpus = join(dir, CORPUS_DIR);
  logger().info(`${dir} is a run directory: using its corpus ${corpus}`);
  return corpus;
}

export const VERIFY_OPTIONS: Record<string, OptionSpec> = {
  verify: {
    type: 'string',
    valueName: '<full|cheap>',
    default: 'full',
    description: 'Check the corpus before the first step: full = sizes and sha256 against manifest.json, footers, stats.json; cheap = sizes, footers, stats.json. A mismatch stops with exit 5.',
  },
  'no-verify': { type: 'boolean', description: 'Skip the corpus check (logged).' },
};

export function verifyModeOf(values: ParsedValues): VerifyMode | false {
  if (values['no-verify'] === true) return false;
  return oneOf(values, 'verify', ['full', 'cheap'] as const) ?? 'full';
}

/** The corpus a command reads, resolved and verified. */
export async function openCorpusInput(dir: string, verify: VerifyMode | false): Promise<string> {
  const corpus = resolveCorpusDir(dir);
  await assertVerifiedCorpus(corpus, verify);
  return corpus;
}
