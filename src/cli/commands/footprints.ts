// `terrafm footprints <corpus> --format geojson|flatgeobuf|gpkg`: one polygon per tile (EPSG:4326) with
// its ids, times and class shares, for GIS tools without a Parquet driver; the work is in
// src/publish/footprints.ts.
import { UsageError } from '../../errors.js';
import { FOOTPRINT_FORMAT_NAMES, writeFootprints, type FootprintFormat } from '../../publish/footprints.js';
import { defineCommand, oneOf, str } from '../command.js';

export interface FootprintsCommandOptions {
  dir: string;
  format: FootprintFormat;
  out?: string;
  overwrite: boolean;
}

export const footprintsCommand = defineCommand<FootprintsCommandOptions>({
  name: 'footprints',
  summary: 'Write the tiles\' footprints (EPSG:4326 polygons with tile attributes) as GeoJSON, FlatGeobuf or GeoPackage.',
  positionals: [{ name: 'dir', description: 'Corpus directory (with manifest.json).', required: true }],
  options: {
    format: { type: 'string', valueName: `<${FOOTPRINT_FORMAT_NAMES.join('|')}>`, description: 'Output format (required).' },
    out: { type: 'string', short: 'o', valueName: '<file>', description: 'Output file (default <dir>/footprints.geojson, .fgb or .gpkg).' },
    overwrite: { type: 'boolean', description: 'Replace the output file if it exists.' },
  },
  examples: [
    'terrafm footprints runs/demo/corpus --format gpkg',
    'terrafm footprints runs/demo/corpus --format geojson --out runs/demo/footprints.geojson   # then: ogrinfo -al -so runs/demo/footprints.geojson',
  ],
  parse: (values, positionals) => {
    const format = oneOf(values, 'format', FOOTPRINT_FORMAT_NAMES);
    if (!format) throw new UsageError(`footprints: missing --format <${FOOTPRINT_FORMAT_NAMES.join('|')}>`);
    return { dir: positionals[0], format, out: str(values, 'out'), overwrite: values.overwrite === true };
  },
  async run(opts, io) {
    const r = await writeFootprints(opts.dir, { format: opts.format, out: opts.out, overwrite: opts.overwrite });
    (io?.stdout ?? process.stdout).write(`wrote ${r.file}: ${r.features} tile footprints (${r.format}, EPSG:4326, layer footprints)\n`);
    return 0;
  },
});
