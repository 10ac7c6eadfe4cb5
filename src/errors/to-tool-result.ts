import { randomUUID } from 'node:crypto';
import { BastionError } from './bastion-error.js';

// The MCP tool-result shape for a refusal, kept local so errors/ imports nothing internal.
export interface ToolErrorResult {
  [key: string]: unknown;
  isError: true;
  content: { type: 'text'; text: string }[];
}

// What the edge needs to both answer the client and log the truth.
export interface MappedError {
  result: ToolErrorResult;
  code: string;
  // Set only for unexpected errors: the reference the client sees, to find the details in the audit log.
  ref?: string;
}

// Map any thrown value once, at the edge: known errors say what went wrong; unknown ones never
// leak a stack, a host path or an env value, only a reference id.
export function toToolResult(err: unknown): MappedError {
  if (err instanceof BastionError) {
    return {
      code: err.code,
      result: { isError: true, content: [{ type: 'text', text: err.message }] },
    };
  }
  const ref = randomUUID().slice(0, 8);
  return {
    code: 'INTERNAL',
    ref,
    result: {
      isError: true,
      content: [
        {
          type: 'text',
          text: `Internal error (ref ${ref}). The details are in the server's audit log.`,
        },
      ],
    },
  };
}
