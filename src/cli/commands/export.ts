// `terrafm export <run> --format safetensors`: the run's encoder with the released TerraFM key names
// and layouts, loadable in PyTorch (src/train/interchange/).
import { exportSafetensors } from '../../train/interchange/files.js';
import { defineCommand, oneOf, str } from '../command.js';

export interface ExportCommandOptions {
  run: string;
  format: 'safetensors';
  out?: string;
  fusion: boolean;
  corpus?: string;
}

export const exportCommand = defineCommand<ExportCommandOptions>({
  name: 'export',
  summary: 'Write a run\'s encoder as safetensors with the released TerraFM key names (PyTorch load_state_dict).',
  positionals: [{ name: 'run', description: 'Run directory (with encoder/) or an encoder directory.', required: true }],
  options: {
    format: { type: 'string', valueName: '<safetensors>', default: 'safetensors', description: 'Output format.' },
    out: { type: 'string', short: 'o', valueName: '<file>', description: 'Output file (default <run>/encoder.safetensors).' },
    'no-fusion': { type: 'boolean', description: 'Leave out our fusion weights (terrafm_fusion.*): the file then holds exactly the released keys.' },
    corpus: { type: 'string', valueName: '<dir>', description: 'Corpus whose stats.json gives the normalisation (default: what the run recorded in train.json).' },
  },
  examples: ['terrafm export runs/demo/train --format safetensors', 'terrafm export runs/demo/train --no-fusion --out runs/demo/encoder-released-keys.safetensors'],
  parse: (values, positionals) => ({
    run: positionals[0],
    format: oneOf(values, 'format', ['safetensors'] as const) ?? 'safetensors',
    out: str(values, 'out'),
    fusion: values['no-fusion'] !== true,
    corpus: str(values, 'corpus'),
  }),
  async run(opts, io) {
    const r = await exportSafetensors(opts.run, { out: opts.out, fusion: opts.fusion, corpus: opts.corpus });
    const m = r.metadata;
    (io?.stdout ?? process.stdout).write(
      `wrote ${r.file}: TerraFM ${m.size}, ${r.tensors} tensors${m.fusion ? ' (with terrafm_fusion.*)' : ''}, ` +
        `normalisation ${m.normalisation ? `for ${Object.keys(m.normalisation).join(', ')}` : 'not recorded (pass --corpus <dir>)'}\n`,
    );
    return 0;
  },
});
