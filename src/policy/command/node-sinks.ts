import type { Node } from 'web-tree-sitter';
import { unwrapAssignment } from './environment-code.js';
import type { Unwrapped } from './unwrapped.js';
import { hasCodeText } from './variable-sinks.js';
import { wordValue } from './word-value.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function valueOf(node: Node | null | undefined): string | null {
  return node ? wordValue(node).value : '';
}

// `NAME=value`, `NAME+=value`, `a[i]=value`, `NAME=(a b)`.
function visitAssignment(node: Node): Unwrapped[] {
  const target = node.namedChildren[0];
  const value = node.namedChildren[1];
  const name = target?.type === 'variable_name' ? target.text : '';
  if (value?.type === 'array') {
    const words = value.namedChildren.map((item) => valueOf(item));
    return words.flatMap((word) => unwrapAssignment(name, word, 'assignment'));
  }
  return unwrapAssignment(name, valueOf(value), 'assignment');
}

// `declare/typeset/local/export/readonly WORD...`: each word is a name or NAME=value; bash
// evaluates it as an assignment, so a quoted `'a[$(rm x)]=1'` runs rm.
function visitDeclaration(node: Node): Unwrapped[] {
  const via = node.children[0]?.text ?? 'declare';
  const found: Unwrapped[] = [];
  for (const child of node.namedChildren) {
    if (child === null || child.type === 'variable_assignment' || child.type === 'variable_name')
      continue;
    const word = wordValue(child).value;
    if (word === null) {
      // `export "PATH=$PATH:x"`: the name is literal, only the value is computed.
      if (/^["']?[A-Za-z_][A-Za-z0-9_]*\+?=/.test(child.text)) continue;
      // Security: `declare "$x"=1` assigns to a name (and subscript) chosen at run time.
      found.push({ kind: 'hazard', hazard: 'dynamic-variable-name', via });
      continue;
    }
    if (word.startsWith('-') || word.startsWith('+') || NAME.test(word)) continue;
    const eq = word.indexOf('=');
    const name = eq === -1 ? word : word.slice(0, eq).replace(/\+$/, '');
    if (hasCodeText(name)) found.push({ kind: 'expanded-text', text: name, via });
    if (eq !== -1) found.push(...unwrapAssignment(name, word.slice(eq + 1), via));
  }
  return found;
}

// `${x@P}` expands x's value as a prompt (running its `$(...)`); `${!x}` uses x's value as a
// variable name, subscript included.
function visitExpansion(node: Node): Unwrapped[] {
  const parts = node.children.filter((c): c is Node => c !== null);
  const at = parts.findIndex((c) => c.type === '@');
  if (at !== -1 && parts[at + 1]?.text === 'P')
    return [{ kind: 'hazard', hazard: 'prompt-expansion', via: '${...@P}' }];
  const types = parts.map((c) => c.type);
  // `${!name}` alone; `${!arr[@]}` and `${!prefix*}` list names and evaluate nothing.
  if (types[1] === '!' && types[2] === 'variable_name' && types[3] === '}')
    return [{ kind: 'hazard', hazard: 'dynamic-variable-name', via: '${!...}' }];
  return [];
}

// `[[ -v NAME ]]` evaluates NAME's subscript.
function visitUnaryTest(node: Node): Unwrapped[] {
  const [operator, operand] = node.namedChildren;
  if (operator?.type !== 'test_operator' || !['-v', '-R'].includes(operator.text)) return [];
  if (operand === null || operand === undefined) return [];
  const name = wordValue(operand).value;
  if (name === null) return [{ kind: 'hazard', hazard: 'dynamic-variable-name', via: '[[ -v ]]' }];
  return hasCodeText(name) ? [{ kind: 'expanded-text', text: name, via: '[[ -v ]]' }] : [];
}

// What a syntax node (not a command) makes bash evaluate besides the substitutions in it.
export function unwrapNode(node: Node): Unwrapped[] {
  switch (node.type) {
    case 'variable_assignment':
      return visitAssignment(node);
    case 'declaration_command':
      return visitDeclaration(node);
    case 'expansion':
      return visitExpansion(node);
    case 'unary_expression':
      return visitUnaryTest(node);
    default:
      return [];
  }
}
