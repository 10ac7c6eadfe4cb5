import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

const STDERR_KEEP = 16 * 1024;

// Peak resident set (VmHWM, KiB) of a live process, or null when /proc has no entry for it.
export function readPeakRssKb(pid) {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

// The text of a tool result's content blocks, joined.
export function textOf(result) {
  const content = result?.content ?? [];
  return content.map((c) => (c.type === 'text' ? (c.text ?? '') : `[${c.type}]`)).join('\n');
}

// One MCP server over stdio, driven by the official SDK client, with the stats the bench needs:
// response bytes on the wire, peak RSS of the server process and its recent stderr.
export async function startServer(spec) {
  const transport = new StdioClientTransport({
    command: spec.command,
    args: spec.args,
    env: spec.env,
    cwd: spec.cwd,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEEP);
  });
  const client = new Client({ name: 'bastion-bench', version: '1.0.0' }, { capabilities: {} });
  try {
    await client.connect(transport, { timeout: spec.startTimeoutMs ?? 30_000 });
  } catch (err) {
    await client.close().catch(() => {});
    throw new Error(
      `${spec.label} failed to start: ${err.message}\n--- stderr ---\n${stderr.slice(-2000)}`,
    );
  }
  const pid = transport.pid;
  const stats = { bytesIn: 0, messagesIn: 0 };
  // The SDK's stdio transport (both files servers use it) writes JSON.stringify(message) + '\n',
  // so re-serialising each parsed message gives the bytes that crossed the pipe.
  const deliver = transport.onmessage;
  transport.onmessage = (message, extra) => {
    stats.bytesIn += Buffer.byteLength(JSON.stringify(message)) + 1;
    stats.messagesIn++;
    deliver?.(message, extra);
  };
  let tools = null;
  let peakRssKb = null;
  const session = {
    label: spec.label,
    pid,
    stats,
    client,
    stderr: () => stderr,
    async listTools() {
      tools ??= (await client.listTools()).tools;
      return tools;
    },
    async tool(name) {
      return (await session.listTools()).find((t) => t.name === name) ?? null;
    },
    // Call a tool; a result with isError becomes a thrown error carrying the server's text.
    async call(name, args, timeoutMs = 60_000) {
      const result = await client.callTool(
        { name, arguments: args },
        {
          timeout: timeoutMs,
          maxTotalTimeout: timeoutMs,
        },
      );
      if (result.isError) throw new Error(`${spec.label} ${name}: ${textOf(result).slice(0, 300)}`);
      return result;
    },
    peakRssKb() {
      const now = pid === null ? null : readPeakRssKb(pid);
      if (now !== null) peakRssKb = Math.max(peakRssKb ?? 0, now);
      return peakRssKb;
    },
    async close() {
      session.peakRssKb();
      await client.close().catch(() => {});
    },
  };
  return session;
}

// A server that can be restarted after a timed-out call (which would leave it busy), keeping the
// peak RSS over every process it ran.
export function createServerHandle(spec) {
  let session = null;
  let peakRssKb = null;
  const keepPeak = () => {
    const kb = session?.peakRssKb() ?? null;
    if (kb !== null) peakRssKb = Math.max(peakRssKb ?? 0, kb);
  };
  return {
    spec,
    async get() {
      session ??= await startServer(spec);
      return session;
    },
    async restart() {
      keepPeak();
      await session?.close();
      session = null;
      return this.get();
    },
    peakRssKb() {
      keepPeak();
      return peakRssKb;
    },
    async close() {
      keepPeak();
      await session?.close();
      session = null;
    },
  };
}

// Cold start: spawn -> initialize done -> first tools/list answered, then close.
export async function measureColdStart(spec) {
  const t0 = performance.now();
  const session = await startServer(spec);
  await session.listTools();
  const ms = performance.now() - t0;
  await session.close();
  return ms;
}
