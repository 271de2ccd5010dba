// stac-node-validator run offline: the STAC, GeoJSON and PROJJSON schemas from data/fixtures/stac-schemas
// mapped with --schemaMap as its README shows. Shared by the demo-catalog and corpus STAC tests.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, STAC_SCHEMAS_DIR } from './fixtures.js';

const run = promisify(execFile);
export const STAC_VALIDATOR_CLI = join(REPO_ROOT, 'node_modules/stac-node-validator/bin/cli.js');
export const STAC_SCHEMA_MAP = [
  `https://schemas.stacspec.org/=${STAC_SCHEMAS_DIR}/schemas.stacspec.org/`,
  `https://stac-extensions.github.io/=${STAC_SCHEMAS_DIR}/stac-extensions.github.io/`,
  `https://geojson.org/=${STAC_SCHEMAS_DIR}/geojson.org/`,
  `https://proj.org/=${STAC_SCHEMAS_DIR}/proj.org/`,
];

/** Runs the validator CLI on files (`--` ends the --schemaMap list); exit code and all output. */
export async function validateStac(files: string[], opts: { verbose?: boolean } = {}): Promise<{ code: number; out: string }> {
  try {
    const r = await run(process.execPath, [STAC_VALIDATOR_CLI, ...(opts.verbose ? ['--verbose'] : []), '--schemaMap', ...STAC_SCHEMA_MAP, '--', ...files], { maxBuffer: 32 << 20 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}
