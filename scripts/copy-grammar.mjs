// Copy the bash grammar (WebAssembly, built by tree-sitter-bash) into dist/grammars/ so the
// published package carries it and does not depend on tree-sitter-bash, whose install script
// builds a native Node binding Bastion never loads.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const wasm = require.resolve('tree-sitter-bash/tree-sitter-bash.wasm');
const out = fileURLToPath(new URL('../dist/grammars', import.meta.url));
mkdirSync(out, { recursive: true });
copyFileSync(wasm, path.join(out, 'tree-sitter-bash.wasm'));
// tree-sitter-bash is MIT: its notice travels with the copy.
copyFileSync(path.join(path.dirname(wasm), 'LICENSE'), path.join(out, 'tree-sitter-bash.LICENSE'));
