import { pino, type Logger } from 'pino';

// Operational log for humans (startup, warnings, internal errors). Always stderr: stdout belongs
// to the MCP protocol on stdio.
export function createLogger(
  name: string,
  level = process.env.BASTION_LOG_LEVEL ?? 'info',
): Logger {
  return pino({ name, level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: true }));
}

export type { Logger };
