import type { CommandPolicy } from '../../config/schema.js';

// One command a shell string would run. `name` is null and `dynamic` true when the command word
// is not a literal after unquoting (variables, substitutions, globs, braces, tilde, arithmetic).
export interface FoundCommand {
  // Basename of the unquoted command word (`/usr/bin/r\m` -> `rm`); null when not literal.
  name: string | null;
  // Unquoted words; argv[0] keeps the original path (`/bin/rm`); null marks a non-literal word.
  argv: (string | null)[];
  dynamic: boolean;
  // The source text the command came from, for audit and messages.
  text: string;
  // How it was reached when not a plain command: 'sh -c', 'eval', 'env', 'sudo', 'inline-code'...
  via?: string;
  // For a dynamic name made only of literal text plus globs or braces: the shell pattern.
  pattern?: string;
}

// Everything `analyze` learned about a shell string.
export interface CommandAnalysis {
  ok: boolean;
  parseError?: string;
  commands: FoundCommand[];
  // A shell reads its script from stdin or a non-literal file (`curl ... | sh`, `. <(...)`).
  readsScriptFromStdin: boolean;
  // Constructs that make bash evaluate text or run a file the policy cannot read; present only
  // when there are some. Strict mode and allowlists refuse them.
  hazards?: Hazard[];
}

// Why a hazard is refused; each has its own rule id (`strict:<kind>`) and message.
export type HazardKind =
  // A variable whose name is computed (`read "$x"`, `printf -v "$x"`, `${!x}`): bash evaluates
  // array subscripts in it, so `x='a[$(rm y)]'` runs code.
  | 'dynamic-variable-name'
  // Prompt expansion of text the policy cannot see (`${x@P}`, `PS4=$y`).
  | 'prompt-expansion'
  // A start-up file or loader preload named by the environment (BASH_ENV, ENV, --rcfile, LD_PRELOAD).
  | 'startup-file'
  // A program or script that the same command line writes, copies or links first.
  | 'runs-written-file';

// One hazard and the text it was found in.
export interface Hazard {
  kind: HazardKind;
  text: string;
}

// The three outcomes the shell server acts on.
export type PolicyAction = 'allow' | 'deny' | 'confirm';

// A decision with a stable rule id (for audit and tests) and a message written for the agent.
export interface PolicyDecision {
  action: PolicyAction;
  rule: string;
  message: string;
  commands: FoundCommand[];
}

// The engine the shell server holds: the wasm parser is loaded once, then calls are synchronous.
export interface CommandPolicyEngine {
  analyze(command: string): CommandAnalysis;
  decide(command: string, policy: CommandPolicy): PolicyDecision;
}
