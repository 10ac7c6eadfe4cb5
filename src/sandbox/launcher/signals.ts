import { constants } from 'node:os';

// Signal names and numbers both ways (the launcher speaks numbers).
export function signalNumber(name: NodeJS.Signals): number {
  const n = constants.signals[name];
  if (n === undefined) throw new RangeError(`expected a signal name, got ${name}`);
  return n;
}

export function signalName(n: number): NodeJS.Signals | null {
  for (const [name, value] of Object.entries(constants.signals))
    if (value === n) return name as NodeJS.Signals;
  return null;
}
