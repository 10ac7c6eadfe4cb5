#!/usr/bin/env bash
# Build the sandbox launcher (native/launcher.c) with the system C compiler into dist/native/.
# Without it Bastion still works: commands then start from Node (slower; `bastion doctor` says so).
set -euo pipefail
cd "$(dirname "$0")/.."
CC="${CC:-gcc}"
mkdir -p dist/native
"$CC" -std=gnu11 -O2 -Wall -Wextra -Wshadow -Wformat=2 -Werror \
  -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE -pie -Wl,-z,relro,-z,now \
  -o dist/native/bastion-launcher.tmp native/launcher.c
mv dist/native/bastion-launcher.tmp dist/native/bastion-launcher
echo "setup: built dist/native/bastion-launcher"
