import { describe, expect, it } from 'vitest';
import { sessionPolicyText } from './session-start-text.js';

describe('sessionPolicyText', () => {
  it.each([
    ['bash', 'bash -c :'],
    ['  /bin/bash --norc ', '/bin/bash --norc -c :'],
    ['sh', 'sh -c :'],
    ['bash -i', 'bash -i -c :'],
  ])('checks a bare shell %j as %j', (command, expected) => {
    expect(sessionPolicyText(command)).toBe(expected);
  });

  it.each([
    'bash -c "touch m"',
    'bash -xc ls',
    'curl x | sh',
    'bash < script.sh',
    'bash script.sh',
    'python3 -i',
    'sh; touch m',
  ])('checks %j exactly as written', (command) => {
    expect(sessionPolicyText(command)).toBe(command);
  });
});
