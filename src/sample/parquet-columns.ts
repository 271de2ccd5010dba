// Narrow Parquet I/O for this stage: write named typed columns, read them back column-wise (no row
// objects, so a million-cell table stays a handful of arrays).
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead } from 'hyparquet';
import { parquetWriteFile } from 'hyparquet-writer';
import { StageError } from '../errors.js';

export type ColumnType = 'STRING' | 'DOUBLE' | 'INT32' | 'FLOAT';
export interface Column {
  name: string;
  type: ColumnType;
  data: ArrayLike<unknown>;
}

export function writeColumns(filename: string, columns: Column[], kv: Record<string, string> = {}): void {
  parquetWriteFile({
    filename,
    columnData: columns.map((c) => ({ name: c.name, type: c.type, data: Array.isArray(c.data) ? c.data : Array.from(c.data), nullable: false })),
    kvMetadata: Object.entries(kv).map(([key, value]) => ({ key, value })),
  });
}

export interface ReadColumns {
  rows: number;
  columns: Map<string, unknown[]>;
  kv: Record<string, string>;
}

/** Read `names` (all must exist; a missing one is an error naming the file and the column). */
export async function readColumns(filename: string, names: string[], what: string): Promise<ReadColumns> {
  let file;
  try {
    file = await asyncBufferFromFile(filename);
  } catch (e) {
    throw new StageError('sample', `cannot open ${what} ${filename}: ${(e as Error).message}`, e);
  }
  const metadata = await parquetMetadataAsync(file);
  const have = new Set(metadata.schema.slice(1).map((s) => s.name));
  const missing = names.filter((n) => !have.has(n));
  if (missing.length > 0)
    throw new StageError('sample', `${what} ${filename} lacks column(s) ${missing.join(', ')}; expected ${names.join(', ')}`);
  const rows = Number(metadata.num_rows);
  const columns = new Map<string, unknown[]>();
  for (const n of names) columns.set(n, new Array(rows));
  await parquetRead({
    file,
    metadata,
    columns: names,
    onChunk: (chunk) => {
      const dst = columns.get(chunk.columnName);
      if (!dst) return;
      const src = chunk.columnData as ArrayLike<unknown>;
      for (let i = 0; i < src.length && chunk.rowStart + i < rows; i++) dst[chunk.rowStart + i] = src[i];
    },
  });
  const kv: Record<string, string> = {};
  for (const e of metadata.key_value_metadata ?? []) if (e.value !== undefined) kv[e.key] = e.value;
  return { rows, columns, kv };
}
