#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader: no build step to forget or to drift
// from the sources (see docs/decisions.md, "Executing TypeScript").
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
