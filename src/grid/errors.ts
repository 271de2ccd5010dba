import { ExitCode, TerrafmError } from '../errors.js';

/** Bad grid input (cell size, id, area): a usage problem, reported under the `grid` subsystem. */
export function gridError(message: string): TerrafmError {
  return new TerrafmError('grid', message, { exitCode: ExitCode.usage });
}
