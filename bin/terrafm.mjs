#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader: no build step to forget or to drift
// from the sources (see docs/decisions.md, "Executing TypeScript").
import { register } from 'tsx/esm/api';

register();
let main;
try {
  ({ main } = await import('../src/cli/main.ts'));
} catch (err) {
  // A plain `npm ci` (without scripts/setup.sh) or a Node version switch leaves gdal-async without a
  // native build for this Node: say what to run in one line instead of a loader stack trace.
  const message = String(err?.message ?? err);
  if (/gdal\.node|gdal-async/.test(message)) {
    process.stderr.write(
      `error: setup: gdal-async has no working native build for Node ${process.version} (ABI ${process.versions.modules}); ` +
        'run `npm run setup` (scripts/setup.sh builds it against the system GDAL)\n',
    );
    process.exit(1);
  }
  throw err;
}
process.exitCode = await main(process.argv.slice(2));
