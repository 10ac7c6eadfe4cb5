// Threats to the stdio transport both servers share; every id has at least one test named
// `[ID] ...` (test/security/transport-*.test.ts).
export const TRANSPORT_THREATS = [
  {
    id: 'TR-MSG-01',
    description:
      'A line that is not a JSON-RPC message (truncated JSON, no or wrong jsonrpc, a batch, a number) is left unanswered and unlogged, or stops the server answering later requests',
  },
  {
    id: 'TR-MSG-02',
    description:
      'A 100,000-deep nested array, or a message of millions of tiny values, crashes the server (stack overflow in a validator, heap exhausted by the parse)',
  },
  {
    id: 'TR-MSG-03',
    description:
      'A huge line (64 MiB of junk, or more than the message cap) makes the server hold unbounded memory or stop answering',
  },
  {
    id: 'TR-PARAMS-01',
    description:
      'tools/call with arguments that are not an object is answered as an internal error with a schema dump, or runs a tool, or goes unaudited',
  },
  {
    id: 'TR-EOF-01',
    description:
      'Closing stdin with calls in flight loses their answers or audit records (the audit log closed first), or leaves the server running past its bound',
  },
] as const;
