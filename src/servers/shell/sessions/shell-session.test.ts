import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShellSchema } from '../../../config/index.js';
import { createSandbox, type Sandbox } from '../../../sandbox/index.js';
import { createShellSession, type SessionSnapshot } from './shell-session.js';

const LIMITS = { maxProcesses: 64, maxMemoryMb: 512, maxFileSizeMb: 16, maxCpuSeconds: 10 };

describe('createShellSession', () => {
  let dir: string;
  let sandbox: Sandbox;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bastion-session-'));
    // No sandbox and no cgroup: the leader's exit leaves its background child (and the pipe the
    // child holds) alive, which is exactly the order of events that used to lose output.
    sandbox = await createSandbox({ enabled: false, useCgroups: false });
  });
  afterAll(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the end only after the output streams have closed', async () => {
    const gate = path.join(dir, 'gate');
    execFileSync('mkfifo', [gate]);
    // The leader exits at once; its child writes the last words only when the test opens the gate.
    const proc = sandbox.spawn(
      ['/bin/sh', '-c', '(read go < "$1"; echo LATE-END) & exit 0', 'sh', gate],
      { roots: [], deny: [], cwd: dir, network: false, env: { PATH: '/usr/bin:/bin' } },
      LIMITS,
    );
    let ended = false;
    const session = createShellSession({
      process: proc,
      command: 'test',
      cwd: dir,
      root: { path: dir, mode: 'read-write' },
      policy: ShellSchema.parse({}).policy,
      inputCheck: { kind: 'none' },
      bufferBytes: 1024 * 1024,
      onEnd: () => {
        ended = true;
      },
    });
    await proc.exited;
    // The leader is gone but stdout is still open: the session is not over yet.
    expect(session.running).toBe(true);
    expect(ended).toBe(false);
    await writeFile(gate, 'go\n');
    // Read as a client does: until the session says it ended with nothing left.
    const never = new AbortController().signal;
    let output = '';
    let last: SessionSnapshot | undefined;
    for (let i = 0; i < 50; i += 1) {
      last = await session.read(2_000, never);
      output += last.text;
      if (!last.running) break;
    }
    expect(output).toContain('LATE-END');
    expect(last?.running).toBe(false);
    expect(last?.end).toBe('exited');
    expect(ended).toBe(true);
  });
});
