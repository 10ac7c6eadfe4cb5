import { execFile } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, textOf } from '../helpers/mcp-client.js';

// The package as a user gets it: `npm pack` of the built tree, `npm install -g` of the tarball into
// a fresh prefix, then the installed `bastion` command with a fresh HOME and no XDG variables.
const execFileAsync = promisify(execFile);
const INSTALL_TIMEOUT_MS = 240_000;

let tmp: string;
let prefix: string;
let home: string;
let cwd: string;
let bastion: string;
let packedFiles: string[];
let prefixBefore: Map<string, string>;

// Every entry under `dir` with its type, size and mtime: any write shows up as a difference.
function snapshot(dir: string, into = new Map<string, string>()): Map<string, string> {
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    const st = lstatSync(file);
    into.set(file, `${st.mode}:${st.size}:${st.mtimeMs}`);
    if (st.isDirectory()) snapshot(file, into);
  }
  return into;
}

// The environment of a person who installed Bastion: PATH has the prefix's bin, nothing else set.
function userEnv(pathDirs: string[] = [path.join(prefix, 'bin'), process.env.PATH ?? '']) {
  return { PATH: pathDirs.join(path.delimiter), HOME: home };
}

async function runBastion(args: string[], env = userEnv()) {
  try {
    const { stdout, stderr } = await execFileAsync(bastion, args, { cwd, env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function connect(server: 'files' | 'shell'): Promise<Client> {
  const transport = new StdioClientTransport({
    command: bastion,
    args: ['serve', server],
    env: userEnv(),
    cwd,
    stderr: 'pipe',
  });
  const client = new Client({ name: 'bastion-package-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

function modeOf(file: string): number {
  return statSync(file).mode & 0o777;
}

function packageJsons(dir: string, found: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (lstatSync(file).isDirectory()) packageJsons(file, found);
    else if (name === 'package.json') found.push(file);
  }
  return found;
}

beforeAll(async () => {
  tmp = realpathSync(mkdtempSync(path.join(tmpdir(), 'bastion-pkg-')));
  prefix = path.join(tmp, 'prefix');
  home = path.join(tmp, 'home');
  cwd = path.join(tmp, 'cwd');
  for (const dir of [prefix, home, cwd]) mkdirSync(dir);
  // `npm test` has just built dist/; --ignore-scripts skips prepack's second build.
  const { stdout } = await execFileAsync(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp],
    { cwd: REPO_ROOT, timeout: INSTALL_TIMEOUT_MS },
  );
  const [packed] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
  packedFiles = packed.files.map((f) => f.path);
  // Bounded: the dependencies come from the npm cache `npm ci` just filled, the registry only
  // for what is missing there.
  await execFileAsync(
    'npm',
    [
      'install',
      '--global',
      '--prefix',
      prefix,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--no-update-notifier',
      path.join(tmp, packed.filename),
    ],
    { cwd: tmp, timeout: INSTALL_TIMEOUT_MS },
  );
  bastion = path.join(prefix, 'bin', 'bastion');
  prefixBefore = snapshot(prefix);
}, INSTALL_TIMEOUT_MS * 2);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('packs only what Bastion runs: no tests, bench, sources, source maps or compiled launcher', () => {
    expect(packedFiles).toContain('dist/cli/main.js');
    expect(packedFiles).toContain('dist/grammars/tree-sitter-bash.wasm');
    // The dashboard's page assets, served by the hub from beside its compiled module.
    for (const asset of ['dashboard.js', 'chart.js', 'dashboard.css', 'favicon.svg'])
      expect(packedFiles).toContain(`dist/dashboard/assets/${asset}`);
    expect(packedFiles).toContain('config/mcp_settings.json.template');
    // The launcher's source, for `bastion build-launcher`; never a binary built on the packer's machine.
    expect(packedFiles.filter((f) => f.startsWith('native/'))).toEqual([
      'native/exec-guard.c',
      'native/launcher.c',
    ]);
    const unwanted = packedFiles.filter(
      (f) =>
        /^(src|test|bench|scripts|\.ci)\//.test(f) ||
        /\.test\.|\.map$/.test(f) ||
        f.startsWith('dist/native/'),
    );
    expect(unwanted).toEqual([]);
  });

  it('installs only runtime dependencies, none of which has an install script', () => {
    const installed = path.join(prefix, 'lib', 'node_modules', 'bastion-mcp');
    const dev = Object.keys(
      (
        JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
          devDependencies: Record<string, string>;
        }
      ).devDependencies,
    );
    const present = dev.filter((name) => existsSync(path.join(installed, 'node_modules', name)));
    expect(present).toEqual([]);
    const withScripts = packageJsons(path.join(installed, 'node_modules')).filter((file) => {
      const scripts = (JSON.parse(readFileSync(file, 'utf8')) as { scripts?: object }).scripts;
      return scripts && ['preinstall', 'install', 'postinstall'].some((s) => s in scripts);
    });
    expect(withScripts).toEqual([]);
  });

  it('init, doctor and both servers keep config and state in the XDG dirs, never the prefix', async () => {
    const init = await runBastion(['init']);
    expect(init.code, init.stderr).toBe(0);
    const configDir = path.join(home, '.config', 'bastion');
    const configFile = path.join(configDir, 'mcp_settings.json');
    const stateDir = path.join(home, '.local', 'state', 'bastion');
    const workspace = path.join(home, '.local', 'share', 'bastion', 'workspace');
    expect(init.stdout).toContain(`config   ${configFile} (written)`);
    expect(init.stdout).toContain(`state    ${stateDir}`);
    expect(init.stdout).toContain('claude mcp add bastion-files -- npx -y bastion-mcp serve files');
    expect(modeOf(configFile)).toBe(0o600);
    expect(modeOf(configDir)).toBe(0o700);
    expect(modeOf(stateDir)).toBe(0o700);
    const settings = JSON.parse(readFileSync(configFile, 'utf8')) as {
      mcpServers: Record<string, { command: string; args: string[] }>;
      bastion: { roots: { path: string }[] };
    };
    expect(settings.mcpServers['bastion-shell']).toEqual({
      command: 'npx',
      args: ['-y', 'bastion-mcp', 'serve', 'shell'],
    });
    expect(settings.bastion.roots.map((r) => r.path)).toEqual([workspace]);

    const doctor = await runBastion(['doctor', '--skip-npm-audit']);
    expect(doctor.stdout).toContain(`config ${configFile}; state in ${stateDir}`);
    expect(doctor.stdout).toMatch(/\[WARN\] launcher: not built .*`bastion build-launcher`/);
    expect(doctor.stdout).toMatch(/\[WARN\] exec rules: .*`bastion build-launcher`/);
    expect(doctor.code, doctor.stdout).toBe(0);

    // The launcher is compiled into the state dir with the system compiler, then used.
    const built = await runBastion(['build-launcher']);
    expect(built.code, built.stderr).toBe(0);
    const launcher = path.join(stateDir, 'bin', 'bastion-launcher');
    expect(modeOf(launcher)).toBe(0o700);
    const doctorAgain = await runBastion(['doctor', '--skip-npm-audit']);
    expect(doctorAgain.stdout).toContain(`[ok  ] launcher: ${launcher} (started and answered)`);
    expect(modeOf(path.join(stateDir, 'bin', 'bastion-exec-guard'))).toBe(0o700);
    expect(doctorAgain.stdout).toMatch(/\[ok {2}\] exec rules: Landlock ABI \d+/);

    writeFileSync(path.join(workspace, 'hello.txt'), 'hello from the workspace\n');
    const files = await connect('files');
    try {
      const read = await files.callTool({
        name: 'read_text_file',
        arguments: { path: path.join(workspace, 'hello.txt') },
      });
      expect(textOf(read)).toContain('hello from the workspace');
    } finally {
      await files.close();
    }
    const shell = await connect('shell');
    try {
      const run = await shell.callTool({
        name: 'run_command',
        arguments: { command: 'cat hello.txt > copy.txt && echo done', cwd: workspace },
      });
      expect(textOf(run)).toContain('done');
    } finally {
      await shell.close();
    }
    expect(readFileSync(path.join(workspace, 'copy.txt'), 'utf8')).toBe(
      'hello from the workspace\n',
    );

    const audit = path.join(stateDir, 'logs', 'audit.jsonl');
    const tools = readFileSync(audit, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { tool?: string }).tool);
    expect(tools).toEqual(expect.arrayContaining(['read_text_file', 'run_command']));
    expect(modeOf(audit)).toBe(0o600);
    expect(modeOf(path.join(stateDir, 'logs'))).toBe(0o700);
    expect(readdirSync(cwd)).toEqual([]);
    expect(snapshot(prefix)).toEqual(prefixBefore);
  });

  it('without bubblewrap or ripgrep, doctor and the shell server say what to install', async () => {
    // A PATH holding only node and the installed command.
    const nodeOnly = path.join(tmp, 'node-only');
    mkdirSync(nodeOnly);
    symlinkSync(process.execPath, path.join(nodeOnly, 'node'));
    const env = userEnv([path.join(prefix, 'bin'), nodeOnly]);
    const doctor = await runBastion(['doctor', '--skip-npm-audit'], env);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/\[FAIL\] sandbox: .*sudo apt-get install -y bubblewrap/);
    expect(doctor.stdout).toMatch(/\[WARN\] ripgrep: .*sudo apt-get install -y ripgrep/);
    const serve = await runBastion(['serve', 'shell'], env);
    expect(serve.code).toBe(3);
    expect(serve.stderr).toContain('sudo apt-get install -y bubblewrap');
    expect(snapshot(prefix)).toEqual(prefixBefore);
  });
});
