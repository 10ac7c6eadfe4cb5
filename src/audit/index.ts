export * from './audit-log.js';
export * from './redact.js';
