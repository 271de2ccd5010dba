// `terrafm model --size base`: parameter counts computed from the shapes (nothing is allocated).
import { countParams, encoderParamSpecs, ENCODER_SHAPES, headParamSpecs, MODEL_SIZES, type ModelSize } from '../../train/sizes.js';
import { TRAIN_DEFAULTS } from '../../config/sections/train.js';
import { defineCommand, oneOf } from '../command.js';

export interface ModelCommandOptions {
  size: ModelSize;
  json: boolean;
}

export function describeModel(size: ModelSize) {
  const shape = ENCODER_SHAPES[size];
  const enc = countParams(encoderParamSpecs(shape));
  const head = countParams(headParamSpecs(shape.embedDim, { ...TRAIN_DEFAULTS.head, outDim: TRAIN_DEFAULTS.outDim }));
  return { size, shape, backbone: enc.backbone, fusion: enc.fusion, head: head.head, total: enc.total + head.total };
}

const m = (n: number) => `${(n / 1e6).toFixed(2)}M`;

export const modelCommand = defineCommand<ModelCommandOptions>({
  name: 'model',
  summary: 'Print the TerraFM encoder shape and parameter counts for a size.',
  positionals: [],
  options: {
    size: { type: 'string', valueName: `<${MODEL_SIZES.join('|')}>`, default: 'base', description: 'Model size.' },
    json: { type: 'boolean', description: 'Print JSON.' },
  },
  examples: ['terrafm model --size base', 'terrafm model --size tiny --json'],
  parse: (values) => ({ size: oneOf(values, 'size', MODEL_SIZES) ?? 'base', json: values.json === true }),
  async run(opts, io) {
    const d = describeModel(opts.size);
    const out = io?.stdout ?? process.stdout;
    if (opts.json) out.write(`${JSON.stringify(d, null, 2)}\n`);
    else {
      const s = d.shape;
      out.write(
        `TerraFM ${d.size}: embed dim ${s.embedDim}, depth ${s.depth}, heads ${s.heads}, patch ${s.patchSize}, input ${s.imgSize} px\n` +
          `  backbone (patch embeddings, token projection, ViT): ${d.backbone.toLocaleString('en-US')} parameters (${m(d.backbone)})\n` +
          `  cross-modal fusion: ${d.fusion.toLocaleString('en-US')} (${m(d.fusion)})\n` +
          `  DINO head (training only, K=${TRAIN_DEFAULTS.outDim}): ${d.head.toLocaleString('en-US')} (${m(d.head)})\n`,
      );
    }
    return 0;
  },
});
