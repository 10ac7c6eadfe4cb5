import { closeSync, openSync, readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { DIR_OPEN_FLAGS } from './verified-dir.js';

const OPS_PER_YIELD = 512;

// A child of an open directory named by raw bytes, so names that are not valid UTF-8 delete too.
function childBytes(fd: number, name: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`/proc/self/fd/${fd}/`), name]);
}

// Remove directory `name` of `parentFd` bottom-up. Every directory is opened O_NOFOLLOW through
// its parent's descriptor, so a directory swapped for a symlink mid-way is never followed out.
export async function removeTree(
  parentFd: number,
  name: Buffer,
  counter: { ops: number },
): Promise<void> {
  // Security: O_NOFOLLOW through the parent descriptor: a link in place of a directory is refused.
  const fd = openSync(childBytes(parentFd, name), DIR_OPEN_FLAGS);
  try {
    for (const dirent of readdirSync(`/proc/self/fd/${fd}`, {
      withFileTypes: true,
      encoding: 'buffer',
    })) {
      counter.ops += 1;
      if (counter.ops % OPS_PER_YIELD === 0) await new Promise((resolve) => setImmediate(resolve));
      if (dirent.isDirectory()) await removeTree(fd, dirent.name, counter);
      else unlinkSync(childBytes(fd, dirent.name));
    }
  } finally {
    closeSync(fd);
  }
  rmdirSync(childBytes(parentFd, name));
}
