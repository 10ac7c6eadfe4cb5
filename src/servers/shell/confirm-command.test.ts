import { describe, expect, it } from 'vitest';
import { displayCommand } from './confirm-command.js';

describe('displayCommand', () => {
  it('spells out newlines, terminal escapes and invisible characters', () => {
    expect(displayCommand('ls\n\n\nrm -rf ~')).toBe('"ls\\n\\n\\nrm -rf ~"');
    expect(displayCommand('echo \u001b[2Jok')).toBe('"echo \\u001b[2Jok"');
    expect(displayCommand('echo \u202egnp.exe')).toBe('"echo \\u202egnp.exe"');
    expect(displayCommand('a\u200bb\u007f')).toBe('"a\\u200bb\\u007f"');
  });
});
