// Every CLI command, in the order `terrafm --help` lists them (pipeline order, then tools).
import type { CommandSpec } from '../command.js';
import { configCommand } from './config.js';
import { discoverCommand } from './discover.js';
import { gridCommand } from './grid.js';
import { landcoverCommand } from './landcover.js';
import { sampleCommand } from './sample.js';
import { tileCommand } from './tile.js';
import { runCommand } from './run.js';

export const COMMANDS: CommandSpec<any>[] = [runCommand, gridCommand, discoverCommand, landcoverCommand, sampleCommand, tileCommand, configCommand];
