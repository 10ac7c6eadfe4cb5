import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

// Bump when the layout or contents change, so stale data under bench/.data/ is rebuilt.
const DATA_VERSION = 2;
const MARKER = '.complete.json';

// Sizes of the generated data; --quick uses the small set to validate the harness in seconds.
const SIZES = {
  full: {
    groups: 5,
    pkgs: 10,
    mods: 20,
    filesPerDir: 100,
    wideEntries: 10_000,
    bigBytes: 200 * 1024 * 1024,
  },
  quick: {
    groups: 2,
    pkgs: 2,
    mods: 5,
    filesPerDir: 100,
    wideEntries: 1_000,
    bigBytes: 10 * 1024 * 1024,
  },
};

// 100 distinct words for file names; NAME_TOKEN is one of them, so a `*invoice*` search hits ~1%.
const WORDS = (
  'account address agent alert archive asset audit backup balance batch billing branch bucket ' +
  'buffer cache calendar cart catalog channel chart checkout client cluster comment config ' +
  'contact content cookie coupon credit cursor customer dashboard decoder device digest domain ' +
  'draft driver editor email encoder engine event export feature filter folder gateway graph ' +
  'handler header helper history image importer index invoice journal kernel ledger loader ' +
  'locale mailer manager mapper media message metric module monitor network notice order ' +
  'parser payment pipeline planner plugin policy portal printer profile project queue quota ' +
  'record report request router runner schema sender server session signal sketch socket ' +
  'storage ticket'
).split(' ');
export const NAME_TOKEN = 'invoice';
// A word that occurs in the contents of ~1% of files (every 97th), for content search.
export const CONTENT_TOKEN = 'frobnicate';
const EXTS = ['ts', 'md', 'py', 'txt', 'json'];
const LOREM =
  'the quick brown fox jumps over the lazy dog while the agent reads files inside its roots'.split(
    ' ',
  );

// The file name regex every generated tree file matches (used to count entries in responses).
export const TREE_FILE_RE = /[a-z]+-\d{5}\.(?:ts|md|py|txt|json)/g;
export const WIDE_FILE_RE = /entry-\d{5}\.txt/g;

function fileBody(i) {
  const lines = [`// ${WORDS[i % WORDS.length]} module ${i}`];
  const n = 4 + (i % 7);
  for (let l = 0; l < n; l++) {
    const words = [];
    for (let w = 0; w < 8; w++) words.push(LOREM[(i * 31 + l * 7 + w * 3) % LOREM.length]);
    lines.push(words.join(' '));
  }
  if (i % 97 === 0)
    lines.push(`TODO: ${CONTENT_TOKEN} the ${WORDS[i % WORDS.length]} before release`);
  return lines.join('\n') + '\n';
}

function generateTree(treeDir, s) {
  let i = 0;
  for (let g = 0; g < s.groups; g++) {
    for (let p = 0; p < s.pkgs; p++) {
      for (let m = 0; m < s.mods; m++) {
        const dir = path.join(treeDir, `group-${g}`, `pkg-${p}`, `mod-${m}`);
        mkdirSync(dir, { recursive: true });
        for (let f = 0; f < s.filesPerDir; f++, i++) {
          const name = `${WORDS[(i * 37 + g) % WORDS.length]}-${String(i).padStart(5, '0')}.${EXTS[i % EXTS.length]}`;
          writeFileSync(path.join(dir, name), fileBody(i));
        }
      }
    }
  }
  return i;
}

function generateWide(wideDir, count) {
  mkdirSync(wideDir, { recursive: true });
  for (let i = 0; i < count; i++)
    writeFileSync(path.join(wideDir, `entry-${String(i).padStart(5, '0')}.txt`), `${i}\n`);
}

// Numbered lines of ~100 bytes, written in 4 MiB chunks.
function generateBig(file, bytes) {
  const fd = openSync(file, 'w');
  const tail = ' ' + LOREM.join(' ').slice(0, 88) + '\n';
  let written = 0;
  let n = 1;
  try {
    while (written < bytes) {
      const parts = [];
      let chunk = 0;
      while (chunk < 4 * 1024 * 1024 && written + chunk < bytes) {
        const line = String(n++).padStart(10, '0') + tail;
        parts.push(line);
        chunk += line.length;
      }
      const buf = Buffer.from(parts.join(''));
      writeSync(fd, buf);
      written += buf.length;
    }
  } finally {
    closeSync(fd);
  }
  return n - 1;
}

function expectedSpec(mode) {
  return { version: DATA_VERSION, mode, ...SIZES[mode] };
}

function readMarker(root) {
  try {
    return JSON.parse(readFileSync(path.join(root, MARKER), 'utf8'));
  } catch {
    return null;
  }
}

// Generate (or reuse, when the marker says it is complete and current) the bench data set.
export function ensureData(baseDir, mode) {
  const root = path.join(baseDir, mode);
  const spec = expectedSpec(mode);
  const marker = readMarker(root);
  const paths = {
    root,
    tree: path.join(root, 'tree'),
    subtree: path.join(root, 'tree', 'group-0'),
    wide: path.join(root, 'wide'),
    big: path.join(root, 'big.log'),
    small: path.join(root, 'small-1k.txt'),
    // A small project for the shell server, to tell the sandbox's fixed cost from per-root work.
    smallRoot: path.join(root, 'small-root'),
  };
  ensureSmallRoot(paths.smallRoot);
  if (marker && JSON.stringify(marker.spec) === JSON.stringify(spec)) {
    return { paths, ...marker.counts, generatedMs: 0, reused: true };
  }
  const t0 = performance.now();
  if (existsSync(root)) rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  ensureSmallRoot(paths.smallRoot);
  const treeFiles = generateTree(paths.tree, spec);
  generateWide(paths.wide, spec.wideEntries);
  const bigLines = generateBig(paths.big, spec.bigBytes);
  writeFileSync(paths.small, 'x'.repeat(1023) + '\n');
  const perGroup = spec.pkgs * spec.mods * spec.filesPerDir;
  const counts = {
    treeFiles,
    treeDirs: spec.groups * (1 + spec.pkgs * (1 + spec.mods)),
    subtreeEntries: perGroup + spec.pkgs * (1 + spec.mods),
    subtreeFiles: perGroup,
    nameMatches: countNameMatches(treeFiles, spec),
    contentMatches: Math.ceil(treeFiles / 97),
    wideEntries: spec.wideEntries,
    bigBytes: spec.bigBytes,
    bigLines,
  };
  writeFileSync(path.join(root, MARKER), JSON.stringify({ spec, counts }, null, 2));
  return { paths, ...counts, generatedMs: performance.now() - t0, reused: false };
}

// Twenty files in two folders; cheap, so it is (re)made outside the marker.
function ensureSmallRoot(dir) {
  for (const sub of ['src', 'docs']) {
    mkdirSync(path.join(dir, sub), { recursive: true });
    for (let i = 0; i < 10; i++) {
      const file = path.join(dir, sub, `${WORDS[i]}-${i}.txt`);
      if (!existsSync(file)) writeFileSync(file, fileBody(i));
    }
  }
}

function countNameMatches(total, s) {
  let n = 0;
  const perGroup = s.pkgs * s.mods * s.filesPerDir;
  for (let i = 0; i < total; i++)
    if (WORDS[(i * 37 + Math.floor(i / perGroup)) % WORDS.length] === NAME_TOKEN) n++;
  return n;
}
