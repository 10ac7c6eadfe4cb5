import { describe, expect, it } from 'vitest';
import {
  encodeFrame,
  encodeKill,
  encodeLaunch,
  encodePrepareOverlay,
  parseAnswer,
  parseEvent,
} from './protocol.js';

// Read a frame back the way native/launcher.c does: u32 LE size, then tag, u32 LE length, bytes.
function decode(frame: Buffer): [string, Buffer][] {
  expect(frame.readUInt32LE(0)).toBe(frame.length - 4);
  const fields: [string, Buffer][] = [];
  for (let pos = 4; pos < frame.length;) {
    const len = frame.readUInt32LE(pos + 1);
    const value = frame.subarray(pos + 5, pos + 5 + len);
    expect(value[len - 1]).toBe(0);
    fields.push([frame.toString('latin1', pos, pos + 1), value.subarray(0, len - 1)]);
    pos += 5 + len;
  }
  return fields;
}

describe('launcher protocol', () => {
  it('sends overlays as lower, upper, work in order, or a prepared one as "<id> <target>"', () => {
    const frame = encodeLaunch({
      argv: ['/bin/true'],
      cwd: '/',
      env: {},
      cgroupDirs: [],
      rlimits: [],
      fds: [],
      overlays: [
        { lower: '/r/a', upper: '/h/u0', work: '/h/w0' },
        { lower: '/r/b c', upper: '/h/u1', work: '/h/w1', prepared: 7 },
      ],
    });
    const fields = decode(frame).map(([t, v]) => `${t}:${v.toString()}`);
    expect(fields.slice(-4)).toEqual(['o:/r/a', 'u:/h/u0', 'w:/h/w0', 'm:7 /r/b c']);
    expect(
      decode(encodePrepareOverlay({ lower: '/r', upper: '/u', work: '/w' })).map(
        ([t, v]) => `${t}:${v.toString()}`,
      ),
    ).toEqual(['P:', 'o:/r', 'u:/u', 'w:/w']);
  });

  it('frames fields as tag, length and NUL-terminated bytes', () => {
    const fields = decode(
      encodeFrame([
        ['a', 'héllo'],
        ['d', new Uint8Array([0, 1, 0])],
      ]),
    );
    expect(fields.map(([t, v]) => [t, [...v]])).toEqual([
      ['a', [...Buffer.from('héllo')]],
      ['d', [0, 1, 0]],
    ]);
  });

  it('encodes a launch in the order the child fds are numbered', () => {
    const frame = encodeLaunch({
      argv: ['/usr/bin/bwrap', '--args', '3'],
      cwd: '/',
      env: { PATH: '/bin', A: 'x=y' },
      cgroupDirs: ['/sys/fs/cgroup/pids/bastion-1-a'],
      rlimits: [{ resource: 'cpu', soft: 600, hard: 601 }],
      fds: [{ bytes: Buffer.from('--a\0') }, { serverFd: 42 }, { bytes: Buffer.from('bpf') }],
    });
    expect(decode(frame).map(([t, v]) => `${t}:${v.toString('latin1')}`)).toEqual([
      'L:',
      'c:/',
      'a:/usr/bin/bwrap',
      'a:--args',
      'a:3',
      'e:PATH=/bin',
      'e:A=x=y',
      'g:/sys/fs/cgroup/pids/bastion-1-a',
      'r:cpu 600 601',
      'd:--a\0',
      'f:42',
      'd:bpf',
    ]);
  });

  it('refuses what C would read differently: NUL in strings, "=" in env names, bad limits', () => {
    const base = { argv: ['x'], cwd: '/', env: {}, cgroupDirs: [], rlimits: [], fds: [] };
    expect(() => encodeLaunch({ ...base, argv: ['a\0b'] })).toThrow(TypeError);
    expect(() => encodeLaunch({ ...base, env: { 'A=B': 'c' } })).toThrow(TypeError);
    expect(() => encodeLaunch({ ...base, env: { A: 'b\0c' } })).toThrow(TypeError);
    expect(() => encodeLaunch({ ...base, argv: [] })).toThrow(TypeError);
    expect(() =>
      encodeLaunch({ ...base, rlimits: [{ resource: 'as', soft: -1, hard: 1 }] }),
    ).toThrow(RangeError);
    expect(decode(encodeKill(7, 15, true)).map(([t, v]) => `${t}:${v.toString()}`)).toEqual([
      'K:7 15 1',
    ]);
  });

  it('parses answers and events, and rejects anything else', () => {
    expect(parseAnswer('ok 12 5 6 7\n')).toEqual({ ok: true, numbers: [12, 5, 6, 7] });
    expect(parseAnswer('err 2 exec\n')).toEqual({ ok: false, errno: 2, step: 'exec' });
    expect(() => parseAnswer('garbage')).toThrow(TypeError);
    expect(parseEvent('ready 4 5 1')).toEqual({
      kind: 'ready',
      reqFd: 4,
      respFd: 5,
      staticMounts: true,
    });
    expect(parseEvent('ready 4 5 0')).toMatchObject({ staticMounts: false });
    expect(parseEvent('ready 4 5')).toBeNull();
    expect(parseEvent('exit 9 0 0')).toEqual({ kind: 'exit', pid: 9, code: 0, signal: null });
    expect(parseEvent('exit 9 -1 9')).toEqual({ kind: 'exit', pid: 9, code: null, signal: 9 });
    expect(parseEvent('exit 9 x 0')).toBeNull();
  });
});
