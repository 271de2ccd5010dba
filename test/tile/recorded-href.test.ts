// Hrefs a corpus records are portable: relative to the local catalog, URLs unchanged, never an absolute
// path of the building machine when the catalog is known.
import { describe, expect, it } from 'vitest';
import { recordedHref } from '../../src/tile/recorded-href.js';

describe('recordedHref', () => {
  it('makes local paths relative to the catalog folder', () => {
    expect(recordedHref('/data/demo/sentinel-2-l2a/S2A_1/B04.tif', '/data/demo')).toBe('sentinel-2-l2a/S2A_1/B04.tif');
    expect(recordedHref('file:///data/demo/s1/x/vv.tif', '/data/demo')).toBe('s1/x/vv.tif');
    expect(recordedHref('/mnt/other/b.tif', '/data/demo')).toBe('../../mnt/other/b.tif');
  });
  it('keeps public URLs and relative hrefs as they are', () => {
    expect(recordedHref('https://sentinel-cogs.s3.us-west-2.amazonaws.com/a/B04.tif', '/data/demo')).toBe('https://sentinel-cogs.s3.us-west-2.amazonaws.com/a/B04.tif');
    expect(recordedHref('s3://bucket/a.tif', undefined)).toBe('s3://bucket/a.tif');
    expect(recordedHref('B04.tif', '/data/demo')).toBe('B04.tif');
  });
  it('keeps a local path when no catalog folder is known (remote API items)', () => {
    expect(recordedHref('/data/x.tif', undefined)).toBe('/data/x.tif');
  });
});
