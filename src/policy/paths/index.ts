// The path security core: every file tool validates, canonicalises and opens paths through here.
export { createPathGuard } from './path-guard.js';
export { isInside } from './is-inside.js';
export {
  bastionTempName,
  hasBastionTempSegment,
  isBastionTempName,
  isStaleTemp,
} from './temp-files.js';
export { validateRawPathText } from './parse-raw-path.js';
export { descriptorRealPathSync, fdDirectoryPath } from './descriptor-path.js';
export {
  toFileSystemError,
  rethrowFileSystemError,
  isErrnoError,
  formatDisplayPath,
} from './fs-errors.js';
export type {
  PathGuard,
  PathIntent,
  ResolvedPath,
  OpenedFile,
  ReadHandle,
  OpenedDirectory,
  WriteMode,
  WriteResult,
} from './types.js';
