export { synthStats, synthTiles, classSpectrum, type SynthOptions } from '../../src/train/synthetic.js';
