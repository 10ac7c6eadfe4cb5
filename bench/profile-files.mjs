#!/usr/bin/env node
// Drive one Bastion files server through the calls of one bench row, for a CPU profile of the
// server: node bench/profile-files.mjs <list|write|read|start> <data-root> <work-dir> [calls]
// [--history off] [--node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"]. The data root needs
// wide/ (the folder to list) and small-1k.txt; writes go to <data-root>/profile-writes/.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { serverSpecs } from './servers.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { history: { type: 'string', default: 'on' }, 'node-args': { type: 'string' } },
});
const [row, dataRoot, workDir, rawCalls] = positionals;
if (!row || !dataRoot || !workDir) throw new Error('usage: profile-files.mjs <row> <data> <work>');
const calls = Number(rawCalls ?? 200);
const specs = serverSpecs({ repoRoot: REPO_ROOT, workDir, dataRoot, smallRoot: dataRoot });
const spec = process.env.BENCH_SPEC
  ? specs[process.env.BENCH_SPEC]
  : values.history === 'off'
    ? specs.bastionFilesNoHistory
    : specs.bastionFiles;
const nodeArgs = values['node-args']?.split(' ').filter(Boolean) ?? [];
const transport = new StdioClientTransport({
  command: spec.command,
  args: [...nodeArgs, ...spec.args],
  env: spec.env,
  cwd: spec.cwd,
  stderr: 'inherit',
});
const client = new Client({ name: 'profile', version: '1.0.0' }, { capabilities: {} });
const started = performance.now();
await client.connect(transport);
await client.listTools();
const startMs = performance.now() - started;
const call = async (name, args) => {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(JSON.stringify(result.content));
  return result;
};
const writeDir = path.join(dataRoot, 'profile-writes');
rmSync(writeDir, { recursive: true, force: true });
mkdirSync(writeDir);
const times = [];
for (let i = 0; i < calls && row !== 'start'; i++) {
  const t = performance.now();
  if (row === 'list') await call('list_directory', { path: path.join(dataRoot, 'wide') });
  else if (row === 'read')
    await call('read_text_file', { path: path.join(dataRoot, 'small-1k.txt') });
  else if (row === 'write')
    await call('write_file', {
      path: path.join(writeDir, 'w.txt'),
      content: `${i}\n${'w'.repeat(1020)}`,
    });
  else throw new Error(`unknown row ${row}`);
  times.push(performance.now() - t);
}
await client.close();
rmSync(writeDir, { recursive: true, force: true });
times.sort((a, b) => a - b);
const p50 = times[Math.floor(times.length / 2)];
process.stderr.write(
  `${row}: start ${startMs.toFixed(1)} ms, ${calls} calls, p50 ${p50?.toFixed(3)} ms\n`,
);
