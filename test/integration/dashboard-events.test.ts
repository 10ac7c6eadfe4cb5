import path from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  signIn,
  sessionCookie,
  startDashboardHub,
  type DashboardTestHub,
} from './dashboard-harness.js';
import type { HubTestDirs, RunningTestHub } from './hub-harness.js';

interface SseEvent {
  event: string;
  data: string;
}

// Reads server-sent events from a streamed response until `until` says enough (bounded by the
// caller's abort).
async function readEvents(
  body: ReadableStream<Uint8Array>,
  until: (events: SseEvent[]) => boolean,
): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  while (!until(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let cut = buffer.indexOf('\n\n');
    while (cut >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = [...block.matchAll(/^data: ?(.*)$/gm)].map((m) => m[1]).join('\n');
      events.push({ event, data });
      cut = buffer.indexOf('\n\n');
    }
  }
  await reader.cancel();
  return events;
}

describe('the dashboard event stream over real loopback HTTP', () => {
  let dirs: HubTestDirs;
  let hub: RunningTestHub;
  let client: Client;
  let monitor: string;
  let started: DashboardTestHub | undefined;

  beforeAll(async () => {
    started = await startDashboardHub(['monitor']);
    ({ dirs, hub, client } = started);
    monitor = started.monitors['monitor']!;
  }, 60_000);

  afterAll(async () => {
    await started?.close();
  });

  it('pushes the intent and the outcome of a hub call, without chain fields or whole contents', async () => {
    const session = await signIn(hub.url, monitor);
    const abort = new AbortController();
    const guard = setTimeout(() => abort.abort(), 15_000);
    try {
      const res = await fetch(`${hub.url}/dashboard/api/events`, {
        headers: sessionCookie(session),
        signal: abort.signal,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const file = path.join(dirs.root, 'streamed.txt');
      const content = 'z'.repeat(5_000);
      let called = false;
      const events = await readEvents(res.body!, (seen) => {
        if (!called && seen.some((e) => e.event === 'ready')) {
          called = true;
          void client.callTool({ name: 'write_file', arguments: { path: file, content } });
        }
        return seen.some((e) => e.event === 'record' && e.data.includes('"phase":"outcome"'));
      });
      const records = events
        .filter((e) => e.event === 'record')
        .map((e) => JSON.parse(e.data) as Record<string, unknown>);
      const intent = records.find((r) => r.phase === 'intent');
      const outcome = records.find((r) => r.phase === 'outcome');
      expect(intent).toMatchObject({ server: 'files', tool: 'write_file', principal: 'writer' });
      expect(outcome).toMatchObject({ call: intent!.call, decision: 'allow', outcome: 'ok' });
      for (const r of records) {
        expect(r).not.toHaveProperty('hash');
        expect(r).not.toHaveProperty('prev');
        expect(JSON.stringify(r)).not.toContain(content);
      }
    } finally {
      clearTimeout(guard);
      abort.abort();
    }
  });
});
