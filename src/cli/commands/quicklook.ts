// `terrafm quicklook <corpus> --out dir`: a contact sheet of the tiles' stored quicklooks, and one PNG per
// tile; the work is in src/publish/contact-sheet.ts.
import { UsageError } from '../../errors.js';
import { writeContactSheet } from '../../publish/contact-sheet.js';
import { defineCommand } from '../command.js';

export interface QuicklookCommandOptions {
  dir: string;
  out: string;
  limit: number;
  columns: number;
}

export const quicklookCommand = defineCommand<QuicklookCommandOptions>({
  name: 'quicklook',
  summary: 'Write a contact sheet (and one PNG per tile) of the quicklooks stored in a corpus.',
  positionals: [{ name: 'dir', description: 'Corpus directory (with manifest.json; schema v2 shards).', required: true }],
  options: {
    out: { type: 'string', description: 'Output directory for contact-sheet.png, contact-sheet.json and <tile>_{s2,s1}.png (required).' },
    limit: { type: 'string', description: 'Most tiles on the sheet, in manifest order (default 64).' },
    columns: { type: 'string', description: 'Tiles per sheet row; each tile is an S2 and an S1 image (default 8).' },
  },
  examples: ['terrafm quicklook runs/demo/corpus --out runs/demo/quicklooks'],
  parse: (values, positionals) => {
    if (typeof values.out !== 'string' || !values.out) throw new UsageError('quicklook: missing --out <dir>');
    const int = (name: string, v: unknown, def: number) => {
      if (v === undefined) return def;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`quicklook: --${name} ${JSON.stringify(v)} is not a positive integer`);
      return n;
    };
    return { dir: positionals[0], out: values.out, limit: int('limit', values.limit, 64), columns: int('columns', values.columns, 8) };
  },
  async run(opts, io) {
    const r = await writeContactSheet(opts.dir, opts.out, { limit: opts.limit, columns: opts.columns });
    (io?.stdout ?? process.stdout).write(`${r.sheet}: ${r.tiles.length} tiles; ${r.files} quicklook files in ${opts.out}\n`);
    return 0;
  },
});
