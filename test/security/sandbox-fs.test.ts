import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxUnavailableError } from '../../src/errors/index.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import {
  bash,
  canarySecret,
  createWorld,
  IS_LINUX,
  IS_ROOT,
  specFor,
  type SandboxWorld,
} from './sandbox-harness.js';

// Filesystem layout of the bubblewrap sandbox: what is invisible, read-only, masked.
describe.skipIf(!IS_LINUX)('bubblewrap sandbox: filesystem', () => {
  let sandbox: Sandbox;
  let world: SandboxWorld;
  const homeCanary = path.join(os.homedir(), `.bastion-sbx-canary-${process.pid}`);
  const homeSecret = canarySecret('home');

  beforeAll(async () => {
    sandbox = await createSandbox({ enabled: true });
    world = createWorld();
    writeFileSync(homeCanary, homeSecret);
  });
  afterAll(async () => {
    await sandbox.close();
    world.cleanup();
    rmSync(homeCanary, { force: true });
  });

  it('[SBX-FS-01] hides host paths outside the roots: home, /work, the host /tmp, /run, /var, /srv', async () => {
    const repoFile = path.resolve('package.json');
    const r = await bash(
      sandbox,
      specFor(world),
      [
        `cat ${world.outside}/canary.txt`,
        `cat ${homeCanary}`,
        `cat ${repoFile}`,
        `ls -a ${path.dirname(world.outside)} /run /var /srv /root /work`,
        'ls -la /run/docker.sock /var/run/docker.sock /run/dbus 2>&1',
        'echo "SOCK=$SSH_AUTH_SOCK"',
      ].join('; '),
    );
    const all = r.stdout.text + r.stderr.text;
    expect(all).not.toContain(world.outsideSecret);
    expect(all).not.toContain(homeSecret);
    expect(all).not.toContain('"name": "bastion-mcp"');
    expect(r.stdout.text).toContain('SOCK=\n');
    // Positive control: the same command reads a file inside the root.
    writeFileSync(path.join(world.rw, 'inside.txt'), 'INSIDE-OK');
    const ok = await bash(sandbox, specFor(world), 'cat inside.txt');
    expect(ok.stdout.text).toBe('INSIDE-OK');
  });

  it('[SBX-FS-02] keeps /usr and /etc read-only', async () => {
    const name = `bastion-sbx-marker-${process.pid}`;
    const r = await bash(
      sandbox,
      specFor(world),
      `echo x > /usr/bin/${name}; echo x > /etc/${name}; echo done`,
    );
    expect(r.stdout.text).toContain('done');
    expect(existsSync(`/usr/bin/${name}`)).toBe(false);
    expect(existsSync(`/etc/${name}`)).toBe(false);
  });

  it('[SBX-FS-03] refuses writes, creates and deletes in a read-only root; allows them in a rw root', async () => {
    const r = await bash(
      sandbox,
      specFor(world),
      [
        `echo changed > ${world.ro}/readme.txt`,
        `touch ${world.ro}/new.txt`,
        `rm -f ${world.ro}/readme.txt`,
        `echo rw-ok > ${world.rw}/written.txt`,
      ].join('; '),
    );
    expect(r.stderr.text).toContain('Read-only file system');
    expect(readFileSync(path.join(world.ro, 'readme.txt'), 'utf8')).toBe('read-only content\n');
    expect(existsSync(path.join(world.ro, 'new.txt'))).toBe(false);
    expect(readFileSync(path.join(world.rw, 'written.txt'), 'utf8')).toBe('rw-ok\n');
  });

  it.skipIf(!IS_ROOT)(
    '[SBX-FS-04] masks /etc/shadow and every non-world-readable /etc file',
    async () => {
      const shadowFirstLine = readFileSync('/etc/shadow', 'utf8').split('\n')[0] ?? '';
      const etcCanary = `/etc/bastion-sbx-canary-${process.pid}`;
      const etcSecret = canarySecret('etc');
      writeFileSync(etcCanary, etcSecret, { mode: 0o600 });
      try {
        const sb = await createSandbox({ enabled: true }); // /etc is scanned when the sandbox is created
        const r = await bash(
          sb,
          specFor(world),
          `cat /etc/shadow /etc/gshadow /etc/shadow- ${etcCanary} /etc/ssh/*_key; ls /etc/ssl/private; echo end`,
        );
        await sb.close();
        const all = r.stdout.text + r.stderr.text;
        expect(r.stdout.text).toContain('end');
        expect(shadowFirstLine.length).toBeGreaterThan(0);
        expect(all).not.toContain(shadowFirstLine);
        expect(all).not.toContain(etcSecret);
        expect(all).not.toContain('PRIVATE KEY');
      } finally {
        rmSync(etcCanary, { force: true });
      }
    },
  );

  it('[SBX-FS-05] masks deny-listed files in roots, through symlink aliases and in read-only roots', async () => {
    const envSecret = canarySecret('env');
    const pemSecret = canarySecret('pem');
    const sshSecret = canarySecret('ssh');
    const roSecret = canarySecret('ro-env');
    mkdirSync(path.join(world.rw, 'app/.ssh'), { recursive: true });
    writeFileSync(path.join(world.rw, 'app/.env'), envSecret);
    writeFileSync(path.join(world.rw, 'app/server.pem'), pemSecret);
    writeFileSync(path.join(world.rw, 'app/.ssh/id_ed25519'), sshSecret);
    writeFileSync(path.join(world.ro, '.env.local'), roSecret);
    symlinkSync('app/.env', path.join(world.rw, 'innocent.txt'));
    const r = await bash(
      sandbox,
      specFor(world),
      [
        'cat app/.env app/server.pem app/.ssh/id_ed25519 innocent.txt',
        `cat ${world.ro}/.env.local`,
        'ls -la app/.ssh',
        'grep -r CANARY . 2>/dev/null',
        'echo end',
      ].join('; '),
    );
    const all = r.stdout.text + r.stderr.text;
    expect(r.stdout.text).toContain('end');
    for (const secret of [envSecret, pemSecret, sshSecret, roSecret])
      expect(all).not.toContain(secret);
    // Files created later in a denied dir stay hidden too (the whole dir is covered).
    const later = canarySecret('ssh-later');
    writeFileSync(path.join(world.rw, 'app/.ssh/config'), later);
    const r2 = await bash(sandbox, specFor(world), 'cat app/.ssh/config; ls app/.ssh');
    expect(r2.stdout.text + r2.stderr.text).not.toContain(later);
  });

  it('[SBX-FS-05] masks hundreds of denied files at once, and refuses (never half-masks) past the cap', async () => {
    const dir = path.join(world.rw, 'many');
    mkdirSync(dir);
    const secret = canarySecret('many');
    try {
      for (let i = 0; i < 500; i += 1) writeFileSync(path.join(dir, `k${i}.pem`), `${secret}-${i}`);
      const r = await bash(
        sandbox,
        specFor(world),
        'cat many/*.pem 2>/dev/null | head -c 200; ls many | wc -l',
      );
      expect(r.stdout.text.trim()).toBe('500');
      expect(r.stdout.text).not.toContain(secret);
      for (let i = 500; i < 2_100; i += 1)
        writeFileSync(path.join(dir, `k${i}.pem`), `${secret}-${i}`);
      await expect(bash(sandbox, specFor(world), 'cat many/*.pem')).rejects.toBeInstanceOf(
        SandboxUnavailableError,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('[SBX-FS-06] gives every command a fresh /tmp and HOME, never the host /tmp', async () => {
    const token = canarySecret('tmp');
    const first = await bash(
      sandbox,
      specFor(world),
      `echo ${token} > /tmp/t; echo ${token} > "$HOME/h"; echo "$HOME"`,
    );
    expect(first.stdout.text.trim()).toBe('/home/sandbox');
    const second = await bash(sandbox, specFor(world), 'cat /tmp/t "$HOME/h"; ls -a /tmp');
    expect(second.stdout.text + second.stderr.text).not.toContain(token);
    expect(existsSync('/tmp/t')).toBe(false);
  });

  it('[SBX-FS-07] cannot unmask a denied file by renaming, linking, deleting or unmounting it', async () => {
    const secret = canarySecret('unmask');
    writeFileSync(path.join(world.rw, '.env'), secret);
    const r = await bash(
      sandbox,
      specFor(world),
      [
        'mv .env moved.txt; ln .env hard.txt; rm -f .env; umount .env',
        'cat .env moved.txt hard.txt 2>&1',
        'echo end',
      ].join('; '),
    );
    expect(r.stdout.text).toContain('end');
    expect(r.stdout.text + r.stderr.text).not.toContain(secret);
    expect(readFileSync(path.join(world.rw, '.env'), 'utf8')).toBe(secret);
    expect(existsSync(path.join(world.rw, 'moved.txt'))).toBe(false);
  });

  it('[SBX-FS-08] masks what the file tools deny: other letter cases and absolute deny patterns', async () => {
    const upper = canarySecret('upper-pem');
    const env = canarySecret('upper-env');
    const absDir = canarySecret('abs-dir');
    const absFile = canarySecret('abs-file');
    mkdirSync(path.join(world.rw, 'case/private'), { recursive: true });
    writeFileSync(path.join(world.rw, 'case/KEY.PEM'), upper);
    writeFileSync(path.join(world.rw, 'case/.ENV'), env);
    writeFileSync(path.join(world.rw, 'case/private/token'), absDir);
    writeFileSync(path.join(world.rw, 'case/token.txt'), absFile);
    const spec = specFor(world, {
      deny: [...specFor(world).deny, `${world.rw}/case/private/**`, `${world.rw}/case/token.txt`],
    });
    const r = await bash(
      sandbox,
      spec,
      'cd case; cat KEY.PEM .ENV private/token token.txt 2>&1; grep -r CANARY . 2>&1; echo end',
    );
    expect(r.stdout.text).toContain('end');
    for (const secret of [upper, env, absDir, absFile])
      expect(r.stdout.text + r.stderr.text).not.toContain(secret);
  });

  it('[SBX-FS-09] a read-only root nested in a read-write root cannot be carried out and rewritten', async () => {
    const marker = canarySecret('nested-ro');
    const nested = path.join(world.rw, 'pinned/deeper/ro');
    mkdirSync(nested, { recursive: true });
    writeFileSync(path.join(nested, 'config.txt'), 'original\n');
    const spec = specFor(world, {
      roots: [...specFor(world).roots, { path: nested, mode: 'read-only' }],
    });
    // Rename the dirs above the nested root, then (next command) rewrite and move it all back.
    await bash(
      sandbox,
      spec,
      'mv pinned moved; mv pinned/deeper pinned/d2; mkdir -p pinned/deeper/ro',
    );
    const r = await bash(
      sandbox,
      spec,
      [
        `for f in moved/deeper/ro/config.txt pinned/d2/ro/config.txt; do echo ${marker} > $f; done`,
        'mv pinned gone && mv moved pinned',
        `echo ${marker} > pinned/deeper/ro/config.txt`,
        'echo end',
      ].join('; '),
    );
    expect(r.stdout.text).toContain('end');
    expect(readFileSync(path.join(nested, 'config.txt'), 'utf8')).toBe('original\n');
    for (const dir of ['moved', 'gone', 'pinned/d2'])
      expect(existsSync(path.join(world.rw, dir))).toBe(false);
  });

  it.skipIf(!IS_ROOT || !existsSync('/opt'))(
    '[SBX-FS-10] root-only files under /opt stay unreadable when the server runs as root',
    async () => {
      const secret = canarySecret('opt');
      const dir = path.join('/opt', `bastion-sbx-${process.pid}`);
      mkdirSync(path.join(dir, 'private'), { recursive: true });
      try {
        writeFileSync(path.join(dir, 'app.key'), secret, { mode: 0o600 });
        writeFileSync(path.join(dir, 'private', 'token'), secret);
        chmodSync(path.join(dir, 'private'), 0o700);
        // System masks are computed when the sandbox is created.
        const fresh = await createSandbox({ enabled: true });
        try {
          const r = await bash(
            fresh,
            specFor(world),
            `cat ${dir}/app.key ${dir}/private/token 2>&1; grep -r CANARY ${dir} 2>&1; echo end`,
          );
          expect(r.stdout.text).toContain('end');
          expect(r.stdout.text + r.stderr.text).not.toContain(secret);
        } finally {
          await fresh.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('[SBX-FS-11] renaming the dirs above a secret does not unmask it for the next command', async () => {
    const aws = canarySecret('aws');
    const abs = canarySecret('abs-pattern');
    mkdirSync(path.join(world.rw, 'renamer/.aws'), { recursive: true });
    mkdirSync(path.join(world.rw, 'renamer/deep/vault'), { recursive: true });
    writeFileSync(path.join(world.rw, 'renamer/.aws/credentials'), aws);
    writeFileSync(path.join(world.rw, 'renamer/deep/vault/token'), abs);
    const spec = specFor(world, {
      deny: [...specFor(world).deny, '**/.aws/credentials', `${world.rw}/renamer/deep/vault/**`],
    });
    await bash(
      sandbox,
      spec,
      'cd renamer; mv .aws aws2; mv deep d2; mv d2/vault d2/v2; mv .. ../../x',
    );
    const r = await bash(
      sandbox,
      spec,
      'cd renamer; cat .aws/credentials aws2/credentials deep/vault/token d2/vault/token d2/v2/token 2>&1; grep -r CANARY . 2>&1; echo end',
    );
    expect(r.stdout.text).toContain('end');
    expect(r.stdout.text + r.stderr.text).not.toContain(aws);
    expect(r.stdout.text + r.stderr.text).not.toContain(abs);
  });

  it('[SBX-PROC-01] keeps /proc (and so /proc/sys) read-only: host sysctls cannot be written', async () => {
    const marker = canarySecret('sysctl');
    const before = readFileSync('/proc/sys/vm/swappiness', 'utf8');
    // Writes back the same value: if the boundary failed, the host is unchanged but the marker shows.
    const r = await bash(
      sandbox,
      specFor(world),
      `v=$(cat /proc/sys/vm/swappiness); echo "$v" > /proc/sys/vm/swappiness && echo ${marker}; echo end`,
    );
    expect(r.stdout.text).toContain('end');
    expect(r.stdout.text).not.toContain(marker);
    expect(readFileSync('/proc/sys/vm/swappiness', 'utf8')).toBe(before);
  });

  it('[SBX-PRIV-01] runs as a non-root uid with no capabilities and inert setuid binaries', async () => {
    const marker = canarySecret('priv');
    const r = await bash(
      sandbox,
      specFor(world),
      [
        'id -u',
        'grep -E "^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs)" /proc/self/status',
        `su -c "echo ${marker}" root </dev/null 2>/dev/null`,
        `[ -r /etc/shadow ] && head -c1 /etc/shadow >/dev/null 2>&1 && echo ${marker}`,
        'echo end',
      ].join('; '),
    );
    expect(r.stdout.text).toContain('end');
    expect(r.stdout.text.split('\n')[0]).not.toBe('0');
    for (const cap of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) {
      expect(r.stdout.text).toMatch(new RegExp(`${cap}:\\s+0{16}`));
    }
    expect(r.stdout.text).toMatch(/NoNewPrivs:\s+1/);
    expect(r.stdout.text).not.toContain(marker);
  });

  it('[SBX-PRIV-02] cannot create a nested user namespace', async () => {
    const marker = canarySecret('userns');
    const r = await bash(sandbox, specFor(world), `unshare -Ur true && echo ${marker}; echo end`);
    expect(r.stdout.text).toContain('end');
    expect(r.stdout.text).not.toContain(marker);
  });
});
