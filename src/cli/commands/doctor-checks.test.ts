import { describe, expect, it } from 'vitest';
import { interpretNpmAudit } from './doctor-checks.js';

describe('interpretNpmAudit', () => {
  it('fails on high or critical findings', () => {
    const report = {
      metadata: { vulnerabilities: { low: 1, moderate: 0, high: 2, critical: 0, total: 3 } },
    };
    expect(interpretNpmAudit(JSON.stringify(report)).status).toBe('fail');
  });

  it('passes a clean report and warns on low findings', () => {
    const clean = {
      metadata: { vulnerabilities: { low: 0, moderate: 0, high: 0, critical: 0, total: 0 } },
    };
    expect(interpretNpmAudit(JSON.stringify(clean)).status).toBe('ok');
    const low = {
      metadata: { vulnerabilities: { low: 1, moderate: 0, high: 0, critical: 0, total: 1 } },
    };
    expect(interpretNpmAudit(JSON.stringify(low))).toMatchObject({
      status: 'warn',
      detail: '1 known vulnerabilities in runtime dependencies',
    });
  });

  it('warns, naming the reason, when the registry has no audit endpoint or npm is offline', () => {
    const mirror = {
      message:
        '405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk',
      statusCode: 405,
    };
    expect(interpretNpmAudit(JSON.stringify(mirror))).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('405 Method Not Allowed'),
    });
    expect(interpretNpmAudit('').status).toBe('warn');
  });
});
