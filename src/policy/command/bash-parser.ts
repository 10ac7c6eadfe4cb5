import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Language, Parser, type Node } from 'web-tree-sitter';

// A parsed shell string: the AST root plus a way to free the wasm memory behind it.
export interface ParsedScript {
  root: Node;
  dispose(): void;
}

// Synchronous parsing once the grammar is loaded; returns null when tree-sitter gives up.
export interface BashParser {
  parse(source: string): ParsedScript | null;
}

// The build copies the grammar to dist/grammars/ (scripts/copy-grammar.mjs), so the published
// package needs no tree-sitter-bash and its install script; from src/ (tests) it is read in place.
function locateBashGrammar(): string {
  const bundled = fileURLToPath(new URL('../../grammars/tree-sitter-bash.wasm', import.meta.url));
  if (existsSync(bundled)) return bundled;
  return createRequire(import.meta.url).resolve('tree-sitter-bash/tree-sitter-bash.wasm');
}

// Loads web-tree-sitter and the bash grammar once; every later parse is synchronous (~20 µs).
export async function loadBashParser(): Promise<BashParser> {
  await Parser.init();
  const wasmPath = locateBashGrammar();
  const bash = await Language.load(wasmPath);
  const parser = new Parser();
  parser.setLanguage(bash);
  return {
    parse(source) {
      const tree = parser.parse(source);
      if (tree === null) return null;
      return { root: tree.rootNode, dispose: () => tree.delete() };
    },
  };
}
