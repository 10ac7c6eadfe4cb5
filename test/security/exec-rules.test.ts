import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSandbox,
  probeExecGuard,
  type ProgramRules,
  type Sandbox,
  type SandboxSpec,
} from '../../src/sandbox/index.js';
import { ALLOWED, FAMILIES } from './exec-attacks.js';
import {
  bash,
  createWorld,
  IS_LINUX,
  specFor,
  TEST_LIMITS,
  type SandboxWorld,
} from './sandbox-harness.js';

// Exec rules at the kernel, with no parser in front: each attack is handed to bash as it is, and
// `touch` stands for the forbidden program. The marker file `M` exists afterwards only if touch
// ran, whatever spelling led there. Every attack ends by echoing `done`, which proves bash ran
// the text (a syntax error would prove nothing).

const GUARD = IS_LINUX ? probeExecGuard() : null;
const SKIP = !IS_LINUX || GUARD === null || GUARD.abi < 1;
// A host hard link of the forbidden program outside the program dirs (root only).
const HARD_LINK = path.join('/usr/local/lib', `bastion-test-touch-${process.pid}`);

const MODES: { name: string; rules: ProgramRules }[] = [
  { name: 'denylist (touch denied)', rules: { kind: 'except', deny: ['touch'] } },
  { name: 'confirm (touch not confirmed)', rules: { kind: 'except', deny: ['sudo', 'touch'] } },
  { name: 'allowlist (touch not listed)', rules: { kind: 'only', allow: ALLOWED, deny: [] } },
];

describe.skipIf(SKIP)('exec rules enforced by the kernel (no parser)', () => {
  let sandbox: Sandbox;
  let world: SandboxWorld;

  beforeAll(async () => {
    // Made before any plan: plans are kept while the program index is fresh (a minute).
    if (process.getuid?.() === 0) execFileSync('ln', ['-f', '/usr/bin/touch', HARD_LINK]);
    sandbox = await createSandbox({ enabled: true });
    world = createWorld();
  });
  afterAll(async () => {
    rmSync(HARD_LINK, { force: true });
    await sandbox?.close();
    world?.cleanup();
  });

  // A fresh dir of the rw root per attack, so each marker proves one attack.
  let counter = 0;
  const attackSpec = (rules: ProgramRules): { spec: SandboxSpec; dir: string } => {
    const dir = path.join(world.rw, `case-${counter++}`);
    mkdirSync(dir);
    return { spec: specFor(world, { cwd: dir, programs: rules }), dir };
  };

  describe.each(MODES)('$name', ({ rules }) => {
    it.each(Object.entries(FAMILIES))('%s', async (_family, attacks) => {
      for (const attack of attacks) {
        const { spec, dir } = attackSpec(rules);
        const res = await bash(sandbox, spec, `${attack}\necho done`);
        expect(res.stdout.text, attack).toContain('done');
        expect(existsSync(path.join(dir, 'M')), `${attack}\n${res.stderr.text}`).toBe(false);
      }
    });

    it(
      '[EXEC-05] session: the same rules hold for every input, for the life of the tree',
      { timeout: 240_000 },
      async () => {
        const { spec, dir } = attackSpec(rules);
        const proc = sandbox.spawn(['/bin/bash'], spec, TEST_LIMITS);
        let out = '';
        proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
        proc.stderr.resume();
        // Inputs split so that each piece looks harmless.
        for (const line of [
          'a=to',
          'b=uch',
          '$a$b M',
          'shopt -s expand_aliases; alias t=touch',
          't M',
          'f=M; "$a$b" "$f"',
          ...Object.values(FAMILIES).flat(),
        ])
          proc.stdin.write(`{ ${line}\n} < /dev/null\n`);
        proc.stdin.end('echo session-done\n');
        await proc.exited;
        expect(out).toContain('session-done');
        expect(readdirSync(dir)).not.toContain('M');
      },
    );
  });

  it('the controls prove the attacks can succeed: with no rules, touch runs', async () => {
    const { dir } = attackSpec({ kind: 'except', deny: [] });
    const spec = specFor(world, { cwd: dir });
    const res = await bash(sandbox, spec, 'cp /usr/bin/touch /tmp/t; /tmp/t M; echo done');
    expect(res.stdout.text).toContain('done');
    expect(existsSync(path.join(dir, 'M'))).toBe(true);
  });

  it('[EXEC-06] allowlist: a look-alike in a writable root does not run, nor does anything written to /tmp', async () => {
    const { spec, dir } = attackSpec({
      kind: 'only',
      allow: ['git', 'chmod', 'printf', 'cp'],
      deny: [],
    });
    const res = await bash(
      sandbox,
      spec,
      [
        "printf '#!/bin/bash\\necho ran > M\\n' > git; chmod +x git",
        'PATH=.:$PATH git status; ./git',
        'cp git /tmp/git; /tmp/git; /dev/shm/git',
        'echo done',
      ].join('\n'),
    );
    expect(res.stdout.text).toContain('done');
    expect(existsSync(path.join(dir, 'M'))).toBe(false);
  });

  it('allowlist: a path entry makes just that file executable (./node_modules/.bin/tool)', async () => {
    const { dir } = attackSpec({ kind: 'except', deny: [] });
    const bin = path.join(dir, 'node_modules', '.bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'tool'), '#!/bin/sh\necho tool-ran > ok\n', { mode: 0o755 });
    writeFileSync(path.join(bin, 'other'), '#!/bin/sh\necho other-ran > M\n', { mode: 0o755 });
    const rel = `./${path.relative(world.rw, bin)}`;
    const spec = specFor(world, {
      cwd: dir,
      programs: { kind: 'only', allow: [`${rel}/tool`], deny: [] },
    });
    const res = await bash(
      sandbox,
      spec,
      './node_modules/.bin/tool; ./node_modules/.bin/other; echo done',
    );
    expect(res.stdout.text).toContain('done');
    expect(existsSync(path.join(dir, 'ok'))).toBe(true);
    expect(existsSync(path.join(dir, 'M'))).toBe(false);
  });

  it('[EXEC-07] denylist: a root with exec: false runs no file of its own, nor any written to /tmp', async () => {
    const { dir } = attackSpec({ kind: 'except', deny: [] });
    const base = specFor(world, { cwd: dir });
    const roots = base.roots.map((r) => (r.path === world.rw ? { ...r, exec: false } : r));
    const script = 'cp /usr/bin/touch t; ./t M; cp /usr/bin/touch /tmp/t; /tmp/t M; echo done';
    const off = await bash(
      sandbox,
      { ...base, roots, programs: { kind: 'except', deny: [] } },
      script,
    );
    expect(off.stdout.text).toContain('done');
    expect(existsSync(path.join(dir, 'M'))).toBe(false);
    // The same with exec left on: the copy runs (the rule, not the test, kept the marker away).
    const on = await bash(sandbox, { ...base, programs: { kind: 'except', deny: [] } }, script);
    expect(on.stdout.text).toContain('done');
    expect(existsSync(path.join(dir, 'M'))).toBe(true);
  });

  it('[EXEC-06] allowlist: a path entry the agent re-points (a planted link, a #! line) grants nothing else', async () => {
    const { dir } = attackSpec({ kind: 'except', deny: [] });
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    const rel = `./${path.relative(world.rw, bin)}`;
    const spec = specFor(world, {
      cwd: dir,
      programs: {
        kind: 'only',
        allow: [`${rel}/linked`, `${rel}/banged`, `${rel}/tree`],
        deny: [],
      },
    });
    // What a previous call of the agent could have left there.
    const setup = await bash(
      sandbox,
      specFor(world, { cwd: dir }),
      [
        'ln -s /usr/bin/touch bin/linked',
        'ln -s / bin/tree',
        "printf '#!/usr/bin/touch M\\n' > bin/banged && chmod +x bin/banged",
        'echo set',
      ].join('; '),
    );
    expect(setup.stdout.text).toContain('set');
    const res = await bash(
      sandbox,
      spec,
      './bin/linked M; ./bin/banged; /usr/bin/touch M; ./bin/tree/usr/bin/touch M; echo done',
    );
    expect(res.stdout.text).toContain('done');
    expect(existsSync(path.join(dir, 'M'))).toBe(false);
  });

  it('[EXEC-07] exec: false on a read-only root keeps /tmp from running its files; a nested no-exec root stays so', async () => {
    const { dir } = attackSpec({ kind: 'except', deny: [] });
    const base = specFor(world, { cwd: dir });
    mkdirSync(path.join(dir, 'inner'));
    // A copy of touch in the read-only root (the person's), and one in a root nested in rw.
    const seed = await bash(sandbox, base, `cp /usr/bin/touch inner/t; echo seeded`);
    expect(seed.stdout.text).toContain('seeded');
    const roots = [
      ...base.roots.map((r) => (r.path === world.ro ? { ...r, exec: false } : r)),
      { path: path.join(dir, 'inner'), mode: 'read-write' as const, exec: false },
    ];
    const res = await bash(
      sandbox,
      { ...base, roots, programs: { kind: 'except', deny: [] } },
      'cp inner/t /tmp/t; /tmp/t M; ./inner/t M; echo done',
    );
    expect(res.stdout.text).toContain('done');
    expect(existsSync(path.join(dir, 'M'))).toBe(false);
  });

  it.skipIf(process.getuid?.() !== 0)(
    '[EXEC-06] denylist: a hard link of a denied program outside the program dirs is masked too',
    async () => {
      try {
        const { spec, dir } = attackSpec({ kind: 'except', deny: ['touch'] });
        const res = await bash(
          sandbox,
          spec,
          `${HARD_LINK} M; cat ${HARD_LINK} > t2; chmod +x t2; ./t2 M; echo done`,
        );
        expect(res.stdout.text).toContain('done');
        expect(existsSync(path.join(dir, 'M'))).toBe(false);
      } finally {
        rmSync(HARD_LINK, { force: true });
      }
    },
  );

  it('allowlist without the launcher: commands start from Node and still run (prlimit stays in place)', async () => {
    const plain = await createSandbox({ enabled: true, launcherBinary: null });
    try {
      const { spec } = attackSpec({ kind: 'only', allow: ['ls'], deny: [] });
      const res = await bash(plain, spec, 'ls / | head -0; echo still-runs');
      expect(res.stdout.text).toContain('still-runs');
    } finally {
      await plain.close();
    }
  });

  it('ordinary work keeps running: git, make, coreutils pipelines, under an allowlist that names them', async () => {
    const { spec, dir } = attackSpec({
      kind: 'only',
      allow: ['git', 'make', 'ls', 'grep', 'sort', 'head', 'wc', 'cat', 'mkdir', 'printf'],
      deny: [],
    });
    const res = await bash(
      sandbox,
      spec,
      [
        'set -e',
        'git init -q repo && cd repo',
        'git status --short | wc -l',
        "printf 'all:\\n\\t@echo made-$$((6*7))\\n' > Makefile && make",
        'ls / | grep -c usr; printf "b\\na\\n" | sort | head -1',
      ].join('\n'),
    );
    expect(res.stderr.text).toBe('');
    expect(res.stdout.text).toMatch(/^0\nmade-42\n1\na\n$/);
    expect(existsSync(path.join(dir, 'repo', '.git', 'HEAD'))).toBe(true);
  });
});
