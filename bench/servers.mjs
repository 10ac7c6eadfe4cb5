import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
// Desktop Commander's config module, for its default settings only (nothing is read or written).
import { configManager as dcConfigManager } from '@wonderwhy-er/desktop-commander/dist/config-manager.js';

// Where each server's entry point lives, relative to the repo root.
export const ENTRY = {
  bastion: 'dist/cli/main.js',
  official: 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js',
  desktopCommander: 'node_modules/@wonderwhy-er/desktop-commander/dist/index.js',
  bare: 'bench/bare-files-server.mjs',
};

// A plain system PATH for every server: version-manager shims (pyenv, nvm) on the bench machine's
// PATH would slow down servers that probe tools (Desktop Commander runs `python3 --version`).
export const BENCH_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const BASE_ENV = { PATH: BENCH_PATH, LANG: 'C.UTF-8' };

// Bastion's settings for the bench: the data root, limits big enough that Bastion does the same work
// as the official server (no truncation), and the audit log kept under the bench work dir.
function writeBastionConfig(workDir, dataRoot, { history = true, stagingDir } = {}) {
  const file = path.join(
    workDir,
    !history
      ? 'bastion-settings-no-history.json'
      : stagingDir
        ? 'bastion-settings-tmpfs-staging.json'
        : 'bastion-settings.json',
  );
  // A fresh audit log and history per run, so runs do not depend on what earlier ones appended.
  rmSync(path.join(workDir, 'audit'), { recursive: true, force: true });
  rmSync(path.join(workDir, 'history'), { recursive: true, force: true });
  const settings = {
    bastion: {
      roots: [{ path: dataRoot }],
      limits: {
        maxListEntries: 20_000,
        maxTreeEntries: 200_000,
        maxSearchResults: 200_000,
      },
      audit: { dir: path.join(workDir, 'audit') },
      // The history store under the work dir (outside the data root); off for the "history off" side.
      history: {
        enabled: history,
        dir: path.join(workDir, 'history'),
        // The history of commands is off by default; the shell rows measure it on.
        commands: history,
        ...(stagingDir ? { stagingDir } : {}),
      },
    },
  };
  writeFileSync(file, JSON.stringify(settings, null, 2));
  return file;
}

// Desktop Commander keeps its config under $HOME/.claude-server-commander; we give it a private
// HOME so the bench never touches the user's config, and make it stay on this machine:
// - telemetry off (config + DESKTOP_COMMANDER_DISABLE_TELEMETRY),
// - feature flags fetched from a closed loopback port (refused at once instead of a 3 s timeout),
// - a placeholder in its Puppeteer cache, so its startup Chrome check finds a "browser" and does
//   not try to download Chrome for PDF export in the background,
// - onboarding off, /bin/sh as the default shell, the data root as its allowed directory.
function prepareDesktopCommanderHome(workDir, dataRoot) {
  const home = path.join(workDir, 'dc-home');
  const configDir = path.join(home, '.claude-server-commander');
  const chromeDir = path.join(
    configDir,
    'puppeteer-cache',
    'chrome',
    'linux-bench',
    'chrome-linux64',
  );
  mkdirSync(chromeDir, { recursive: true });
  writeFileSync(path.join(chromeDir, 'chrome'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  const config = {
    // Its own defaults (blocked commands, line limits), with the bench's changes below.
    ...dcConfigManager.getDefaultConfig(),
    defaultShell: '/bin/sh',
    allowedDirectories: [dataRoot],
    telemetryEnabled: false,
    pendingWelcomeOnboarding: false,
    welcomeOnboardingEligible: false,
  };
  writeFileSync(path.join(configDir, 'config.json'), JSON.stringify(config, null, 2));
  return home;
}

// Launch specs for every server in the bench, all started with this Node binary.
export function serverSpecs({ repoRoot, workDir, dataRoot, smallRoot }) {
  mkdirSync(workDir, { recursive: true });
  const bastionConfig = writeBastionConfig(workDir, dataRoot);
  const noHistoryConfig = writeBastionConfig(workDir, dataRoot, { history: false });
  // Commands' writes staged on a tmpfs instead of the history dir's disk (bench/shell-history.mjs).
  const tmpfsStagingConfig = writeBastionConfig(workDir, dataRoot, {
    stagingDir: '/dev/shm/bastion-bench-staging',
  });
  const dcHome = prepareDesktopCommanderHome(workDir, dataRoot);
  const node = process.execPath;
  const bastion = (
    server,
    root = dataRoot,
    label = `bastion-${server}`,
    config = bastionConfig,
  ) => ({
    label,
    command: node,
    args: [
      path.join(repoRoot, ENTRY.bastion),
      'serve',
      server,
      '--home',
      workDir,
      '--config',
      config,
      '--root',
      root,
    ],
    env: { ...BASE_ENV, HOME: workDir },
    cwd: workDir,
  });
  return {
    bastionFiles: bastion('files'),
    bastionFilesNoHistory: bastion(
      'files',
      dataRoot,
      'bastion-files (history off)',
      noHistoryConfig,
    ),
    bastionShell: bastion('shell'),
    bastionShellSmall: bastion('shell', smallRoot, 'bastion-shell (small root)'),
    bastionShellHistory: bastion('shell', smallRoot, 'bastion-shell (history on)'),
    bastionShellHistoryTmpfs: bastion(
      'shell',
      smallRoot,
      'bastion-shell (history on, staging on tmpfs)',
      tmpfsStagingConfig,
    ),
    bastionShellNoHistory: bastion(
      'shell',
      smallRoot,
      'bastion-shell (history off)',
      noHistoryConfig,
    ),
    official: {
      label: 'official-filesystem',
      command: node,
      args: [path.join(repoRoot, ENTRY.official), dataRoot],
      env: { ...BASE_ENV, HOME: workDir },
      cwd: workDir,
    },
    // The floor for MCP files tools: the SDK's McpServer with plain fs calls (bare-files-server.mjs).
    bareFiles: {
      label: 'bare-sdk-files',
      command: node,
      args: [path.join(repoRoot, ENTRY.bare), dataRoot],
      env: { ...BASE_ENV, HOME: workDir },
      cwd: workDir,
    },
    desktopCommander: {
      label: 'desktop-commander',
      command: node,
      args: [path.join(repoRoot, ENTRY.desktopCommander), '--no-onboarding'],
      env: {
        ...BASE_ENV,
        HOME: dcHome,
        SHELL: '/bin/sh',
        DESKTOP_COMMANDER_DISABLE_TELEMETRY: '1',
        DC_FLAG_URL: 'http://127.0.0.1:9/flags.json',
      },
      cwd: dataRoot,
    },
  };
}
