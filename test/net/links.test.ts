// Redaction and the stored/readable href pair.
import { afterEach, describe, expect, it } from 'vitest';
import { gdalPathFor, readableGdalPath, readableHref, storedHref } from '../../src/net/links.js';
import { REDACTED, isCredentialParam, redactText, setExtraCredentialParams, stripCredentials } from '../../src/redact.js';
import { StacError, errorMessage } from '../../src/errors.js';
import { Logger } from '../../src/log/logger.js';

afterEach(() => setExtraCredentialParams([]));

const SAS = 'st=2026-01-01T00%3A00%3A00Z&se=2026-01-02T00%3A00%3A00Z&sp=rl&sv=2021-06-08&sr=c&skoid=abc&sktid=def&skt=x&ske=y&sks=b&skv=2021&sig=S3cr%2Bt';
const BLOB = 'https://acct.blob.core.windows.net/c/a/B04.tif';

describe('stripCredentials', () => {
  it('removes SAS, AWS, GCS and token parameters and keeps the rest of the query in order', () => {
    expect(stripCredentials(`${BLOB}?${SAS}`)).toBe(BLOB);
    expect(stripCredentials(`${BLOB}?version=3&${SAS}&x=1#frag`)).toBe(`${BLOB}?version=3&x=1#frag`);
    expect(stripCredentials('https://b.s3.amazonaws.com/k.tif?X-Amz-Algorithm=AWS4&X-Amz-Credential=AK%2F1&X-Amz-Signature=ff&partNumber=1')).toBe('https://b.s3.amazonaws.com/k.tif?partNumber=1');
    expect(stripCredentials('https://storage.googleapis.com/b/k.tif?X-Goog-Signature=aa&alt=media')).toBe('https://storage.googleapis.com/b/k.tif?alt=media');
    expect(stripCredentials('https://h/x.tif?token=abc')).toBe('https://h/x.tif');
    expect(stripCredentials('/data/x.tif')).toBe('/data/x.tif');
  });

  it('takes a configured list on top (prefix with *)', () => {
    expect(stripCredentials('https://h/x.tif?apikey=1&my-sig-a=2&keep=3')).toBe('https://h/x.tif?apikey=1&my-sig-a=2&keep=3');
    setExtraCredentialParams(['apikey', 'my-sig-*']);
    expect(isCredentialParam('APIKEY')).toBe(true);
    expect(stripCredentials('https://h/x.tif?apikey=1&my-sig-a=2&keep=3')).toBe('https://h/x.tif?keep=3');
  });
});

describe('redactText', () => {
  it('replaces every credential value in free text: GDAL messages, JSON, error chains', () => {
    const gdal = `\`/vsicurl/${BLOB}?${SAS}' does not exist in the file system, and is not recognized as a supported dataset name.`;
    const out = redactText(gdal);
    expect(out).not.toContain('S3cr');
    expect(out).not.toContain('skoid=abc');
    expect(out).toContain(`sig=${REDACTED}`);
    expect(out).toContain(`${BLOB}?st=${REDACTED}&se=${REDACTED}&sp=${REDACTED}`);
    expect(redactText(JSON.stringify({ href: `${BLOB}?${SAS}` }))).toBe(JSON.stringify({ href: `${BLOB}?${redactText(SAS)}` }));
    expect(redactText('{"msft:expiry":"2026","token":"sv=1&sig=abc"}')).toBe('{"msft:expiry":"2026","token":"REDACTED"}');
    expect(redactText('X-Amz-Signature=ff00 and license=cc-by and use=1')).toBe('X-Amz-Signature=REDACTED and license=cc-by and use=1');
  });

  it('is applied to every project error message, errorMessage of foreign errors, and every log line', () => {
    expect(new StacError(`cannot open ${BLOB}?${SAS}`).message).not.toContain('S3cr');
    expect(errorMessage(new Error(`x ${BLOB}?sig=abc`))).toBe(`x ${BLOB}?sig=REDACTED`);
    let text = '';
    const log = new Logger({ format: 'json', stream: { write: (t: string) => ((text += t), true) } as never });
    log.warn(`reading ${BLOB}?${SAS}`, { path: `/vsicurl/${BLOB}?sig=abc` });
    expect(text).not.toContain('S3cr');
    expect(text).not.toContain('sig=abc');
    expect(text).toContain('sig=REDACTED');
  });
});

describe('stored and readable hrefs', () => {
  it('stores an href without credentials and reads it with them (memory only), then through the signer', async () => {
    const given = `https://h.example/a/B02.tif?${SAS}`;
    const stored = storedHref(given);
    expect(stored).toBe('https://h.example/a/B02.tif');
    expect(await readableHref(stored)).toBe(given);
    expect(await readableGdalPath(gdalPathFor(stored))).toBe(`/vsicurl/${given}`);
    expect(await readableGdalPath('/data/x.tif')).toBe('/data/x.tif');
    expect(await readableHref('https://other/x.tif', async (h) => `${h}?sig=fresh`)).toBe('https://other/x.tif?sig=fresh');
  });
});
