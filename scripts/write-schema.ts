// Writes schemas/pipeline.schema.json from the config sections (the single source of truth).
// A test fails when the committed file is stale, so run this after changing a section.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pipelineSchema } from '../src/config/pipeline.js';

export const SCHEMA_PATH = fileURLToPath(new URL('../schemas/pipeline.schema.json', import.meta.url));
export const schemaText = () => `${JSON.stringify(pipelineSchema(), null, 2)}\n`;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SCHEMA_PATH, schemaText());
  console.error(`wrote ${SCHEMA_PATH}`);
}
