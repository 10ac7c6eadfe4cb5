import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, textOf, type StartedServer } from '../helpers/mcp-client.js';
import { makeTempDir, startInProcess, type InProcessServer } from '../integration/files-harness.js';

// The write stays well below the SDK stdio transport's 10 MB message cap (see files-crash).
const WRITE_BYTES = 3 * 1024 * 1024;
const TREE_FILES = 40;
const TREE_FILE_BYTES = 1024 * 1024;
// Kill the copy once this many files are staged: the other 35 (35 MiB, fsynced) are still to come.
const STAGED_BEFORE_KILL = 5;
const MAX_ATTEMPTS = 6;
// Polls sleep 1 ms each: the bound is a count (about 20 s or more), never a race with how fast
// the machine is (a poll of event-loop turns ran out before a 2026-era write had begun).
const POLL_LIMIT = 20_000;
const SWEEP_LOG = 'swept stale temp files';
const CANARY = 'TEMP-SWEEP-CANARY-7d21';

let home: string;
let outside: string;

beforeAll(() => {
  home = makeTempDir('bastion-home-');
  outside = makeTempDir('bastion-outside-');
  writeFileSync(path.join(outside, 'canary.txt'), CANARY);
});

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// The server's tag for "same boot, same pid namespace" (src/policy/paths/temp-files.ts), so the
// test can hand-make temp names owned by a dead or a live process of this host.
function hostTag(): string {
  const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  const pidNamespace = readlinkSync('/proc/self/ns/pid');
  return createHash('sha256').update(`${boot}\0${pidNamespace}`).digest('hex').slice(0, 8);
}

function tempNameOwnedBy(name: string, pid: number): string {
  return `.${name}.bastion-${hostTag()}-${pid}-0badc0de-0123456789abcdef.tmp`;
}

// A pid that is certainly gone: a child that ran and was reaped.
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

const isTempName = (name: string): boolean => name.includes('.bastion-') && name.endsWith('.tmp');

// Every Bastion temp name below dir, found by a full walk that hides nothing.
function tempsBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((rel) =>
    rel.split('/').some(isTempName),
  );
}

async function start(roots: string[], readOnly: string[] = []): Promise<StartedServer> {
  return startServer({
    server: 'files',
    args: [
      ...roots.flatMap((r) => ['--root', r]),
      ...readOnly.flatMap((r) => ['--read-only-root', r]),
      '--home',
      home,
    ],
  });
}

// Start a server and wait (bounded) for its start sweep to report that it finished.
async function startSwept(roots: string[], readOnly: string[] = []): Promise<StartedServer> {
  const server = await start(roots, readOnly);
  for (let polls = 0; polls < POLL_LIMIT && !server.stderr().includes(SWEEP_LOG); polls += 1)
    await sleep(1);
  expect(server.stderr()).toContain(SWEEP_LOG);
  return server;
}

function kill(server: StartedServer): void {
  try {
    process.kill(server.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

// Everything the listing and search tools say about a root, as one string.
async function everythingListed(server: StartedServer, root: string): Promise<string> {
  const calls: [string, Record<string, unknown>][] = [
    ['list_directory', { path: root }],
    ['list_directory_with_sizes', { path: root }],
    ['directory_tree', { path: root }],
    ['search_files', { path: root, pattern: '*' }],
    ['search_files', { path: root, pattern: '*.tmp' }],
    ['search_file_contents', { path: root, pattern: 'STAGED|LEFTOVER', ignoreCase: true }],
  ];
  const out: string[] = [];
  for (const [name, args] of calls)
    out.push(JSON.stringify(await server.client.callTool({ name, arguments: args })));
  return out.join('\n');
}

describe('leftovers of interrupted writes', () => {
  it('[FS-TEMP-01] a write_file killed by SIGKILL leaves no temp file after the next start', async () => {
    const root = makeTempDir();
    const target = path.join(root, 'target.txt');
    const fresh = 'B'.repeat(WRITE_BYTES);
    let killedWhileTempExisted = 0;
    try {
      for (let attempt = 0; attempt < MAX_ATTEMPTS && killedWhileTempExisted === 0; attempt += 1) {
        const old = `old content ${attempt}\n`.repeat(1000);
        writeFileSync(target, old);
        const server = await start([root]);
        let settled = false;
        const call = server.client
          .callTool({ name: 'write_file', arguments: { path: 'target.txt', content: fresh } })
          .catch(() => undefined)
          .finally(() => {
            settled = true;
          });
        let sawTemp = false;
        for (let polls = 0; polls < POLL_LIMIT && !sawTemp && !settled; polls += 1) {
          sawTemp = readdirSync(root).some((n) => n.startsWith('.target.txt.') && isTempName(n));
          if (!sawTemp) await sleep(1);
        }
        kill(server);
        await call;
        await server.close().catch(() => undefined);
        if (!sawTemp) continue;
        killedWhileTempExisted += 1;
        // The crash left its temp file behind (what used to pile up).
        expect(tempsBelow(root).length).toBeGreaterThan(0);
        const next = await startSwept([root]);
        try {
          expect(tempsBelow(root)).toEqual([]);
          const after = readFileSync(target, 'utf8');
          expect(after === old || after === fresh).toBe(true);
          expect(await everythingListed(next, root)).not.toContain('.bastion-');
        } finally {
          await next.close();
        }
      }
      expect(killedWhileTempExisted).toBeGreaterThan(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('[FS-TEMP-02] a recursive copy_file killed midway leaves the destination absent; the retry succeeds', async () => {
    const root = makeTempDir();
    const source = path.join(root, 'src');
    mkdirSync(path.join(source, 'nested'), { recursive: true });
    const expected = new Map<string, string>();
    for (let i = 0; i < TREE_FILES; i += 1) {
      const rel = i % 2 === 0 ? `f${i}.txt` : `nested/f${i}.txt`;
      const body = `STAGED ${i} `.padEnd(TREE_FILE_BYTES, String(i % 10));
      writeFileSync(path.join(source, rel), body);
      expected.set(rel, body);
    }
    const destination = path.join(root, 'out', 'copy');
    const copyArgs = { source: 'src', destination: 'out/copy', recursive: true };
    let killedMidCopy = 0;
    try {
      for (let attempt = 0; attempt < MAX_ATTEMPTS && killedMidCopy === 0; attempt += 1) {
        rmSync(path.join(root, 'out'), { recursive: true, force: true });
        const server = await start([root]);
        let settled = false;
        const call = server.client
          .callTool({ name: 'copy_file', arguments: copyArgs })
          .catch(() => undefined)
          .finally(() => {
            settled = true;
          });
        let staged = 0;
        for (let polls = 0; polls < POLL_LIMIT && staged < STAGED_BEFORE_KILL && !settled;) {
          const parent = path.join(root, 'out');
          const staging = existsSync(parent)
            ? readdirSync(parent).find((n) => n.startsWith('.copy.') && isTempName(n))
            : undefined;
          staged =
            staging === undefined
              ? 0
              : readdirSync(path.join(parent, staging), {
                  recursive: true,
                  encoding: 'utf8',
                }).filter((rel) => rel.endsWith('.txt') && !isTempName(path.basename(rel))).length;
          polls += 1;
          if (staged < STAGED_BEFORE_KILL) await sleep(1);
        }
        kill(server);
        await call;
        await server.close().catch(() => undefined);
        // Whatever the kill hit, the destination is whole or absent.
        if (existsSync(destination)) {
          for (const [rel, body] of expected)
            expect(readFileSync(path.join(destination, rel), 'utf8')).toBe(body);
          continue;
        }
        if (staged < STAGED_BEFORE_KILL) continue;
        killedMidCopy += 1;
        expect(tempsBelow(root).length).toBeGreaterThan(0);
        const next = await startSwept([root]);
        try {
          expect(tempsBelow(root)).toEqual([]);
          expect(await everythingListed(next, root)).not.toContain('.bastion-');
          const retry = await next.client.callTool({ name: 'copy_file', arguments: copyArgs });
          expect(retry.isError, textOf(retry)).toBeFalsy();
          for (const [rel, body] of expected)
            expect(readFileSync(path.join(destination, rel), 'utf8')).toBe(body);
          expect(readdirSync(destination, { recursive: true }).length).toBe(TREE_FILES + 1);
          expect(tempsBelow(root)).toEqual([]);
        } finally {
          await next.close();
        }
      }
      expect(killedMidCopy).toBeGreaterThan(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('hand-made temp names', () => {
  let root: string;
  let readOnly: string;
  let server: StartedServer;
  const at = (...parts: string[]): string => path.join(root, ...parts);
  const dead = deadPid();
  const hourAndAHalfAgo = new Date(Date.now() - 90 * 60 * 1000);
  const names = {
    deadOwner: tempNameOwnedBy('a.txt', dead),
    deadOwnerDir: tempNameOwnedBy('tree', dead),
    // Owned by a live process of this host (this test runner): another server mid-write.
    liveOwner: tempNameOwnedBy('b.txt', process.pid),
    liveOwnerOld: tempNameOwnedBy('c.txt', process.pid),
    legacyFresh: '.d.txt.bastion-0123456789abcdef.tmp',
    legacyOld: '.e.txt.bastion-fedcba9876543210.tmp',
    link: tempNameOwnedBy('link', dead),
  };
  // User files that merely look like temps: never hidden, never removed.
  const lookalikes = [
    '.notes.bastion-draft.tmp',
    'f.txt.bastion-0123456789abcdef.tmp',
    '.g.txt.bastion-0123456789abcdef.tmp.bak',
    '.h.txt.bastion-0123456789ABCDEF.tmp',
  ];

  beforeAll(async () => {
    root = makeTempDir();
    readOnly = makeTempDir('bastion-ro-');
    mkdirSync(at('sub'));
    writeFileSync(at('sub', names.deadOwner), 'LEFTOVER dead owner');
    mkdirSync(at('sub', names.deadOwnerDir, 'inner'), { recursive: true });
    writeFileSync(at('sub', names.deadOwnerDir, 'inner', 'x.txt'), 'LEFTOVER staged');
    writeFileSync(at(names.liveOwner), 'LEFTOVER live owner');
    writeFileSync(at(names.liveOwnerOld), 'LEFTOVER live owner, old');
    utimesSync(at(names.liveOwnerOld), hourAndAHalfAgo, hourAndAHalfAgo);
    writeFileSync(at(names.legacyFresh), 'LEFTOVER legacy fresh');
    writeFileSync(at(names.legacyOld), 'LEFTOVER legacy old');
    utimesSync(at(names.legacyOld), hourAndAHalfAgo, hourAndAHalfAgo);
    symlinkSync(path.join(outside, 'canary.txt'), at(names.link));
    for (const name of lookalikes) writeFileSync(at(name), `lookalike ${name}`);
    writeFileSync(path.join(readOnly, names.deadOwner), 'LEFTOVER read-only root');
    server = await startSwept([root], [readOnly]);
  });

  afterAll(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(readOnly, { recursive: true, force: true });
  });

  it('[FS-TEMP-04] the start sweep removes only stale Bastion temps, never live ones, links, look-alikes or read-only roots', () => {
    expect(existsSync(at('sub', names.deadOwner))).toBe(false);
    expect(existsSync(at('sub', names.deadOwnerDir))).toBe(false);
    expect(existsSync(at(names.legacyOld))).toBe(false);
    expect(existsSync(at(names.liveOwnerOld))).toBe(false);
    // A live writer's fresh temp (another server on the same root) is kept.
    expect(readFileSync(at(names.liveOwner), 'utf8')).toBe('LEFTOVER live owner');
    expect(readFileSync(at(names.legacyFresh), 'utf8')).toBe('LEFTOVER legacy fresh');
    // A link named like a temp is neither followed nor removed; its target is untouched.
    expect(lstatSync(at(names.link)).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(outside, 'canary.txt'), 'utf8')).toBe(CANARY);
    for (const name of lookalikes) expect(existsSync(at(name)), name).toBe(true);
    expect(existsSync(path.join(readOnly, names.deadOwner))).toBe(true);
    // The removals are audited: they changed the user's folders.
    const audit = readFileSync(path.join(home, 'logs', 'audit.jsonl'), 'utf8');
    expect(audit).toContain('"tool":"sweep_stale_temps"');
  });

  it('[FS-TEMP-03] listings, searches and get_file_info never show temp names; look-alikes stay visible', async () => {
    const listed = await everythingListed(server, root);
    for (const name of Object.values(names)) expect(listed).not.toContain(name);
    expect(listed).not.toContain(`.bastion-${hostTag()}`);
    expect(listed).not.toContain('LEFTOVER');
    expect(listed).not.toContain(CANARY);
    const plain = await server.client.callTool({
      name: 'list_directory',
      arguments: { path: root },
    });
    for (const name of lookalikes) expect(textOf(plain)).toContain(name);
    for (const name of [names.liveOwner, names.legacyFresh, names.link]) {
      const info = await server.client.callTool({
        name: 'get_file_info',
        arguments: { path: path.join(root, name) },
      });
      expect(info.isError).toBe(true);
      expect(JSON.stringify(info)).not.toContain('"size"');
    }
    expect(await everythingListed(server, readOnly)).not.toContain(names.deadOwner);
  });

  it('[FS-TEMP-03] a temp named exactly cannot be read, overwritten, moved, copied or deleted', async () => {
    const name = names.liveOwner;
    const file = path.join(root, name);
    // Other spellings: a file: URI escaping every character of the name (so the raw text holds
    // no '.bastion-'), and a `..` detour.
    const escaped = [...name].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
    const calls = [
      { name: 'read_text_file', arguments: { path: file } },
      { name: 'read_text_file', arguments: { path: `file://${root}/${escaped.join('')}` } },
      { name: 'read_text_file', arguments: { path: path.join(root, 'x', '..', name) } },
      { name: 'get_file_info', arguments: { path: `file://${root}/${escaped.join('')}` } },
      { name: 'read_multiple_files', arguments: { paths: [file] } },
      { name: 'write_file', arguments: { path: file, content: 'clobbered' } },
      {
        name: 'edit_file',
        arguments: { path: file, edits: [{ oldText: 'LEFTOVER', newText: 'x' }] },
      },
      { name: 'move_file', arguments: { source: file, destination: path.join(root, 'moved.txt') } },
      {
        name: 'copy_file',
        arguments: { source: file, destination: path.join(root, 'copied.txt') },
      },
      { name: 'delete_path', arguments: { path: file } },
      { name: 'list_directory', arguments: { path: path.join(root, name, '..', name) } },
    ];
    for (const call of calls) {
      const res = await server.client.callTool(call);
      expect(JSON.stringify(res), call.name).not.toContain('LEFTOVER');
    }
    expect(readFileSync(file, 'utf8')).toBe('LEFTOVER live owner');
    expect(existsSync(path.join(root, 'moved.txt'))).toBe(false);
    expect(existsSync(path.join(root, 'copied.txt'))).toBe(false);
  });

  it('[FS-TEMP-01] a write sweeps the stale temp files of its folder', async () => {
    const stale = tempNameOwnedBy('later.txt', dead);
    mkdirSync(at('later'));
    writeFileSync(at('later', stale), 'LEFTOVER after start');
    const write = await server.client.callTool({
      name: 'write_file',
      arguments: { path: path.join(root, 'later', 'new.txt'), content: 'new' },
    });
    expect(write.isError, textOf(write)).toBeFalsy();
    expect(readdirSync(at('later'))).toEqual(['new.txt']);
  });

  it('[FS-TEMP-02] copy_file of a tree holding a temp does not copy it', async () => {
    mkdirSync(at('tree-src'));
    writeFileSync(at('tree-src', 'keep.txt'), 'keep');
    writeFileSync(at('tree-src', tempNameOwnedBy('keep.txt', process.pid)), 'LEFTOVER in tree');
    const copy = await server.client.callTool({
      name: 'copy_file',
      arguments: { source: at('tree-src'), destination: at('tree-dst'), recursive: true },
    });
    expect(copy.isError, textOf(copy)).toBeFalsy();
    expect(readdirSync(at('tree-dst'))).toEqual(['keep.txt']);
    expect(readdirSync(root).filter((n) => n.startsWith('.tree-dst.'))).toEqual([]);
  });
});

describe('[FS-TEMP-03] spellings that reach a temp through links and roots', () => {
  const tempFile = '.x.bastion-0123456789abcdef.tmp';
  const tempDir = '.d.bastion-fedcba9876543210.tmp';
  let root: string;
  let server: InProcessServer;

  beforeAll(async () => {
    root = makeTempDir('bastion-temp-links-');
    writeFileSync(path.join(root, tempFile), 'LEFTOVER file');
    mkdirSync(path.join(root, tempDir, 'in'), { recursive: true });
    writeFileSync(path.join(root, tempDir, 'f.txt'), 'LEFTOVER in folder');
    symlinkSync(tempFile, path.join(root, 'link'));
    symlinkSync(tempDir, path.join(root, 'dlink'));
    // The client's first root lies inside a temp folder, so `..` from it climbs into the temp.
    server = await startInProcess({
      roots: [root],
      capabilities: { roots: {} },
      setup: (client) =>
        client.setRequestHandler('roots/list', () => ({
          roots: [
            { uri: pathToFileURL(path.join(root, tempDir, 'in')).href },
            { uri: pathToFileURL(root).href },
          ],
        })),
    });
  });

  afterAll(async () => {
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('reads, lists and searches find nothing of a temp, whatever the spelling', async () => {
    const calls: [string, Record<string, unknown>][] = [
      ['read_text_file', { path: path.join(root, 'link') }],
      ['read_text_file', { path: path.join(root, 'dlink', 'f.txt') }],
      ['read_text_file', { path: '../f.txt' }],
      ['read_multiple_files', { paths: [path.join(root, 'link'), '../f.txt'] }],
      ['read_media_file', { path: path.join(root, 'link') }],
      [
        'edit_file',
        { path: '../f.txt', edits: [{ oldText: 'LEFTOVER', newText: 'x' }], dryRun: true },
      ],
      ['list_directory', { path: path.join(root, 'dlink') }],
      ['list_directory', { path: '..' }],
      ['directory_tree', { path: path.join(root, 'dlink') }],
      ['search_file_contents', { path: path.join(root, 'dlink'), pattern: 'LEFTOVER' }],
      ['copy_file', { source: path.join(root, 'link'), destination: path.join(root, 'copy.txt') }],
    ];
    for (const [name, args] of calls) {
      const answer = JSON.stringify(await server.call(name, args));
      expect(answer, `${name} ${JSON.stringify(args)}`).not.toContain('LEFTOVER');
      // A listing names no entry of the temp folder (a read may echo the path it was given).
      if (!JSON.stringify(args).includes('f.txt'))
        expect(answer, `${name} ${JSON.stringify(args)}`).not.toContain('f.txt');
    }
    expect(existsSync(path.join(root, 'copy.txt'))).toBe(false);
    expect(readFileSync(path.join(root, tempDir, 'f.txt'), 'utf8')).toBe('LEFTOVER in folder');
  });
});
