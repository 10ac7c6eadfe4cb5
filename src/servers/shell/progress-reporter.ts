import type { ToolExtra } from '../shared/audited-tool.js';

// Sends `notifications/progress` about once a second while a command runs, if the client asked
// (request `_meta.progressToken`). `progress` is elapsed seconds, so it always increases.
export interface ProgressReporter {
  onOutput(bytesSoFar: number): void;
  stop(): void;
}

const NO_PROGRESS: ProgressReporter = { onOutput: () => undefined, stop: () => undefined };

// Start ticking for one request; stop() must be called when the command settles.
export function startProgress(extra: ToolExtra, intervalMs = 1000): ProgressReporter {
  const progressToken = extra.mcpReq._meta?.progressToken;
  if (progressToken === undefined) return NO_PROGRESS;
  let seconds = 0;
  let bytes = 0;
  const timer = setInterval(() => {
    seconds += intervalMs / 1000;
    extra.mcpReq
      .notify({
        method: 'notifications/progress',
        params: {
          progressToken,
          progress: seconds,
          message: `running for ${seconds}s, ${bytes} bytes of output`,
        },
      })
      .catch(() => undefined);
  }, intervalMs);
  timer.unref();
  return {
    onOutput: (bytesSoFar) => {
      bytes = bytesSoFar;
    },
    stop: () => clearInterval(timer),
  };
}
