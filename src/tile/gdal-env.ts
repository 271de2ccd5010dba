// GDAL process-wide settings, set explicitly from the tile config instead of relying on GDAL defaults
// (which differ between versions and builds).
import gdal from 'gdal-async';
import type { TileConfig } from '../config/sections/tile.js';

/** The GDAL configuration options the tile stage runs under (pure: listed so tests and logs can show them). */
export function gdalOptions(cfg: TileConfig): Record<string, string> {
  return {
    // Values below 100000 are megabytes.
    GDAL_CACHEMAX: String(cfg.gdalCacheMb),
    GDAL_NUM_THREADS: String(cfg.gdalThreads),
    GDAL_HTTP_MAX_RETRY: String(cfg.http.maxRetry),
    GDAL_HTTP_RETRY_DELAY: String(cfg.http.retryDelayS),
    GDAL_HTTP_TIMEOUT: String(cfg.http.timeoutS),
    // Opening a remote COG must not list its "directory" (one more request, often forbidden on buckets).
    GDAL_DISABLE_READDIR_ON_OPEN: 'EMPTY_DIR',
    // Only probe URLs that look like rasters (avoids GDAL trying sidecar files over HTTP).
    CPL_VSIL_CURL_ALLOWED_EXTENSIONS: '.tif,.tiff,.TIF,.TIFF,.vrt',
    // Merge neighbouring range requests and keep recently read blocks of remote files.
    GDAL_HTTP_MERGE_CONSECUTIVE_RANGES: 'YES',
    VSI_CACHE: 'TRUE',
  };
}

/** Applies `gdalOptions(cfg)` to the GDAL of this process. */
export function configureGdal(cfg: TileConfig): void {
  for (const [k, v] of Object.entries(gdalOptions(cfg))) gdal.config.set(k, v);
}
