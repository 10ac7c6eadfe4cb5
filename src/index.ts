// Library entry: factories and types for embedding Bastion's servers. No side effects.
export { loadConfig, type Config, type Root } from './config/index.js';
export {
  createAuditLog,
  verifyAuditLines,
  type AuditSink,
  type AuditRecord,
} from './audit/index.js';
export { createFilesServer } from './servers/files/index.js';
export { createShellServer } from './servers/shell/index.js';
export { createSandbox, detectSandbox } from './sandbox/index.js';
export { createCommandPolicyEngine } from './policy/command/index.js';
export { createPathGuard } from './policy/paths/index.js';
export * from './errors/index.js';
