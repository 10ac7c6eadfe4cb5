// What to install when a system tool Bastion relies on is missing: said at start and by doctor,
// so a one-line `npx` setup fails (or degrades) with the exact fix rather than obscurely.

export const RIPGREP_INSTALL =
  '`sudo apt-get install -y ripgrep` (Debian/Ubuntu), `sudo dnf install ripgrep` (Fedora), ' +
  '`sudo pacman -S ripgrep` (Arch), `brew install ripgrep` (macOS)';

export const RIPGREP_MISSING =
  'ripgrep (rg) not found on PATH: search_file_contents is unavailable, every other files tool works. ' +
  `Install it: ${RIPGREP_INSTALL}.`;

// The launcher is C (native/launcher.c); the npm package ships its source, not a binary.
export function launcherMissingDetail(binary: string, installed: boolean): string {
  const effect =
    'shell commands start from Node instead (same sandbox and limits, tens of ms slower each)';
  return installed
    ? `not built (the npm package ships native/launcher.c, not a binary): ${effect}. ` +
        'Build it into the state dir with `bastion build-launcher` (needs gcc: `sudo apt-get install -y gcc libc6-dev`).'
    : `not built (${binary}): ${effect}. Build it with \`npm run build:native\` (needs gcc: \`sudo apt-get install -y gcc libc6-dev\`).`;
}
