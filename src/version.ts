import { readFileSync } from 'node:fs';

/** Package version, read once from package.json (recorded in run manifests). */
export const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
