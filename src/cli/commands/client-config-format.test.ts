import { describe, expect, it } from 'vitest';
import { formatClientConfig, hubUrlFromConfig, type ClientTarget } from './client-config-format.js';

const STDIO: ClientTarget = {
  kind: 'stdio',
  launches: {
    files: { command: 'node', args: ['/opt/b/dist/cli/main.js', 'serve', 'files', '--home', '/h'] },
    shell: {
      command: 'node',
      args: ['/opt/b/dist/cli/main.js', 'serve', 'shell', '--home', '/h w'],
    },
  },
};
const HTTP: ClientTarget = { kind: 'http', baseUrl: 'http://127.0.0.1:8765', tokenName: 'laptop' };

// The JSON block that follows a "# <client>" heading.
// Parsed JSON, read field by field (each step may be absent; the assertions say what must be).
interface JsonTree {
  [key: string]: JsonTree;
}

function jsonAfter(lines: string[], heading: string): JsonTree {
  const start = lines.findIndex((l) => l.startsWith(`# ${heading}`)) + 1;
  let end = start;
  while (end < lines.length && lines[end] !== '') end++;
  return JSON.parse(lines.slice(start, end).join('\n')) as JsonTree;
}

describe('client-config over stdio', () => {
  const lines = formatClientConfig(STDIO);

  it('gives Claude Desktop and Cursor mcpServers with command and args', () => {
    for (const client of ['Claude Desktop', 'Cursor'])
      expect(jsonAfter(lines, client)).toEqual({
        mcpServers: {
          'bastion-files': STDIO.launches.files,
          'bastion-shell': STDIO.launches.shell,
        },
      });
  });

  it('gives VS Code servers with type stdio', () => {
    expect(jsonAfter(lines, 'VS Code').servers?.['bastion-files']).toEqual({
      type: 'stdio',
      ...STDIO.launches.files,
    });
  });

  it('gives Claude Code lines, quoting what the shell would split', () => {
    expect(lines).toContain(
      'claude mcp add bastion-files -- node /opt/b/dist/cli/main.js serve files --home /h',
    );
    expect(lines).toContain(
      "claude mcp add bastion-shell -- node /opt/b/dist/cli/main.js serve shell --home '/h w'",
    );
  });
});

describe('client-config over HTTP', () => {
  const lines = formatClientConfig(HTTP);

  it('gives Claude Desktop the http form reading the token from the environment', () => {
    expect(jsonAfter(lines, 'Claude Desktop').mcpServers?.['bastion-files']).toEqual({
      type: 'http',
      url: 'http://127.0.0.1:8765/mcp/files',
      headers: { Authorization: 'Bearer ${BASTION_TOKEN}' },
    });
  });

  it('gives Claude Code `--transport http` lines with the header from $BASTION_TOKEN', () => {
    expect(lines).toContain(
      'claude mcp add --transport http bastion-shell http://127.0.0.1:8765/mcp/shell --header "Authorization: Bearer $BASTION_TOKEN"',
    );
  });

  it('gives Cursor its ${env:...} form and VS Code a password prompt', () => {
    expect(jsonAfter(lines, 'Cursor').mcpServers?.['bastion-files']?.headers).toEqual({
      Authorization: 'Bearer ${env:BASTION_TOKEN}',
    });
    const vscode = jsonAfter(lines, 'VS Code');
    expect(vscode.inputs).toEqual([
      expect.objectContaining({ id: 'bastion-token', password: true }),
    ]);
    expect(vscode.servers?.['bastion-shell']).toEqual({
      type: 'http',
      url: 'http://127.0.0.1:8765/mcp/shell',
      headers: { Authorization: 'Bearer ${input:bastion-token}' },
    });
  });

  it('names the token to create and never holds a secret-looking value', () => {
    expect(lines.join('\n')).toContain('bastion token create laptop');
    const headers = lines.filter((l) => l.includes('Bearer'));
    expect(headers.length).toBeGreaterThan(0);
    for (const line of headers)
      expect(line).toMatch(/Bearer (\$\{(env:|input:)?[\w-]+\}|\$BASTION_TOKEN)/);
  });

  it('prints one client when asked', () => {
    const only = formatClientConfig(HTTP, ['cursor']);
    expect(
      only.filter(
        (l) =>
          l.startsWith('# ') &&
          !l.startsWith('# Hub') &&
          !l.startsWith('# Token') &&
          !l.startsWith('# then'),
      ),
    ).toEqual(['# Cursor: ~/.cursor/mcp.json (or .cursor/mcp.json in a project)']);
  });
});

describe('hubUrlFromConfig', () => {
  it.each([
    [{ listen: '127.0.0.1:8765', behindTlsProxy: false }, 'http://127.0.0.1:8765'],
    [{ listen: '[::1]:9000', behindTlsProxy: false }, 'http://[::1]:9000'],
    [{ listen: '0.0.0.0:8765', behindTlsProxy: true }, 'https://box:8765'],
    [
      { listen: '10.0.0.5:443', behindTlsProxy: false, tls: { cert: 'c', key: 'k' } },
      'https://10.0.0.5:443',
    ],
  ])('%j -> %s', (hub, url) => {
    expect(hubUrlFromConfig(hub, 'box')).toBe(url);
  });
});
