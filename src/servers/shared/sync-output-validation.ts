import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  getParseErrorMessage,
  normalizeObjectSchema,
  safeParse,
  type AnySchema,
} from '@modelcontextprotocol/sdk/server/zod-compat.js';
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';

type OutputValidator = (
  tool: { outputSchema?: AnySchema },
  result: unknown,
  toolName: string,
) => Promise<void>;

const patched = new WeakSet<McpServer>();

// zod's synchronous parse, or undefined when the schema needs the async one (a promise or an
// async refinement: zod then throws instead of answering).
function parseSync(
  schema: AnySchema,
  value: unknown,
): { success: boolean; error?: unknown } | undefined {
  try {
    return safeParse(schema, value);
  } catch {
    return undefined;
  }
}

// The SDK checks every structured tool result against the tool's output schema with zod's async
// parse, which skips zod's compiled fast path: 3.6 ms against 0.34 ms for a 10,000-entry listing.
// For this server only, run the synchronous parse of the same schema, failing with the SDK's own
// error; every other case (no schema, errors, task results, a schema needing the async parse)
// stays with the SDK's check. The method is private to the SDK: pinned by the lockfile and
// covered by the files listing tests.
export function validateToolOutputSynchronously(mcp: McpServer): void {
  if (patched.has(mcp)) return;
  patched.add(mcp);
  const sdk = mcp as unknown as { validateToolOutput?: OutputValidator };
  const original = sdk.validateToolOutput;
  if (typeof original !== 'function') return;
  const sdkCheck: OutputValidator = original.bind(mcp);
  sdk.validateToolOutput = (tool, rawResult, toolName) => {
    const result = rawResult as Partial<CallToolResult>;
    if (!tool.outputSchema || !('content' in result) || result.isError || !result.structuredContent)
      return sdkCheck(tool, rawResult, toolName);
    const schema = normalizeObjectSchema(tool.outputSchema);
    const parsed = schema === undefined ? undefined : parseSync(schema, result.structuredContent);
    if (parsed === undefined) return sdkCheck(tool, rawResult, toolName);
    if (parsed.success) return Promise.resolve();
    return Promise.reject(
      new McpError(
        ErrorCode.InvalidParams,
        `Output validation error: Invalid structured content for tool ${toolName}: ${getParseErrorMessage(parsed.error)}`,
      ),
    );
  };
}
