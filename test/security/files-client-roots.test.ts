import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { textOf } from '../integration/files-harness.js';
import { attack, createCanaryWorld, expectNoLeak, isRefused, pathAttacks } from './files-canary.js';

describe('MCP client roots', () => {
  const offers: [string, (d: { base: string; root: string; outside: string }) => string[]][] = [
    ['file:///', () => ['file:///']],
    ['/', () => ['/']],
    ['the outside dir', (d) => [`file://${d.outside}`]],
    ['the parent of the root', (d) => [`file://${d.base}`]],
    ['relative and bogus URIs', () => ['..', 'http://example.com/', 'file://evil-host/etc']],
  ];

  it.each(offers)(
    '[FS-ROOTS-01] a client offering %s cannot widen access',
    async (_label, clientRoots) => {
      const w = await createCanaryWorld({ clientRoots });
      try {
        const before = w.outsideSnapshot();
        for (const target of [
          path.join(w.outside, 'secret.txt'),
          '../secret.txt',
          path.join(w.sibling, 'secret.txt'),
        ]) {
          for (const [tool, args] of pathAttacks(target)) {
            const result = await attack(w, tool, args);
            expect(isRefused(tool, result), `${tool} ${target}`).toBe(true);
            expectNoLeak(w, result, target);
          }
        }
        const allowed = await attack(w, 'list_allowed_directories', {});
        expect(JSON.stringify(allowed.structuredContent)).not.toContain(w.outside);
        expect(JSON.stringify(allowed.structuredContent)).not.toContain(`"${w.base}"`);
        expect(w.outsideSnapshot()).toEqual(before);
      } finally {
        await w.close();
      }
    },
  );

  it('[FS-ROOTS-01] client roots narrow access, and a roots/list_changed cannot widen it again', async () => {
    const w = await createCanaryWorld({
      clientRoots: (d) => [`file://${d.root}/narrow`, `file://${d.outside}`],
    });
    try {
      expect(
        (await attack(w, 'read_text_file', { path: path.join(w.root, 'ok.txt') })).isError,
      ).toBe(true);
      expect(
        textOf(await attack(w, 'read_text_file', { path: path.join(w.root, 'narrow', 'n.txt') })),
      ).toBe('n\n');
      const allowed = await attack(w, 'list_allowed_directories', {});
      expect(allowed.structuredContent).toEqual({
        roots: [{ path: path.join(w.root, 'narrow'), mode: 'read-write' }],
      });
      await w.offerRoots(['file:///', `file://${w.outside}`]);
      const widened = await attack(w, 'read_text_file', {
        path: path.join(w.outside, 'secret.txt'),
      });
      expect(widened.isError).toBe(true);
      expectNoLeak(w, widened, path.join(w.outside, 'secret.txt'));
      expect(textOf(await attack(w, 'read_text_file', { path: path.join(w.root, 'ok.txt') }))).toBe(
        'hello\n',
      );
      await w.offerRoots([`file://${w.outside}`]);
      const none = await attack(w, 'read_text_file', { path: path.join(w.root, 'ok.txt') });
      expect(none.isError).toBe(true);
      expect(textOf(await attack(w, 'list_allowed_directories', {}))).toMatch(/none/);
    } finally {
      await w.close();
    }
  });
});
