import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'vitest';
import { createSandbox } from '../../src/sandbox/index.js';
import { bash, createWorld, specFor } from './sandbox-harness.js';

it('probe', async () => {
  const sandbox = await createSandbox({ enabled: true });
  const world = createWorld();
  // nested: ro inside rw, rw inside ro
  mkdirSync(path.join(world.rw, 'nestedro'));
  mkdirSync(path.join(world.ro, 'nestedrw'));
  writeFileSync(path.join(world.rw, '.env'), 'ENVSECRET');
  mkdirSync(path.join(world.rw, '.ssh'));
  writeFileSync(path.join(world.rw, '.ssh', 'id'), 'SSHSECRET');
  symlinkSync(world.outside, path.join(world.rw, 'outlink'));
  const spec = specFor(world, {
    roots: [
      ...specFor(world).roots,
      { path: path.join(world.rw, 'nestedro'), mode: 'read-only' },
      { path: path.join(world.ro, 'nestedrw'), mode: 'read-write' },
    ],
  });
  const script = [
    'echo == id; id',
    'echo == proc1root; ls /proc/1/root/ 2>&1 | head -3; cat /proc/1/root' + world.outside + '/canary.txt 2>&1',
    'echo == selfroot; cat /proc/self/root' + world.outside + '/canary.txt 2>&1',
    'echo == sys; ls /sys 2>&1 | head; cat /sys/class/dmi/id/product_uuid 2>&1',
    'echo == run var; ls /run /var 2>&1',
    'echo == shm; ls -la /dev/shm; touch /dev/shm/x 2>&1; echo persisted > /dev/shm/p 2>&1',
    'echo == etc; cat /etc/security/opasswd /etc/default/cacerts 2>&1 | head -3',
    'echo == nestedro; touch ' + world.rw + '/nestedro/x 2>&1',
    'echo == nestedrw; touch ' + world.ro + '/nestedrw/x 2>&1 && echo wrote-nestedrw',
    'echo == env; env',
    'echo == mountinfo; cat /proc/self/mountinfo | head -40',
    'echo == envfile; cat .env .ssh/id 2>&1; ls -la .ssh',
    'echo == outlink; cat outlink/canary.txt 2>&1',
    'echo == mv; mv .ssh sshx 2>&1; cat sshx/id 2>&1; ls -la',
    'echo == umount; umount .env 2>&1',
    'echo == cgroup; ls /sys/fs/cgroup 2>&1 | head -3',
    'echo == proc-kcore; head -c 10 /proc/kcore 2>&1 | od | head -2',
  ].join('\n');
  const r = await bash(sandbox, spec, script);
  console.log(r.stdout, r.stderr);
  const r2 = await bash(sandbox, spec, 'ls -la /dev/shm /tmp; cat /dev/shm/p 2>&1');
  console.log('SECOND', r2.stdout, r2.stderr);
  await sandbox.close();
  world.cleanup();
}, 60_000);
