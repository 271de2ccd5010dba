// The I/O edge of the land-cover pass: warp a cell's window out of the map(s) with GDAL and count
// classes. gdalwarp picks the overview closest to the requested resolution (-ovr AUTO), so an 80 m
// read of a 10 m COG touches only the 4x- or 8x-decimated level, never the full-resolution blocks.
// Resampling is nearest (default) or mode: class codes must never be interpolated. Nearest is the
// default because it is an unbiased point sample of the class shares; mode systematically favours the
// dominant class (measured on the real N00E006 tile: docs/decisions.md).
import gdal from 'gdal-async';
import { RasterError } from '../../errors.js';
import type { CellWindow } from './plan.js';
import { classHistogram, NBINS } from '../../landcover/worldcover.js';

export type LandcoverResampling = 'nearest' | 'mode';

export interface LandcoverReader {
  /** Pixel counts per bin over the window; pixels no map covers count as nodata (bin 0). */
  histogram(window: CellWindow, paths: string[]): Promise<Float64Array>;
  close(): void;
}

export interface GdalReaderOptions {
  resampling?: LandcoverResampling;
  /** 'AUTO' (default) lets GDAL pick the overview; 'NONE' forces full resolution (used to validate). */
  overview?: 'AUTO' | 'NONE';
  /** Attempts per read (network hiccups on /vsicurl/). Default 3. */
  attempts?: number;
}

export function gdalLandcoverReader(opts: GdalReaderOptions = {}): LandcoverReader {
  const resampling = opts.resampling === 'mode' ? 'mode' : 'near';
  const overview = opts.overview ?? 'AUTO';
  const attempts = opts.attempts ?? 3;
  const open = new Map<string, Promise<gdal.Dataset>>();
  const dataset = (path: string) => {
    let ds = open.get(path);
    if (!ds) {
      ds = gdal.openAsync(path);
      ds.catch(() => open.delete(path)); // a failed open is retried next time
      open.set(path, ds);
    }
    return ds;
  };
  let seq = 0;
  return {
    async histogram(w, paths) {
      const hist = new Float64Array(NBINS);
      if (paths.length === 0) {
        hist[0] = w.width * w.height;
        return hist;
      }
      let last: unknown;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
          const srcs = await Promise.all(paths.map(dataset));
          const [minx, miny, maxx, maxy] = w.extent;
          const out = await gdal.warpAsync(`lc${seq++}`, null, srcs, [
            '-of', 'MEM',
            '-t_srs', w.srs,
            '-te', String(minx), String(miny), String(maxx), String(maxy),
            '-ts', String(w.width), String(w.height),
            '-r', resampling,
            '-ovr', overview,
            '-ot', 'Byte',
            '-dstnodata', '0',
          ]);
          try {
            const px = (await out.bands.get(1).pixels.readAsync(0, 0, w.width, w.height)) as Uint8Array;
            hist.set(classHistogram(px));
          } finally {
            out.close();
          }
          return hist;
        } catch (e) {
          last = e;
        }
      }
      throw new RasterError(paths.join(', '), `land-cover read for cell ${w.cellId} failed after ${attempts} attempts: ${(last as Error)?.message ?? String(last)}`, last);
    },
    close() {
      for (const p of open.values()) p.then((d) => d.close()).catch(() => undefined);
      open.clear();
    },
  };
}
