// The `tile:` JSON-schema fragment: accepts documented options, rejects typos and interpolating
// categorical layers.
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { tileSchema, tileSection, normalise } from '../../src/config/sections/tile.js';

describe('tile config schema', () => {
  const validate = new Ajv({ allErrors: true, strict: true, strictTypes: false }).compile(tileSchema);

  it('accepts the documented options', () => {
    const raw = {
      bands: { s2_l2a: ['B02', 'B04'], s1: ['VV'] },
      l1c_drop_band: null,
      resampling: { s2: 'cubic', bands: { B09: 'average' }, s1: 'nearest', scl: 'mode', landcover: 'mode' },
      gcp_transformer: 'tps',
      s1_db: true,
      harmonize_offset: false,
      source_nodata: { s1: -32768 },
      cloud_classes: [8, 9, 10],
      max_nodata_fraction: 0.5,
      concurrency: 4,
      gdal_cache_mb: 512,
      gdal_threads: 2,
      http: { max_retry: 5, retry_delay_s: 2, timeout_s: 60 },
    };
    expect(validate(raw), JSON.stringify(validate.errors)).toBe(true);
    const c = tileSection.normalise(raw as never, { baseDir: '.' });
    expect(c).toMatchObject({ l1cDropBand: null, gcpTransformer: 'tps', s1Db: true, harmonizeOffset: false, maxNodataFraction: 0.5 });
    expect(c.sourceNodata).toEqual({ s2: 0, s1: -32768, landcover: 0 });
    expect(normalise(undefined).resampling.landcover).toBe('nearest');
  });

  it('rejects unknown keys, interpolated land cover / SCL and out-of-range values', () => {
    expect(validate({ resampling: { landcover: 'bilinear', scl: 'cubic' }, concurency: 2, max_nodata_fraction: 2, cloud_classes: [12] })).toBe(false);
    const msgs = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).sort();
    expect(msgs).toEqual([
      ' must NOT have additional properties',
      '/cloud_classes/0 must be <= 11',
      '/max_nodata_fraction must be <= 1',
      '/resampling/landcover must be equal to one of the allowed values',
      '/resampling/scl must be equal to one of the allowed values',
    ]);
  });
});
