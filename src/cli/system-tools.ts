// What to install when a system tool Bastion relies on is missing: said at start and by doctor,
// so a one-line `npx` setup fails (or degrades) with the exact fix rather than obscurely.

export const RIPGREP_INSTALL =
  '`sudo apt-get install -y ripgrep` (Debian/Ubuntu), `sudo dnf install ripgrep` (Fedora), ' +
  '`sudo pacman -S ripgrep` (Arch), `brew install ripgrep` (macOS)';

export const RIPGREP_MISSING =
  'ripgrep (rg) not found on PATH: search_file_contents is unavailable, every other files tool works. ' +
  `Install it: ${RIPGREP_INSTALL}.`;

// The launcher is C (native/launcher.c); the npm package ships no compiled code, so only a source
// checkout with a C compiler has it.
export function launcherMissingDetail(binary: string, installed: boolean): string {
  const effect =
    'shell commands start from Node instead (same sandbox and limits, tens of ms slower each)';
  return installed
    ? `not included in the npm package (it is C, built with gcc): ${effect}. ` +
        'For the faster start, run Bastion from a source checkout: `npm run setup` builds it (needs gcc and libc6-dev).'
    : `not built (${binary}): ${effect}. Build it with \`npm run build:native\` (needs gcc: \`sudo apt-get install -y gcc libc6-dev\`).`;
}
