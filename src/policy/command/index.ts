import type { CommandPolicy } from '../../config/schema.js';
import { checkAliases } from './alias-guard.js';
import { loadBashParser, type BashParser } from './bash-parser.js';
import { collectScript, type Collector } from './collect-commands.js';
import { decideFromAnalysis } from './decide.js';
import { MESSAGES } from './policy-messages.js';
import { writtenRuns } from './written-files.js';
import type { CommandAnalysis, CommandPolicyEngine, PolicyDecision } from './types.js';

export type {
  CommandAnalysis,
  CommandPolicyEngine,
  FoundCommand,
  PolicyAction,
  PolicyDecision,
} from './types.js';
export { effectivePolicy } from './effective-policy.js';
export { confirmEntriesIn } from './decide.js';
export { SAFE_BUILTINS } from './builtins.js';
export { SHELL_NAMES } from './shell-wrappers.js';

// Longest command string analysed; anything longer is refused as unreadable, not truncated.
export const MAX_COMMAND_LENGTH = 64 * 1024;

function analyzeWith(parser: BashParser, command: string): CommandAnalysis {
  if (typeof command !== 'string')
    return {
      ok: false,
      parseError: 'expected a string',
      commands: [],
      readsScriptFromStdin: false,
    };
  // Security: a huge string could hide a command past any window we would inspect.
  if (command.length > MAX_COMMAND_LENGTH) {
    return {
      ok: false,
      parseError: `longer than ${MAX_COMMAND_LENGTH} characters`,
      commands: [{ name: null, argv: [null], dynamic: true, text: command.slice(0, 200) }],
      readsScriptFromStdin: false,
    };
  }
  const collector: Collector = {
    parser,
    commands: [],
    readsScriptFromStdin: false,
    hazards: [],
    files: { written: new Map(), run: [] },
    errors: [],
  };
  try {
    collectScript(collector, command, { via: undefined, nesting: 0 });
  } catch (err) {
    // Security: never let odd input crash the check; what we cannot analyse is unreadable.
    collector.errors.push(
      err instanceof RangeError ? 'nested too deeply' : 'internal analysis error',
    );
    collector.commands.push({
      name: null,
      argv: [null],
      dynamic: true,
      text: command.slice(0, 200),
    });
  }
  const analysis: CommandAnalysis = {
    ok: collector.errors.length === 0,
    commands: collector.commands,
    readsScriptFromStdin: collector.readsScriptFromStdin,
  };
  for (const run of writtenRuns(collector.files)) {
    // Security: `echo 'rm x' > s.sh; sh s.sh` runs text the line wrote: check it as a script.
    if (run.kind === 'script')
      collectScript(collector, run.source, { via: `written ${run.file}`, nesting: 1 });
    // Security: `cp /bin/rm ./t; ./t x` runs a program whose content the policy never saw.
    else collector.hazards.push({ kind: 'runs-written-file', text: `runs ${run.file}` });
  }
  if (collector.hazards.length > 0) analysis.hazards = collector.hazards;
  if (collector.errors.length > 0) analysis.parseError = [...new Set(collector.errors)].join('; ');
  return analysis;
}

// Loads the bash grammar once; the engine's analyze/decide are synchronous and never throw.
export async function createCommandPolicyEngine(): Promise<CommandPolicyEngine> {
  const parser = await loadBashParser();
  const engine: CommandPolicyEngine = {
    analyze: (command) => analyzeWith(parser, command),
    decide(command, policy: CommandPolicy): PolicyDecision {
      const analysis = analyzeWith(parser, command);
      try {
        const text = typeof command === 'string' ? command : '';
        // Security: bash expands aliases after this check, so alias bodies and the switches that
        // turn expansion on are judged here too (alias t=touch; t marker).
        return checkAliases(engine, text, policy, decideFromAnalysis(analysis, policy, text));
      } catch {
        // Security: a bug in deciding must fail closed, never open.
        return {
          action: 'deny',
          rule: 'strict:unparseable',
          message: MESSAGES.unparseable('internal analysis error'),
          commands: analysis.commands,
        };
      }
    },
  };
  return engine;
}
