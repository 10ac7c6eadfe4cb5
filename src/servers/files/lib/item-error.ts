import { BastionError } from '../../../errors/index.js';
import { isErrnoError, toFileSystemError } from '../../../policy/paths/index.js';
import type { Logger } from '../../../logging/logger.js';

// The message for one failed item of a batch (a file of read_multiple_files, a file of a copy):
// known errors say what went wrong; a bug is logged to stderr and shown only as "internal error".
export function describeItemError(err: unknown, displayPath: string, logger: Logger): string {
  if (err instanceof BastionError) return err.message;
  if (isErrnoError(err)) return toFileSystemError(err, displayPath).message;
  logger.error({ err }, 'internal error on one item of a batch');
  return 'Internal error while reading this file; see the server log.';
}
