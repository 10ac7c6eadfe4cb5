import { describe, expect, it } from 'vitest';
import { FileSystemError, PathDeniedError } from '../../errors/index.js';
import { rethrowFileSystemError, toFileSystemError } from './index.js';

function errno(code: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(
    `${code}: failed, open '/home/someone/private/file'`,
  );
  err.code = code;
  return err;
}

describe('toFileSystemError', () => {
  const CODES = [
    'ENOENT',
    'EACCES',
    'EPERM',
    'ENOSPC',
    'EISDIR',
    'ENOTDIR',
    'EEXIST',
    'ELOOP',
    'ENAMETOOLONG',
    'EROFS',
    'EMFILE',
  ];
  it.each(CODES)('[PATH-ERR-01] maps %s with only the requested path in the message', (code) => {
    const mapped = toFileSystemError(errno(code), 'docs/plan.md');
    expect(mapped).toBeInstanceOf(FileSystemError);
    expect(mapped.code).toBe(code);
    expect(mapped.message).toContain('"docs/plan.md"');
    expect(mapped.message).not.toContain('/home/someone');
    expect(mapped.message).not.toMatch(/\n\s+at /);
  });

  it('[PATH-ERR-01] says what to do on ENOSPC and keeps unknown errno codes generic', () => {
    expect(toFileSystemError(errno('ENOSPC'), 'a.txt').message).toMatch(/disk space.*unchanged/);
    const odd = toFileSystemError(errno('ESTRANGE'), 'a.txt');
    expect(odd.code).toBe('ESTRANGE');
    expect(odd.message).not.toContain('/home/someone');
  });

  it('passes BastionErrors through and keeps bugs as bugs in rethrowFileSystemError', () => {
    const denied = new PathDeniedError('no');
    expect(toFileSystemError(denied, 'x')).toBe(denied);
    const bug = new TypeError('undefined is not a function');
    expect(toFileSystemError(bug, 'x').code).toBe('FS_UNEXPECTED');
    expect(() => rethrowFileSystemError(bug, 'x')).toThrow(bug);
    expect(() => rethrowFileSystemError(errno('ENOENT'), 'x')).toThrow(FileSystemError);
  });

  it('[PATH-INPUT-02] shortens a huge display path', () => {
    const message = toFileSystemError(errno('ENOENT'), 'x'.repeat(10_000)).message;
    expect(message.length).toBeLessThan(400);
  });
});
