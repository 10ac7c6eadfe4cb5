import path from 'node:path';
import type { Node } from 'web-tree-sitter';
import type { BashParser } from './bash-parser.js';
import { findBacktickScripts, heredocText, unparsedHeredocText } from './heredoc.js';
import { scanInlineCode } from './inline-code.js';
import { unwrapNode } from './node-sinks.js';
import type { FoundCommand, Hazard } from './types.js';
import type { Unwrapped } from './unwrapped.js';
import { unwrapVariableSinks } from './variable-sinks.js';
import { printedText, recordFileUse, recordRedirect, type FileUse } from './written-files.js';
import { wordValue, type WordValue } from './word-value.js';
import { unwrapArgv } from './wrappers.js';

// Limits that keep hostile input from exhausting the stack or the CPU; past them we fail closed.
export const ANALYSIS_LIMITS = { maxNesting: 24, maxNodeDepth: 400, maxCommands: 2000 } as const;

// Mutable state of one analysis: what was found and what went wrong.
export interface Collector {
  parser: BashParser;
  commands: FoundCommand[];
  readsScriptFromStdin: boolean;
  hazards: Hazard[];
  // What the line writes and runs, to catch a program run right after it was written or copied.
  files: FileUse;
  errors: string[];
  // Set once a limit is hit: the analysis has already failed closed, so stop spending CPU.
  stopped?: boolean;
}

interface Scope {
  via: string | undefined;
  nesting: number;
  // Literal stdin a shell would read as its script (heredoc / herestring), when known.
  stdin?: string | null;
}

function push(collector: Collector, found: FoundCommand): void {
  if (collector.commands.length >= ANALYSIS_LIMITS.maxCommands) {
    // Security: a flood of commands must not buy unbounded CPU time (event-loop stall).
    if (!collector.errors.includes('too many commands')) collector.errors.push('too many commands');
    collector.stopped = true;
    return;
  }
  collector.commands.push(found);
}

function dynamicCommand(
  text: string,
  via: string | undefined,
  argv: (string | null)[] = [null],
): FoundCommand {
  return { name: null, argv, dynamic: true, text, ...(via === undefined ? {} : { via }) };
}

// Parses `source` (top level or a re-parsed string) and collects every command it runs.
export function collectScript(collector: Collector, source: string, scope: Scope): void {
  if (collector.stopped === true) return;
  if (scope.nesting > ANALYSIS_LIMITS.maxNesting) {
    // Security: unbounded `sh -c "sh -c ..."` nesting must not hide the innermost command.
    collector.errors.push('nested too deeply');
    push(collector, dynamicCommand(source, scope.via));
    return;
  }
  const parsed = collector.parser.parse(source);
  if (parsed === null) {
    collector.errors.push('the parser gave up');
    push(collector, dynamicCommand(source, scope.via));
    return;
  }
  try {
    if (parsed.root.hasError) collector.errors.push(describeError(parsed.root, source));
    walk(collector, parsed.root, scope, 0);
  } finally {
    parsed.dispose();
  }
}

function describeError(root: Node, source: string): string {
  const bad = findError(root);
  const where =
    bad === null
      ? ''
      : ` near ${JSON.stringify(source.slice(bad.startIndex, bad.startIndex + 20))}`;
  return `the shell syntax is incomplete or invalid${where}`;
}

function findError(node: Node): Node | null {
  if (node.isError || node.isMissing) return node;
  for (const child of node.children) {
    if (child === null || (!child.hasError && !child.isMissing)) continue;
    const found = findError(child);
    if (found !== null) return found;
  }
  return null;
}

function walk(collector: Collector, node: Node, scope: Scope, depth: number): void {
  if (collector.stopped === true) return;
  if (depth > ANALYSIS_LIMITS.maxNodeDepth) {
    // Security: absurdly deep nesting could overflow the stack; treat it as unreadable.
    collector.errors.push('nested too deeply');
    push(collector, dynamicCommand(node.text, scope.via));
    return;
  }
  switch (node.type) {
    case 'command':
      visitCommand(collector, node, [], scope, depth);
      return;
    case 'redirected_statement': {
      const redirects = node.children.filter(
        (c, i): c is Node => c !== null && node.fieldNameForChild(i) === 'redirect',
      );
      node.children.forEach((child, i) => {
        if (child === null) return;
        if (child.type === 'command' && node.fieldNameForChild(i) === 'body')
          visitCommand(collector, child, redirects, scope, depth);
        else walk(collector, child, scope, depth + 1);
      });
      return;
    }
    case 'heredoc_redirect':
      visitHeredoc(collector, node, scope, depth);
      return;
    case 'command_substitution':
      if (isEscapedBacktick(node)) {
        visitBacktickBody(collector, node, scope);
        return;
      }
      break;
    default:
      for (const inner of unwrapNode(node)) visitUnwrapped(collector, inner, node.text, scope);
  }
  for (const child of node.children) if (child !== null) walk(collector, child, scope, depth + 1);
}

// Backticks whose body has backslashes: bash removes one level of `\` before `\``, `\$` and `\\`
// and parses the result again, so `echo \`touch M\`` inside backticks runs touch.
function isEscapedBacktick(node: Node): boolean {
  return node.text.startsWith('`') && node.text.includes('\\');
}

function visitBacktickBody(collector: Collector, node: Node, scope: Scope): void {
  const body = node.text.slice(1, -1).replace(/\\([`$\\])/g, '$1');
  collectScript(collector, body, { via: 'backtick', nesting: scope.nesting + 1 });
}

function visitHeredoc(collector: Collector, node: Node, scope: Scope, depth: number): void {
  for (const child of node.children) {
    if (child === null) continue;
    if (child.type !== 'heredoc_body') {
      walk(collector, child, scope, depth + 1);
      continue;
    }
    if (heredocText(node).quoted) continue;
    // Security: tree-sitter drops the expansions of a body that starts with blanks (`<<-EOF`,
    // indented heredocs); parse a copy without leading blanks so `$(rm x)` is still seen.
    const stripped = child.text.replace(/^[ \t]+/gm, '');
    if (stripped !== child.text) {
      visitReparsedHeredoc(collector, stripped, scope, depth);
      continue;
    }
    for (const part of child.namedChildren)
      if (part !== null) walk(collector, part, scope, depth + 1);
    // Security: tree-sitter leaves backticks in heredoc bodies as text, but bash runs them.
    const scripts = findBacktickScripts(unparsedHeredocText(child));
    if (scripts === null) {
      collector.errors.push('unbalanced backtick in a here-document');
      push(collector, dynamicCommand(child.text, scope.via));
    } else {
      for (const script of scripts)
        collectScript(collector, script, { via: 'backtick', nesting: scope.nesting + 1 });
    }
  }
}

function visitReparsedHeredoc(
  collector: Collector,
  body: string,
  scope: Scope,
  depth: number,
): void {
  let delimiter = 'BASTION_EOF';
  while (body.includes(delimiter)) delimiter += '_';
  const parsed = collector.parser.parse(
    `: <<${delimiter}\n${body}${body.endsWith('\n') ? '' : '\n'}${delimiter}\n`,
  );
  if (parsed === null) {
    collector.errors.push('the parser gave up');
    return;
  }
  try {
    const redirect = parsed.root.namedChildren[0]?.namedChildren.find(
      (c) => c?.type === 'heredoc_redirect',
    );
    if (redirect) visitHeredoc(collector, redirect, scope, depth + 1);
    else collector.errors.push('unreadable here-document');
  } finally {
    parsed.dispose();
  }
}

function commandWords(node: Node): Node[] {
  const words: Node[] = [];
  node.children.forEach((child, i) => {
    if (child === null) return;
    const field = node.fieldNameForChild(i);
    if (field === 'name') words.push(child.namedChildren[0] ?? child);
    // tree-sitter splits `$"..."` into `$` and the string; the string alone is the word.
    else if (field === 'argument' && child.isNamed) words.push(child);
  });
  return words;
}

// Security: tree-sitter splits `r\<newline>m` into two words; bash joins them into `rm`.
function joinContinuedWords(command: Node, nodes: readonly Node[]): WordValue[] {
  const source = command.text;
  const base = command.startIndex;
  const words: WordValue[] = [];
  nodes.forEach((node, i) => {
    const value = wordValue(node);
    const previous = nodes[i - 1];
    const gap =
      previous === undefined ? '' : source.slice(previous.endIndex - base, node.startIndex - base);
    const last = words.at(-1);
    if (last !== undefined && /^(\\\n)+$/.test(gap)) {
      words[words.length - 1] =
        last.value === null || value.value === null
          ? { value: null }
          : { value: last.value + value.value };
    } else {
      words.push(value);
    }
  });
  return words;
}

function stdinOf(redirects: readonly Node[]): string | null | undefined {
  let stdin: string | null | undefined;
  for (const redirect of redirects) {
    if (redirect.type === 'heredoc_redirect') stdin = heredocText(redirect).text;
    if (redirect.type === 'herestring_redirect') {
      const value = redirect.namedChildren.at(-1);
      stdin = value ? wordValue(value).value : null;
    }
    // Security: `sh < file` reads a script nobody can see ahead of time.
    if (
      redirect.type === 'file_redirect' &&
      /^\d*<$/.test(redirect.children.find((c) => c !== null && !c.isNamed)?.text ?? '')
    )
      stdin = null;
  }
  return stdin;
}

function visitCommand(
  collector: Collector,
  node: Node,
  outer: readonly Node[],
  scope: Scope,
  depth: number,
): void {
  for (const child of node.children) if (child !== null) walk(collector, child, scope, depth + 1);
  const redirects = [
    ...outer,
    ...node.children.filter((c): c is Node => c !== null && /redirect$/.test(c.type)),
  ];
  const stdin = stdinOf(redirects);
  const words = joinContinuedWords(node, commandWords(node));
  const argv = words.map((w) => w.value);
  const printed = printedText(argv[0] ?? '', argv, stdin);
  for (const redirect of redirects) {
    if (redirect.type !== 'file_redirect') continue;
    const operator = redirect.children.find((c) => c !== null && !c.isNamed)?.text ?? '';
    const target = redirect.namedChildren.at(-1);
    recordRedirect(collector.files, operator, target ? wordValue(target).value : null, printed);
  }
  const pattern = words[0]?.value === null ? words[0].pattern : undefined;
  visitArgv(
    collector,
    argv,
    node.text,
    { ...scope, ...(stdin === undefined ? {} : { stdin }) },
    pattern,
  );
}

function visitArgv(
  collector: Collector,
  argv: (string | null)[],
  text: string,
  scope: Scope,
  pattern?: string,
): void {
  const original = argv[0];
  if (original === undefined) return;
  const name = original === null ? null : path.posix.basename(original) || original;
  const found: FoundCommand = { name, argv, dynamic: name === null, text };
  if (scope.via !== undefined) found.via = scope.via;
  if (pattern !== undefined) found.pattern = pattern;
  push(collector, found);
  if (name === null) return;
  recordFileUse(collector.files, name, argv);
  for (const inner of unwrapArgv(name, argv)) visitUnwrapped(collector, inner, text, scope);
  if (original !== name) return;
  for (const inner of unwrapVariableSinks(name, argv, scope.stdin))
    visitUnwrapped(collector, inner, text, scope);
}

function visitUnwrapped(collector: Collector, inner: Unwrapped, text: string, scope: Scope): void {
  const nesting = scope.nesting + 1;
  if (nesting > ANALYSIS_LIMITS.maxNesting) {
    collector.errors.push('nested too deeply');
    push(collector, dynamicCommand(text, inner.via));
    return;
  }
  switch (inner.kind) {
    case 'command':
      visitArgv(collector, inner.argv, text, {
        via: inner.via,
        nesting,
        ...(scope.stdin === undefined ? {} : { stdin: scope.stdin }),
      });
      return;
    case 'script':
      if (inner.source === null) push(collector, dynamicCommand(text, inner.via));
      else collectScript(collector, inner.source, { via: inner.via, nesting });
      return;
    case 'stdin-script':
      // Security: a literal heredoc/herestring fed to a shell is parsed; anything else is hidden.
      if (typeof scope.stdin === 'string' && inner.language !== undefined) {
        for (const code of scanInlineCode(scope.stdin, inner.language))
          visitUnwrapped(collector, code, text, { via: `${inner.via} stdin`, nesting });
      } else if (typeof scope.stdin === 'string')
        collectScript(collector, scope.stdin, { via: `${inner.via} stdin`, nesting });
      // A REPL on a terminal or session: the session checks each input as code (input-check).
      else if (inner.repl === true) return;
      else collector.readsScriptFromStdin = true;
      return;
    case 'dynamic':
      push(collector, dynamicCommand(text, inner.via, [null, ...(inner.words ?? [])]));
      return;
    case 'expanded-text':
      collectExpandedText(collector, inner.text, { via: inner.via, nesting });
      return;
    case 'hazard':
      collector.hazards.push({ kind: inner.hazard, text: `${inner.via}: ${text.slice(0, 200)}` });
      return;
  }
}

// Checks text bash will expand later like a here-document body (`$(...)`, backticks, `${...}`),
// by parsing it as one.
function collectExpandedText(collector: Collector, text: string, scope: Scope): void {
  let delimiter = 'BASTION_EOF';
  while (text.includes(delimiter)) delimiter += '_';
  collectScript(collector, `: <<${delimiter}\n${text}\n${delimiter}\n`, scope);
}
