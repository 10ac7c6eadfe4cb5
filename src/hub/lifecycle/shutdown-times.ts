// How long a stopping hub lets calls in flight finish before it drops their connections; the
// audit log is closed after that, so every call let in has its outcome on record.
export const HUB_SHUTDOWN_GRACE_MS = 10_000;

// How long `bastion stop` (and `restart`) wait after SIGTERM before SIGKILL: past the hub's own
// grace, with room to drop what is left, close the sessions and the audit log. Equal to the grace,
// a hub still finishing its last calls would be killed, and its outcome records lost.
export const HUB_STOP_WAIT_MS = HUB_SHUTDOWN_GRACE_MS + 5_000;
