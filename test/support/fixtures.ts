// Where the real data the tests and benchmarks read lives: data/fixtures/ inside the repository
// (byte-for-byte copies, sources and licences in data/fixtures/MANIFEST.md, checked by SHA256SUMS).
// `realFixture` fails with the file's name when a fixture is missing instead of letting a test skip.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES_DIR = path.join(REPO_ROOT, 'data/fixtures');
/** Real Sentinel-1/2 and WorldCover rasters, recorded STAC responses and items. */
export const REAL_DATA_DIR = path.join(FIXTURES_DIR, 'real');
/** Offline copies of the STAC, GeoJSON and PROJJSON JSON Schemas. */
export const STAC_SCHEMAS_DIR = path.join(FIXTURES_DIR, 'stac-schemas');

/** Files written by torch.save (made by data/fixtures/torch/make_state_dict.py). */
export const TORCH_FIXTURES_DIR = path.join(FIXTURES_DIR, 'torch');

/** Absolute path of a file or folder under data/fixtures/real; throws naming it when absent. */
export function realFixture(...parts: string[]): string {
  const p = path.join(REAL_DATA_DIR, ...parts);
  if (!existsSync(p)) {
    throw new Error(`test fixture missing: ${path.relative(REPO_ROOT, p)} (data/fixtures ships with the repository; is the checkout complete?)`);
  }
  return p;
}
