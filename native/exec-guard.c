// bastion-exec-guard: the first program inside every sandbox. It asks the kernel (Landlock) to
// refuse execve of every file outside the given paths, for this process and everything it will
// ever start, then execs the command. No spelling of a command can get around it: the check is
// made by the kernel on the file being executed (and on a script's interpreter, and on the
// dynamic loader), whatever the shell text that led there.
//
// Usage: bastion-exec-guard [-n NPROC] [-x PATH]... -- COMMAND [ARG]...
//        bastion-exec-guard --abi        (prints the kernel's Landlock ABI version, 0 if none)
// Each -x PATH is a file or a directory whose whole tree may be executed. A PATH that does not
// exist is skipped (it grants nothing). -n sets RLIMIT_NPROC, which must be set inside the user
// namespace to count only the sandbox's processes (it saves the prlimit hop there). It runs after bubblewrap has built the mount namespace
// (a Landlock-restricted process may not mount) and after bwrap's seccomp filter is in place.
// Failure to apply the rules is fatal: the command never runs unrestricted (exit 126).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#ifndef SYS_landlock_add_rule
#define SYS_landlock_add_rule 445
#endif
#ifndef SYS_landlock_restrict_self
#define SYS_landlock_restrict_self 446
#endif

static int fail(const char *what, const char *path) {
  int saved = errno;
  fprintf(stderr, "bastion: cannot apply the exec rules (%s%s%s): %s\n", what, path ? " " : "",
          path ? path : "", strerror(saved));
  return 126;
}

static int abi(void) {
  long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
  return v < 0 ? 0 : (int)v;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--abi") == 0) return printf("%d\n", abi()) < 0;
  int cmd = 1;
  while (cmd < argc && strcmp(argv[cmd], "--") != 0) cmd += argv[cmd][0] == '-' ? 2 : 1;
  if (cmd >= argc - 1) {
    fprintf(stderr, "usage: bastion-exec-guard [-x PATH]... -- COMMAND [ARG]...\n");
    return 126;
  }
  struct landlock_ruleset_attr attr = {.handled_access_fs = LANDLOCK_ACCESS_FS_EXECUTE};
  int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
  if (ruleset < 0) return fail("create ruleset", NULL);
  for (int i = 1; i < cmd; i++) {
    if (i + 1 >= cmd || (strcmp(argv[i], "-x") != 0 && strcmp(argv[i], "-n") != 0)) {
      errno = EINVAL;
      return fail("argument", argv[i]);
    }
    if (strcmp(argv[i], "-n") == 0) {
      char *end;
      unsigned long n = strtoul(argv[++i], &end, 10);
      struct rlimit lim = {n, n};
      if (*end != '\0' || setrlimit(RLIMIT_NPROC, &lim) != 0) return fail("nproc", argv[i]);
      continue;
    }
    const char *path = argv[++i];
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT || errno == ENOTDIR) continue;
      return fail("open", path);
    }
    struct landlock_path_beneath_attr rule = {.allowed_access = LANDLOCK_ACCESS_FS_EXECUTE,
                                              .parent_fd = fd};
    if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) != 0)
      return fail("add rule", path);
    close(fd);
  }
  // Security: no_new_privs (bwrap sets it too) is what lets an unprivileged process restrict itself.
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return fail("no_new_privs", NULL);
  if (syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) return fail("restrict", NULL);
  close(ruleset);
  execvp(argv[cmd + 1], argv + cmd + 1);
  fprintf(stderr, "bastion: %s: %s\n", argv[cmd + 1], strerror(errno));
  return errno == ENOENT ? 127 : 126;
}
