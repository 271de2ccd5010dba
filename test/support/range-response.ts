// Answers an HTTP request for a file's bytes the way object storage does: 206 with Content-Range for
// a `Range: bytes=a-b` request (what GDAL's /vsicurl/ sends), 200 with the whole body otherwise.
import type { IncomingMessage, ServerResponse } from 'node:http';

export function sendFileBytes(req: IncomingMessage, res: ServerResponse, buf: Buffer): void {
  const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  const body = (b: Buffer) => (req.method === 'HEAD' ? undefined : b);
  if (m) {
    const start = Number(m[1]);
    const end = m[2] ? Math.min(Number(m[2]), buf.length - 1) : buf.length - 1;
    res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${buf.length}`, 'Content-Length': end - start + 1, 'Accept-Ranges': 'bytes' });
    res.end(body(buf.subarray(start, end + 1)));
  } else {
    res.writeHead(200, { 'Content-Length': buf.length, 'Accept-Ranges': 'bytes' });
    res.end(body(buf));
  }
}
