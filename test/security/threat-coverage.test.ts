import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/mcp-client.js';

interface Threat {
  id: string;
  description: string;
}

const REQUIREMENTS_DIR = path.join(REPO_ROOT, 'test/security/requirements');

function listTestFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.test.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

async function loadThreats(): Promise<Threat[]> {
  const threats: Threat[] = [];
  for (const file of readdirSync(REQUIREMENTS_DIR).filter((f) => f.endsWith('.ts'))) {
    const mod = (await import(pathToFileURL(path.join(REQUIREMENTS_DIR, file)).href)) as Record<
      string,
      unknown
    >;
    for (const value of Object.values(mod)) {
      if (Array.isArray(value)) threats.push(...(value as Threat[]));
    }
  }
  return threats;
}

// The threat manifest is the contract: every listed threat has at least one test naming its id.
describe('security threat manifest', () => {
  it('lists threats with unique ids and descriptions', async () => {
    const threats = await loadThreats();
    expect(threats.length).toBeGreaterThan(0);
    const ids = threats.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const t of threats) expect(t.description.length, t.id).toBeGreaterThan(10);
  });

  it('has a test for every threat id', async () => {
    const threats = await loadThreats();
    const sources = [
      ...listTestFiles(path.join(REPO_ROOT, 'test')),
      ...listTestFiles(path.join(REPO_ROOT, 'src')),
    ]
      .filter((f) => !f.endsWith('threat-coverage.test.ts'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const untested = threats.filter((t) => !sources.includes(`[${t.id}]`)).map((t) => t.id);
    expect(untested).toEqual([]);
  });
});
