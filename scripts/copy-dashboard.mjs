// Copy the dashboard page's script modules, style sheet and icon into dist/dashboard/assets/, beside the
// compiled module that serves them (the hub reads them from there at start).
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const from = new URL('../src/dashboard/assets/', import.meta.url);
const to = new URL('../dist/dashboard/assets/', import.meta.url);
mkdirSync(fileURLToPath(to), { recursive: true });
for (const name of readdirSync(fileURLToPath(from)))
  copyFileSync(fileURLToPath(new URL(name, from)), fileURLToPath(new URL(name, to)));
