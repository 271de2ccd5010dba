import fs from 'node:fs';
import { parquetReadObjects } from 'hyparquet';

export async function hyparquetRead(file: string): Promise<Record<string, unknown>[]> {
  const b = fs.readFileSync(file);
  return (await parquetReadObjects({ file: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer })) as Record<string, unknown>[];
}
