import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../helpers/mcp-client.js';
import { makeTempDir } from '../integration/files-harness.js';

const NEW_BYTES = 30 * 1024 * 1024;
const ATTEMPTS = 3;
const POLL_LIMIT = 20_000;

let root: string;
let home: string;

beforeAll(() => {
  root = makeTempDir();
  home = makeTempDir('bastion-home-');
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

describe('crash during write_file', () => {
  it('[FS-ATOMIC-01] SIGKILL mid-write leaves the old or the new content, never a torn file', async () => {
    const target = path.join(root, 'target.txt');
    const fresh = 'B'.repeat(NEW_BYTES);
    let killedWhileTempExisted = 0;
    for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
      const old = `old content ${attempt}\n`.repeat(1000);
      writeFileSync(target, old);
      const server = await startServer({ server: 'files', args: ['--root', root, '--home', home] });
      const call = server.client.callTool({ name: 'write_file', arguments: { path: 'target.txt', content: fresh } }).catch(() => undefined);
      // Kill as soon as the temp file appears (the write is under way), or after a bounded wait.
      let sawTemp = false;
      for (let polls = 0; polls < POLL_LIMIT && !sawTemp; polls += 1) {
        sawTemp = readdirSync(root).some((name) => name.startsWith('.target.txt.') && name.endsWith('.tmp'));
        if (!sawTemp) await tick();
      }
      process.kill(server.pid, 'SIGKILL');
      await call;
      await server.close().catch(() => undefined);
      if (sawTemp) killedWhileTempExisted += 1;
      const after = readFileSync(target, 'utf8');
      expect(after === old || after === fresh, `attempt ${attempt}: ${after.length} bytes`).toBe(true);
      for (const name of readdirSync(root)) if (name.endsWith('.tmp')) rmSync(path.join(root, name));
    }
    expect(killedWhileTempExisted).toBeGreaterThan(0);
  });
});
