// JSON-RPC error codes the hub answers with outside any MCP server: the spec's generic server
// error range (-32000) for refusals at the door, and the standard parse / invalid-request codes.
export const HTTP_ERROR_CODES = {
  refused: -32000,
  parse: -32700,
  invalidRequest: -32600,
} as const;

// A refusal at the HTTP door, shaped as a JSON-RPC error so MCP clients show its message to the
// user (id null: the request was not read as JSON-RPC, or must not be answered as one).
export function jsonRpcErrorResponse(
  status: number,
  message: string,
  headers: Record<string, string> = {},
  code: number = HTTP_ERROR_CODES.refused,
): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}
