export * from './bastion-error.js';
export * from './to-tool-result.js';
