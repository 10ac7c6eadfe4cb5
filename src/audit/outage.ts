// Say on stderr, once per change of state, that the audit log stopped (or started again)
// taking records, and keep what the recovery record reports about the outage.
export interface OutageReporter {
  failed(reason: string): void;
  // After a successful write: the outage that just ended, or null when there was none.
  recovered(): Record<string, unknown> | null;
}

export function createOutageReporter(warn: (message: string) => void): OutageReporter {
  let down: { since: string; reason: string; failures: number } | null = null;
  return {
    failed(reason) {
      if (down && down.reason === reason) {
        down.failures += 1;
        return;
      }
      down = { since: new Date().toISOString(), reason, failures: 1 };
      warn(`the audit log cannot be written (${reason}): tool calls are refused until it can`);
    },
    recovered() {
      if (!down) return null;
      const ended = down;
      down = null;
      warn('the audit log is writable again: tool calls are accepted');
      return { ...ended, until: new Date().toISOString() };
    },
  };
}

// A write error in words an operator can act on.
export function describeWriteFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk holding it is full';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'its file system is read-only';
    case 'ENOENT':
      return 'its folder was removed';
    case 'EIO':
      return 'an I/O error on its disk';
    case undefined:
      return (err as Error)?.message ?? String(err);
    default:
      return `error ${code}`;
  }
}
