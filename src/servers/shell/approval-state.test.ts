import type { ServerContext } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { createApprovalStates, digestCall } from './approval-state.js';

const ctx = (method: string): ServerContext => ({ mcpReq: { method } }) as unknown as ServerContext;

describe('approval states', () => {
  it('round-trips a state issued by the same service, once', async () => {
    const states = createApprovalStates();
    const call = digestCall(['run_command', 'touch a']);
    const wire = await states.mint(call, ['confirm_command'], ctx('tools/call'));
    const state = await states.verify(wire, ctx('tools/call'));
    expect(state.call).toBe(call);
    expect(state.keys).toEqual(['confirm_command']);
    expect(states.consume(state, 'alice')).toBe(true);
    expect(states.consume(state, 'alice')).toBe(false);
    expect(states.consume(state, 'bob')).toBe(false);
  });

  it('refuses a state from another service, another method, or with an altered payload', async () => {
    const states = createApprovalStates();
    const wire = await states.mint(digestCall(['a']), ['k'], ctx('tools/call'));
    await expect(createApprovalStates().verify(wire, ctx('tools/call'))).rejects.toThrow();
    await expect(states.verify(wire, ctx('prompts/get'))).rejects.toThrow();
    const [prefix, body, mac] = wire.split('.');
    const decoded = JSON.parse(Buffer.from(String(body), 'base64url').toString('utf8')) as {
      p: { call: string };
    };
    decoded.p.call = digestCall(['b']);
    const altered = `${prefix}.${Buffer.from(JSON.stringify(decoded)).toString('base64url')}.${mac}`;
    await expect(states.verify(altered, ctx('tools/call'))).rejects.toThrow();
  });

  it('names a call by every part', () => {
    expect(digestCall(['run_command', 'ls', null])).not.toBe(
      digestCall(['run_command', 'ls', '.']),
    );
    expect(digestCall(['x'])).toMatch(/^[0-9a-f]{64}$/);
  });

  it("bounds each caller's used approvals without touching another caller's", async () => {
    const states = createApprovalStates();
    const mintOne = async (i: number) =>
      await states.verify(
        await states.mint(digestCall(['run_command', `touch ${i}`]), ['k'], ctx('tools/call')),
        ctx('tools/call'),
      );
    let accepted = 0;
    for (let i = 0; i < 1_001; i += 1)
      if (states.consume(await mintOne(i), 'flooder')) accepted += 1;
    expect(accepted).toBe(1_000);
    expect(states.consume(await mintOne(5_000), 'flooder')).toBe(false);
    expect(states.consume(await mintOne(5_001), 'someone-else')).toBe(true);
  });
});
