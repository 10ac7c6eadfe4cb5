import type { CommandPolicy } from '../../config/schema.js';
import { SAFE_BUILTINS } from './builtins.js';
import { findDeniedWord, findEntry, patternCouldBe } from './name-match.js';
import { MESSAGES } from './policy-messages.js';
import type { CommandAnalysis, FoundCommand, PolicyDecision } from './types.js';

function deny(rule: string, message: string, commands: FoundCommand[]): PolicyDecision {
  return { action: 'deny', rule, message, commands };
}

function denylistHit(
  analysis: CommandAnalysis,
  policy: CommandPolicy,
  source: string,
): PolicyDecision | undefined {
  const { commands } = analysis;
  for (const found of commands) {
    // Security: basename + unquoted + case-folded match stops `/bin/r\m`, `"r"m`, `RM`.
    const entry = findEntry(found, policy.deny, true);
    if (entry !== undefined && found.name !== null)
      return deny(`denylist:${entry}`, MESSAGES.denied(found.name, entry), commands);
  }
  for (const found of commands) {
    if (found.name !== null) continue;
    // Security: `/b?n/r?` and `{r,}m` could become a denied name; refuse even in non-strict mode.
    const maybe =
      found.pattern === undefined ? undefined : patternCouldBe(found.pattern, policy.deny);
    if (maybe !== undefined)
      return deny(`denylist:${maybe}`, MESSAGES.deniedMaybe(found.pattern ?? '', maybe), commands);
    // Security: inline code that spawns something we cannot follow is checked word by word.
    const word = found.via === 'inline-code' ? findDeniedWord(found.argv, policy.deny) : undefined;
    if (word !== undefined) return deny(`denylist:${word}`, MESSAGES.deniedWord(word), commands);
  }
  if (!analysis.ok) {
    const word = findDeniedWord(source.split(/[^A-Za-z0-9_.+\-/]+/), policy.deny);
    if (word !== undefined) return deny(`denylist:${word}`, MESSAGES.deniedWord(word), commands);
  }
  return undefined;
}

function allowlistMiss(
  analysis: CommandAnalysis,
  policy: CommandPolicy,
): PolicyDecision | undefined {
  const { commands } = analysis;
  // Security: an allowlist fails closed on anything it cannot verify, strict or not.
  if (!analysis.ok)
    return deny(
      'allowlist:unparseable',
      MESSAGES.allowlistUnknown('allowlist:unparseable', policy.allow),
      commands,
    );
  if (analysis.readsScriptFromStdin)
    return deny(
      'allowlist:script-from-stdin',
      MESSAGES.allowlistUnknown('allowlist:script-from-stdin', policy.allow),
      commands,
    );
  for (const found of commands) {
    if (found.name === null)
      return deny(
        'allowlist:dynamic-command',
        MESSAGES.allowlistUnknown('allowlist:dynamic-command', policy.allow),
        commands,
      );
    if (SAFE_BUILTINS.has(found.name) && found.argv[0] === found.name) continue;
    if (findEntry(found, policy.allow, false) === undefined) {
      return deny(
        `allowlist:not-listed:${found.name}`,
        MESSAGES.notListed(found.name, policy.allow),
        commands,
      );
    }
  }
  return undefined;
}

// The policy decision for an analysed command string. Order: mode none, strict parse failure,
// denylist (applies in every mode), hazards, strict dynamic / stdin script, allowlist, confirm, allow.
export function decideFromAnalysis(
  analysis: CommandAnalysis,
  policy: CommandPolicy,
  source: string,
): PolicyDecision {
  const { commands } = analysis;
  // Security: a root or config with mode 'none' runs nothing at all.
  if (policy.mode === 'none') return deny('mode:none', MESSAGES.modeNone(), commands);
  // Security: text the parser cannot read may hide commands (`$(`, unbalanced quotes).
  if (!analysis.ok && policy.strict)
    return deny(
      'strict:unparseable',
      MESSAGES.unparseable(analysis.parseError ?? 'syntax error'),
      commands,
    );
  const denied = denylistHit(analysis, policy, source);
  if (denied !== undefined) return denied;
  const hazard = analysis.hazards?.[0];
  // Security: bash would evaluate text or run a file the policy cannot read (`read "$x"` with
  // x='a[$(rm y)]', BASH_ENV, a script the same line writes); an allowlist fails closed too.
  if (hazard !== undefined && (policy.strict || policy.mode === 'allowlist')) {
    const rule = `${policy.strict ? 'strict' : 'allowlist'}:${hazard.kind}`;
    return deny(rule, MESSAGES.hazard(rule, hazard.kind, hazard.text), commands);
  }
  if (policy.strict) {
    const dynamic = commands.find((found) => found.dynamic || found.name === null);
    // Security: `$a x`, `$(echo rm) x`, `r*` pick the program at run time; demand literal names.
    if (dynamic !== undefined)
      return deny('strict:dynamic-command', MESSAGES.dynamic(dynamic.text, dynamic.via), commands);
    // Security: `curl ... | sh` runs a script nobody could check.
    if (analysis.readsScriptFromStdin)
      return deny('strict:script-from-stdin', MESSAGES.stdinScript(), commands);
  }
  if (policy.mode === 'allowlist') {
    const missing = allowlistMiss(analysis, policy);
    if (missing !== undefined) return missing;
  }
  for (const found of commands) {
    const entry = findEntry(found, policy.confirm, true);
    if (entry !== undefined)
      return {
        action: 'confirm',
        rule: `confirm:${entry}`,
        message: MESSAGES.confirm(entry),
        commands,
      };
  }
  return {
    action: 'allow',
    rule: `allow:${policy.mode}`,
    message: MESSAGES.allowed(policy.mode),
    commands,
  };
}

// The confirm entries a command names: a person who approves the command approves these, and
// only for that one call (the sandbox makes just them executable).
export function confirmEntriesIn(
  commands: readonly FoundCommand[],
  confirm: readonly string[],
): string[] {
  const entries = new Set<string>();
  for (const found of commands) {
    const entry = findEntry(found, confirm, true);
    if (entry !== undefined) entries.add(entry);
  }
  return [...entries];
}
