import { describe, expect, it } from 'vitest';
import { mayHoldSecret, scanForSecrets } from './secret-scan.js';

describe("secretlint's recommended preset over audit values", () => {
  it('masks token shapes only the maintained rules know, deep in a value', async () => {
    const sendgrid = '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';
    const conn = 'postgres://app:n0t-a-real-pw@db.internal/prod';
    const out = await scanForSecrets({ a: [`key ${sendgrid} end`], b: { c: `psql ${conn}` } });
    const text = JSON.stringify(out);
    expect(text).not.toContain(sendgrid);
    expect(text).not.toContain('n0t-a-real-pw');
    expect(text).toContain('key [REDACTED] end');
  });

  it('lets text with none of the rules’ keywords skip the rule set unchanged', async () => {
    const plain = { path: '/home/user/project/src/index.ts', content: 'export const x = 1;\n' };
    expect(mayHoldSecret(plain.path)).toBe(false);
    expect(mayHoldSecret(plain.content)).toBe(false);
    expect(await scanForSecrets(plain)).toEqual(plain);
  });
});
