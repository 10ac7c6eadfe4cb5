import { z } from 'zod';
import { InvalidInputError } from '../../../errors/index.js';
import { registerAuditedTool } from '../../shared/audited-tool.js';
import type { ShellContext } from '../shell-context.js';
import { NO_POLICY_ACCESS } from '../tool-annotations.js';
import type { SessionRegistry } from './session-registry.js';
import type { SessionSnapshot } from './shell-session.js';
import { nullableString } from '../../shared/portable-schema.js';

// The longest read_output may block waiting for output.
export const MAX_READ_WAIT_MS = 30_000;
const DEFAULT_READ_WAIT_MS = 1_000;

const SnapshotShape = {
  sessionId: z.string(),
  output: z.string().describe('Output (stdout and stderr, interleaved) since the previous read'),
  droppedBytes: z.number().int().describe('Older unread bytes dropped because the buffer was full'),
  running: z.boolean(),
  exitCode: z.number().int().nullable(),
  signal: nullableString('Signal that ended the session, if any'),
  end: nullableString('exited | killed | idle-timeout | lifetime-exceeded | server-closed'),
};

function describeSnapshot(snap: SessionSnapshot, bufferBytes: number): string {
  const status = snap.running
    ? 'running'
    : `ended (${snap.end ?? 'exited'}; ${snap.exitCode !== null ? `exit code ${snap.exitCode}` : `signal ${snap.signal ?? 'unknown'}`})`;
  const dropped =
    snap.droppedBytes > 0
      ? `\n[${snap.droppedBytes} older bytes were dropped unread: the session keeps at most ${bufferBytes} unread bytes]`
      : '';
  const body = snap.text.length > 0 ? `\n${snap.text}` : '\n(no new output)';
  return `Session ${snap.sessionId}: ${status}${dropped}${body}`;
}

function toStructured(snap: SessionSnapshot): Record<string, unknown> {
  const { text, ...rest } = snap;
  return { ...rest, output: text };
}

// read_output, list_sessions and kill_session: look at sessions, or end one.
export function registerSessionInspectTools(ctx: ShellContext, registry: SessionRegistry): void {
  const bufferBytes = ctx.config.shell.sessionBufferBytes;
  registerAuditedTool(
    ctx.tool,
    'read_output',
    {
      title: 'Read new session output',
      description:
        'Return the output a session produced since the last read, and whether it is still running ' +
        `(with its exit code once ended). waitMs (0..${MAX_READ_WAIT_MS}, default ${DEFAULT_READ_WAIT_MS}) ` +
        `waits for output when there is none yet. At most ${bufferBytes} unread bytes are kept; older ` +
        `ones are dropped and counted. ${NO_POLICY_ACCESS}`,
      inputSchema: {
        sessionId: z.string(),
        waitMs: z
          .number()
          .optional()
          .describe(`Wait up to this long for new output (max ${MAX_READ_WAIT_MS})`),
      },
      outputSchema: SnapshotShape,
      annotations: {
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    async (args, extra) => {
      const session = registry.get(args.sessionId);
      const waitMs = args.waitMs ?? DEFAULT_READ_WAIT_MS;
      if (!Number.isFinite(waitMs) || waitMs < 0 || waitMs > MAX_READ_WAIT_MS) {
        throw new InvalidInputError(`waitMs: expected 0..${MAX_READ_WAIT_MS}, got ${waitMs}`);
      }
      registry.touch(session);
      const snap = await session.read(waitMs, extra.mcpReq.signal);
      registry.touch(session);
      return {
        content: [{ type: 'text', text: describeSnapshot(snap, bufferBytes) }],
        structuredContent: toStructured(snap),
        audit: {
          details: {
            sessionId: session.id,
            outputBytes: Buffer.byteLength(snap.text),
            droppedBytes: snap.droppedBytes,
            running: snap.running,
            exitCode: snap.exitCode,
          },
        },
      };
    },
  );

  registerAuditedTool(
    ctx.tool,
    'list_sessions',
    {
      title: 'List sessions',
      description: `List this server's sessions: id, command, cwd, running or ended, unread bytes. ${NO_POLICY_ACCESS}`,
      inputSchema: {},
      outputSchema: {
        sessions: z.array(
          z.object({
            sessionId: z.string(),
            command: z.string(),
            cwd: z.string(),
            running: z.boolean(),
            startedAt: z.string(),
            idleMs: z.number(),
            unreadBytes: z.number().int(),
            inputIsPolicyChecked: z.boolean(),
          }),
        ),
      },
      annotations: {
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    () => {
      const now = Date.now();
      const sessions = registry.list().map((s) => ({
        sessionId: s.id,
        command: s.command,
        cwd: s.cwd,
        running: s.running,
        startedAt: new Date(s.startedAt).toISOString(),
        idleMs: now - s.lastActivityAt,
        unreadBytes: s.unreadBytes,
        inputIsPolicyChecked: s.inputCheck.kind !== 'none',
      }));
      const lines = sessions.map(
        (s) => `${s.sessionId}  ${s.running ? 'running' : 'ended  '}  ${s.command}  (cwd ${s.cwd})`,
      );
      const text = lines.length > 0 ? lines.join('\n') : 'No sessions.';
      return Promise.resolve({
        content: [{ type: 'text', text }],
        structuredContent: { sessions },
        audit: { details: { count: sessions.length } },
      });
    },
  );

  registerAuditedTool(
    ctx.tool,
    'kill_session',
    {
      title: 'Kill a session',
      description: `Kill a session's program and every process it started, and return its last output. ${NO_POLICY_ACCESS}`,
      inputSchema: { sessionId: z.string() },
      outputSchema: SnapshotShape,
      annotations: {
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    async (args, extra) => {
      const session = registry.get(args.sessionId);
      await session.kill('killed');
      const snap = await session.read(0, extra.mcpReq.signal);
      registry.remove(session.id);
      return {
        content: [{ type: 'text', text: describeSnapshot(snap, bufferBytes) }],
        structuredContent: toStructured(snap),
        audit: {
          details: {
            sessionId: session.id,
            command: session.command,
            exitCode: snap.exitCode,
            signal: snap.signal,
          },
        },
      };
    },
  );
}
