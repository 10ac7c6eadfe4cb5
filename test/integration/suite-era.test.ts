import { afterAll, describe, expect, it } from 'vitest';
import { defaultEra } from '../helpers/mcp-client.js';
import { makeTempDir, startInProcess } from './files-harness.js';
import { makeShellDirs, removeShellDirs, startShell } from './shell-harness.js';

// The suite runs in the era $BASTION_TEST_ERA names (CI runs it in each): every harness must
// really open its connections in that era, or a whole pass would silently test the other one.
const expected = defaultEra() === 'modern' ? '2026-07-28' : /^2025-/;

describe(`the suite's era (${defaultEra()})`, () => {
  const shellDirs = makeShellDirs();
  afterAll(() => removeShellDirs(shellDirs));

  it('is the era of the in-process files server', async () => {
    const server = await startInProcess({ roots: [makeTempDir()] });
    try {
      expect(server.client.getNegotiatedProtocolVersion()).toMatch(expected);
    } finally {
      await server.close();
    }
  });

  it.each(['in-process', 'cli'] as const)('is the era of the %s shell server', async (mode) => {
    const server = await startShell(shellDirs, { mode });
    try {
      expect(server.client.getNegotiatedProtocolVersion()).toMatch(expected);
    } finally {
      await server.close();
    }
  });
});
