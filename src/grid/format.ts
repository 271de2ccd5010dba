// Text forms of grid cells for `terrafm grid`: CSV, GeoJSON FeatureCollection, JSON array. Each
// format is a header, one chunk per cell and a footer, so any number of cells can be streamed.

import type { GridCell } from '../model/types.js';
import type { Grid } from './grid.js';

export const CELL_FORMATS = ['csv', 'geojson', 'json'] as const;
export type CellFormat = (typeof CELL_FORMATS)[number];

export interface CellWriter {
  header: string;
  /** Text of one cell; `first` tells whether a separator is needed before it. */
  cell(c: GridCell, first: boolean): string;
  footer: string;
}

const CSV_HEADER = 'id,row,col,lon,lat,epsg,minx,miny,maxx,maxy,resolution_m,size_px';

export function cellWriter(format: CellFormat, grid: Grid): CellWriter {
  if (format === 'csv') {
    return {
      header: `${CSV_HEADER}\n`,
      cell: (c) => `${c.id},${c.row},${c.col},${c.lon},${c.lat},${c.epsg},${c.extent.join(',')},${c.resolution},${c.sizePx}\n`,
      footer: '',
    };
  }
  if (format === 'json') {
    return { header: '[\n', cell: (c, first) => `${first ? '' : ',\n'}${JSON.stringify(c)}`, footer: '\n]\n' };
  }
  // GeoJSON: the nominal grid cell as the geometry (what Major-TOM draws), the UTM target in properties.
  return {
    header: '{"type":"FeatureCollection","features":[\n',
    cell: (c, first) => {
      const [w, s, e, n] = grid.cellBounds(c);
      const feature = {
        type: 'Feature',
        id: c.id,
        geometry: { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] },
        properties: { id: c.id, row: c.row, col: c.col, epsg: c.epsg, extent: c.extent, resolution_m: c.resolution, size_px: c.sizePx },
      };
      return `${first ? '' : ',\n'}${JSON.stringify(feature)}`;
    },
    footer: '\n]}\n',
  };
}
