// `terrafm embed <corpus> --encoder <dir> | --random-init --out <file.parquet>`: CLS embeddings of
// every tile, of an exported encoder or of the random initialisation a run starts from (the baseline).
import { dirname, resolve } from 'node:path';
import { checkOutputDir } from '../../output-dir.js';
import { MODALITIES, type Modality } from '../../model/types.js';
import { UsageError } from '../../errors.js';
import { embedCorpus, MODEL_SIZES, type ModelSize } from '../../train/index.js';
import type { VerifyMode } from '../../shard/verify.js';
import { openCorpusInput, VERIFY_OPTIONS, verifyModeOf } from '../corpus-input.js';
import { defineCommand, int, oneOf, required, str, type ParsedValues } from '../command.js';

export interface EmbedCommandOptions {
  corpus: string;
  /** null: the random initialisation of `size` / `seed`. */
  encoder: string | null;
  size: ModelSize;
  seed: number;
  out: string;
  inputSize?: number;
  modalities?: Modality[];
  backend: 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
  verify: VerifyMode | false;
}

export function parseModalities(values: ParsedValues): Modality[] | undefined {
  const v = str(values, 'modalities');
  if (v === undefined) return undefined;
  const list = v.split(',').map((s) => s.trim());
  const bad = list.filter((m) => !MODALITIES.includes(m as Modality));
  if (bad.length) throw new UsageError(`--modalities: ${bad.join(', ')} unknown; expected a comma list of ${MODALITIES.join(', ')}`);
  return list as Modality[];
}

export const embedCommand = defineCommand<EmbedCommandOptions>({
  name: 'embed',
  summary: 'Write the CLS embedding of every corpus tile to Parquet (tile_id, dominant_class, embedding list<float>).',
  positionals: [{ name: 'corpus', description: 'Corpus directory, or a run directory (its corpus/).', required: true }],
  options: {
    encoder: { type: 'string', valueName: '<dir>', description: 'Exported encoder (model.json + weights.bin), e.g. <run>/encoder.' },
    'random-init': { type: 'boolean', description: "Embed with the random initialisation a run of --size and --seed starts from (the baseline) instead." },
    size: { type: 'string', valueName: '<tiny|small|base|large>', default: 'tiny', description: 'Size of the random initialisation.' },
    seed: { type: 'string', valueName: '<n>', default: '0', description: 'Seed of the random initialisation (the run\'s train.seed).' },
    out: { type: 'string', short: 'o', valueName: '<file.parquet>', description: 'Output Parquet file.' },
    'input-size': { type: 'string', valueName: '<px>', description: 'Resize tiles to this side (default the encoder input size).' },
    modalities: { type: 'string', valueName: '<list>', description: 'Comma list of modalities to use (default all a tile has; several are fused).' },
    backend: { type: 'string', valueName: '<auto|tensorflow|webgpu|wasm|cpu>', default: 'auto', description: 'tfjs backend.' },
    ...VERIFY_OPTIONS,
  },
  examples: [
    'terrafm embed runs/demo/corpus --encoder runs/demo/train/encoder --out runs/demo/embeddings.parquet',
    'terrafm embed runs/demo/corpus --random-init --size tiny --seed 0 --out runs/demo/embeddings-init.parquet',
  ],
  parse: (values, positionals) => {
    const encoder = str(values, 'encoder');
    const random = values['random-init'] === true;
    if ((encoder !== undefined) === random) throw new UsageError('terrafm embed: give exactly one of --encoder <dir> or --random-init');
    return {
      corpus: positionals[0],
      encoder: encoder ?? null,
      size: oneOf(values, 'size', MODEL_SIZES) ?? 'tiny',
      seed: int(values, 'seed', 0) ?? 0,
      out: required(str(values, 'out'), '--out <file.parquet>'),
      inputSize: int(values, 'input-size', 8),
      modalities: parseModalities(values),
      backend: oneOf(values, 'backend', ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const) ?? 'auto',
      verify: verifyModeOf(values),
    };
  },
  async run(opts, io) {
    checkOutputDir(dirname(resolve(opts.out)), '--out (its folder)');
    const corpus = await openCorpusInput(opts.corpus, opts.verify);
    const n = await embedCorpus(corpus, opts.encoder, opts.out, { size: opts.size, seed: opts.seed, inputSize: opts.inputSize, modalities: opts.modalities, backend: opts.backend, log: (l) => process.stderr.write(`${l}\n`) });
    (io?.stdout ?? process.stdout).write(`wrote ${n} embeddings to ${opts.out}\n`);
    return 0;
  },
});
