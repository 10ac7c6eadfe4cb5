// True when no process has this pid (ESRCH); a live process of another user (EPERM) counts as
// there. Used to tell what a dead server left behind (cgroups, device dirs).
export function isProcessGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
