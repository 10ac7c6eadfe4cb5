// `npm run bench`: Bastion's files and shell servers side by side with the official filesystem
// server, Desktop Commander and command-line floors; history on vs off; the hub against a bare SDK
// HTTP server. Usage: node bench/run.mjs [--quick] [--only files|history|shell|audit|hub]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureData } from './data.mjs';
import { runAuditWorkload } from './audit-workload.mjs';
import { runFilesWorkload } from './files-workload.mjs';
import { runHubWorkload } from './hub-workload.mjs';
import { runHistoryWorkload } from './files-history.mjs';
import { ENTRY, serverSpecs } from './servers.mjs';
import { runShellWorkload } from './shell-workload.mjs';
import { withTimeout } from './stats.mjs';
import { machineInfo, renderMarkdown } from './table.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA_DIR = path.join(REPO_ROOT, 'bench', '.data');
const RESULTS_FILE = path.join(REPO_ROOT, 'bench', 'results', 'latest.json');
// Whole-workload ceilings: each row has its own budget; these only stop a runaway.
const WORKLOAD_TIMEOUT_MS = {
  files: 12 * 60_000,
  history: 6 * 60_000,
  shell: 6 * 60_000,
  audit: 5 * 60_000,
  hub: 6 * 60_000,
};

function log(message) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function parseCli() {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } },
  });
  if (values.only && !['files', 'history', 'shell', 'audit', 'hub'].includes(values.only)) {
    throw new Error(`--only: expected files, history, shell, audit or hub, got ${values.only}`);
  }
  return { quick: values.quick, only: values.only ?? null };
}

function prepareData(mode) {
  log(`data: ensuring ${mode} data set under ${path.relative(REPO_ROOT, DATA_DIR)}/${mode}`);
  const data = ensureData(DATA_DIR, mode);
  log(
    data.reused ? 'data: reused' : `data: generated in ${(data.generatedMs / 1000).toFixed(1)} s`,
  );
  return data;
}

async function main() {
  const { quick, only } = parseCli();
  for (const [name, entry] of Object.entries(ENTRY)) {
    if (!existsSync(path.join(REPO_ROOT, entry)))
      log(`warning: ${name} entry point ${entry} is missing; its cells will be n/a`);
  }
  const mode = quick ? 'quick' : 'full';
  // The audit and hub workloads make their own small files; files, history and shell need the data set.
  const needsData = only === null || only === 'files' || only === 'history' || only === 'shell';
  const data = needsData ? prepareData(mode) : null;
  const specs =
    data &&
    serverSpecs({
      repoRoot: REPO_ROOT,
      workDir: path.join(DATA_DIR, `run-${mode}`),
      dataRoot: data.paths.root,
      smallRoot: data.paths.smallRoot,
    });

  const loadAtStart = os.loadavg();
  const started = performance.now();
  const rows = [];
  const workloads = [
    ['files', () => runFilesWorkload({ specs, data, quick, log })],
    ['history', () => runHistoryWorkload({ specs, data, quick, log })],
    ['shell', () => runShellWorkload({ specs, data, quick, log })],
    ['audit', () => runAuditWorkload({ repoRoot: REPO_ROOT, quick, log })],
    [
      'hub',
      () =>
        runHubWorkload({
          repoRoot: REPO_ROOT,
          workDir: path.join(DATA_DIR, `run-${mode}`, 'hub'),
          quick,
          log,
        }),
    ],
  ];
  for (const [name, run] of workloads) {
    if (only && only !== name) continue;
    try {
      rows.push(...(await withTimeout(run(), WORKLOAD_TIMEOUT_MS[name], `${name} workload`)));
    } catch (err) {
      log(`${name} workload failed: ${err.message}`);
    }
  }
  const { paths, ...counts } = data ?? {};
  const results = {
    machine: machineInfo(loadAtStart),
    quick,
    only,
    data: data && { ...counts, root: path.relative(REPO_ROOT, paths.root) },
    durationMs: Math.round(performance.now() - started),
    rows,
  };
  mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(renderMarkdown(results) + '\n');
  log(
    `done in ${(results.durationMs / 1000).toFixed(0)} s; results in ${path.relative(REPO_ROOT, RESULTS_FILE)}`,
  );
}

main().then(
  // Stray server children or timers must not keep the bench alive.
  () => process.exit(0),
  (err) => {
    log(`failed: ${err.stack ?? err}`);
    process.exit(1);
  },
);
