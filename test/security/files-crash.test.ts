import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../helpers/mcp-client.js';
import { makeTempDir } from '../integration/files-harness.js';

// Large enough that the write takes a while; the SDK stdio transport caps a message at 10 MB and
// buffers big messages slowly (quadratic concatenation), so stay well below that.
const NEW_BYTES = 3 * 1024 * 1024;
const MAX_ATTEMPTS = 6;
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
    // Retry (bounded) until one kill lands while the temp file exists; every attempt is checked.
    for (let attempt = 0; attempt < MAX_ATTEMPTS && killedWhileTempExisted === 0; attempt += 1) {
      const old = `old content ${attempt}\n`.repeat(1000);
      writeFileSync(target, old);
      const server = await startServer({ server: 'files', args: ['--root', root, '--home', home] });
      let settled = false;
      const call = server.client
        .callTool({ name: 'write_file', arguments: { path: 'target.txt', content: fresh } })
        .catch(() => undefined)
        .finally(() => {
          settled = true;
        });
      // Kill as soon as the temp file appears (the write is under way); stop polling if it finished.
      let sawTemp = false;
      for (let polls = 0; polls < POLL_LIMIT && !sawTemp && !settled; polls += 1) {
        sawTemp = readdirSync(root).some(
          (name) => name.startsWith('.target.txt.') && name.endsWith('.tmp'),
        );
        if (!sawTemp) await tick();
      }
      try {
        process.kill(server.pid, 'SIGKILL');
      } catch {
        // Already gone: the answer came back first; the content check below still applies.
      }
      await call;
      await server.close().catch(() => undefined);
      if (sawTemp) killedWhileTempExisted += 1;
      const after = readFileSync(target, 'utf8');
      expect(after === old || after === fresh, `attempt ${attempt}: ${after.length} bytes`).toBe(
        true,
      );
      for (const name of readdirSync(root))
        if (name.endsWith('.tmp')) rmSync(path.join(root, name));
    }
    expect(killedWhileTempExisted).toBeGreaterThan(0);
  });
});
