export { LaunchRefusedError, startLauncher, type LaunchedChild, type Launcher } from './client.js';
export { connectLauncher } from './connect.js';
export { EXEC_GUARD_BINARY, findLauncher, LAUNCHER_BINARY } from './locate.js';
export type { ExitEvent, LaunchRequest, Rlimit } from './protocol.js';
export { signalName } from './signals.js';
