// `terrafm import-weights <file> --size base --out <dir>`: a released TerraFM .pth (or a safetensors
// file) -> our encoder directory, which `terrafm train --init <dir>` continues pretraining from.
import { importWeights } from '../../train/interchange/files.js';
import { MODEL_SIZES, type ModelSize } from '../../train/sizes.js';
import { defineCommand, oneOf, required, str } from '../command.js';

export interface ImportWeightsCommandOptions {
  file: string;
  size: ModelSize;
  out: string;
}

export const importWeightsCommand = defineCommand<ImportWeightsCommandOptions>({
  name: 'import-weights',
  summary: 'Read TerraFM weights (.pth from torch.save, or .safetensors), check every key and shape, write our encoder directory.',
  positionals: [{ name: 'file', description: 'Weights file: .pth / .pt (torch.save zip) or .safetensors.', required: true }],
  options: {
    size: { type: 'string', valueName: `<${MODEL_SIZES.join('|')}>`, default: 'base', description: 'Model size the file holds (TerraFM-B: base, TerraFM-L: large).' },
    out: { type: 'string', short: 'o', valueName: '<dir>', description: 'Encoder directory to write (model.json + weights.bin).' },
  },
  examples: [
    'terrafm import-weights runs/demo/train/encoder.safetensors --size tiny --out runs/demo-imported   # the file terrafm export wrote; TerraFM-B.pth --size base for the released model',
    'terrafm train runs/demo --out runs/demo-continued --init runs/demo-imported --steps 1 --batch-size 4 --global-size 32 --local-size 16',
  ],
  parse: (values, positionals) => ({
    file: positionals[0],
    size: oneOf(values, 'size', MODEL_SIZES) ?? 'base',
    out: required(str(values, 'out'), '--out <dir>'),
  }),
  async run(opts, io) {
    const r = importWeights(opts.file, opts.size, opts.out);
    const out = io?.stdout ?? process.stdout;
    out.write(
      `imported TerraFM ${r.size} from ${opts.file}${r.path ? ` (state dict under "${r.path}")` : ''}: ${r.tensorsRead} tensors read, ` +
        `${r.backboneParameters.toLocaleString('en-US')} backbone parameters, every shape checked, none missing; ` +
        `fusion ${r.fusion ? 'loaded' : 'absent (train --init starts it fresh)'}\n`,
    );
    if (r.unexpected.length) out.write(`ignored ${r.unexpected.length} unexpected key(s): ${r.unexpected.join(', ')}\n`);
    out.write(`wrote ${r.out} (model.json + weights.bin)\n`);
    return 0;
  },
});
