#!/usr/bin/env bash
# Build the sandbox's native helpers with the system C compiler into dist/native/:
#   bastion-launcher    (native/launcher.c)    starts commands in their cgroup with their rlimits;
#   bastion-exec-guard  (native/exec-guard.c)  applies the exec rules (Landlock) inside the sandbox.
# Without them Bastion still works: commands then start from Node (slower) and the exec rules rest
# on masks and the parser only (`bastion doctor` says so).
set -euo pipefail
cd "$(dirname "$0")/.."
CC="${CC:-gcc}"
mkdir -p dist/native
for name in launcher exec-guard; do
  "$CC" -std=gnu11 -O2 -Wall -Wextra -Wshadow -Wformat=2 -Werror \
    -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE -pie -Wl,-z,relro,-z,now \
    -o "dist/native/bastion-$name.tmp" "native/$name.c"
  mv "dist/native/bastion-$name.tmp" "dist/native/bastion-$name"
  echo "setup: built dist/native/bastion-$name"
done
