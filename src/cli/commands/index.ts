// Every CLI command, in the order `terrafm --help` lists them (pipeline order, then tools).
import type { CommandSpec } from '../command.js';
import { configCommand } from './config.js';
import { discoverCommand } from './discover.js';
import { embedCommand } from './embed.js';
import { evalCommand } from './eval.js';
import { exportCommand } from './export.js';
import { footprintsCommand } from './footprints.js';
import { gridCommand } from './grid.js';
import { importWeightsCommand } from './import-weights.js';
import { inspectCommand } from './inspect.js';
import { landcoverCommand } from './landcover.js';
import { mergeCommand } from './merge.js';
import { modelCommand } from './model.js';
import { quicklookCommand } from './quicklook.js';
import { runCommand } from './run.js';
import { sampleCommand } from './sample.js';
import { shardCommand } from './shard.js';
import { tileCommand } from './tile.js';
import { trainCommand } from './train.js';
import { validateCommand } from './validate.js';

export const COMMANDS: CommandSpec<any>[] = [
  runCommand,
  gridCommand,
  discoverCommand,
  landcoverCommand,
  sampleCommand,
  tileCommand,
  shardCommand,
  inspectCommand,
  quicklookCommand,
  footprintsCommand,
  validateCommand,
  mergeCommand,
  trainCommand,
  modelCommand,
  embedCommand,
  evalCommand,
  exportCommand,
  importWeightsCommand,
  configCommand,
];
