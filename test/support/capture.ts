// Captures what a CLI command writes to its io.stdout, for assertions on the text.
import { PassThrough } from 'node:stream';

export function capture(): { io: { stdout: PassThrough }; text: () => string } {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (d) => (text += String(d)));
  return { io: { stdout }, text: () => text };
}
