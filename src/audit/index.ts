export * from './audit-log.js';
export * from './checkpoint.js';
export * from './redact.js';
export * from './verify-log.js';
export * from './verify.js';
export { AuditUnavailableError } from '../errors/index.js';
export * from './call-audit.js';
export * from './query.js';
export * from './read-records.js';
export {
  isRotatedFileName,
  listLogFiles,
  listRotatedFiles,
  ROTATION_LOCK_FILE,
} from './rotation.js';
export type {
  AuditCaller,
  AuditEvent,
  AuditRecord,
  AuditSink,
  AuditDecision,
  AuditPhase,
} from './types.js';
