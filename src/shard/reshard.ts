// Rewrite corpora into a new one (other shard settings) or merge corpora written separately. Statistics
// are recomputed from the pixels; histogram ranges not configured are taken from the inputs, so the new
// histograms cover the same value range as the old ones.
import { resolve } from 'node:path';
import { ShardError } from '../errors.js';
import type { ShardConfig } from '../config/sections/shard.js';
import type { Modality } from '../model/types.js';
import { openCorpus, iterateTiles } from './reader.js';
import { writeCorpusFrom, type CorpusResult } from './sink.js';
import type { TileRecord } from '../model/types.js';

export async function reshardCorpora(inputs: string[], out: string, cfg: ShardConfig, opts: { overwrite?: boolean } = {}): Promise<CorpusResult> {
  const outAbs = resolve(out);
  if (inputs.some((d) => resolve(d) === outAbs)) throw new ShardError(`output ${out} is also an input; write the new corpus to another directory`);
  const corpora = inputs.map((d) => openCorpus(d));
  const ranges = { ...cfg.histogramRanges };
  for (const c of corpora) {
    for (const [m, ms] of Object.entries(c.stats.modalities)) ranges[m as Modality] ??= [ms!.lo, ms!.hi];
  }
  async function* all(): AsyncGenerator<TileRecord> {
    for (const dir of inputs) {
      for await (const t of iterateTiles(dir)) {
        const { shard: _s, rowIndex: _r, ...tile } = t;
        yield tile;
      }
    }
  }
  return writeCorpusFrom(all(), out, { ...cfg, histogramRanges: ranges }, { overwrite: opts.overwrite });
}
