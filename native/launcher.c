// bastion-launcher: a small long-lived process that starts the shell server's sandboxed commands.
//
// Forking the ~150 MB Node server for every command is slow (its page tables are copied), and the
// server needed two extra exec hops (a shell to enter the cgroup, prlimit for the rlimits). This
// process is tiny, so fork is cheap, and the child enters the cgroup and sets the rlimits itself
// before it execs the command. See docs/SANDBOX.md ("The launcher") for the protocol and the
// design; src/sandbox/launcher/ is the client.
//
// Channels (all set up by the server, which is our parent):
//   fd 0   the server's end stays open; EOF means the server is gone: kill everything, exit.
//   fd 1   async events, text lines: "ready <reqfd> <respfd> <static mounts made: 0|1>" once,
//          then "exit <pid> <code> <sig>".
//   fd 2   the server's stderr (diagnostics only).
//   req    a pipe we create; the server opens /proc/<our pid>/fd/<reqfd> and writes frames to it.
//   resp   a pipe we create; one text line answers each frame ("ok ..." or "err <errno> <step>").
// The server blocks on resp, so a launch stays synchronous for it (pid and pipes at once).
//
// Frame: u32 LE body length, then fields: u8 tag, u32 LE length, bytes ending in NUL (counted).
// The first field is the operation:
//   'L' launch: 'c' cwd, 'a' argv (repeated), 'e' env "K=V" (repeated), 'g' cgroup dir
//       (repeated), 'r' rlimit "<name> <soft> <hard>" (repeated), then the child's fds from 3 up,
//       in order: 'd' bytes (a memfd holding them) or 'f' a server fd number (reopened through
//       /proc/<server>/fd/N). Answer: "ok <pid> <stdin> <stdout> <stderr>", our fd numbers of
//       the server's pipe ends, which it opens through /proc and then releases with 'C'.
//   'C' release "<pid>": close our copies of that child's pipe ends. No answer.
//   'K' kill "<pid> <signal> <group 0|1>": signal a child we have not reaped yet (so never a
//       recycled pid). Answer: "ok 0" or "err <errno> kill".
//   'P' prepare an overlay: fields 'o' lower, 'u' upper, 'w' work follow. The overlay is made
//       now (fsopen/fsmount: its work dir set up, off any command's path) and kept detached.
//       Answer: "ok <id>" or "err <errno> prepare". A launch field 'm' "<id> <target>" then
//       attaches it at target in the child's own mount namespace (one cheap move_mount).
//   'O' opaque "<dir>": is this overlay upper dir opaque (xattr trusted.overlay.opaque "y")?
//       Answer: "ok 1", "ok 0" or "err <errno> opaque". (Node has no xattr call.)
// A launch may also carry overlays for history (src/history/command-overlay/): 'o' lower, 'u'
// upper, 'w' work dir, in that order, repeated. The child then gets a mount namespace of its
// own in which each lower dir (a read-write root) is covered by an overlay writing to upper,
// so bwrap's bind of the root shows the overlay and the root itself is left as it was.
// The exec rules (Landlock) are applied inside the sandbox by native/exec-guard.c, after bwrap
// has built the mounts; nothing of them runs here.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define MAX_FRAME (64u << 20)
#define MAX_ITEMS 16384
#define MAX_EXTRA_FDS 256
#define MAX_CGROUPS 4
#define MAX_CHILDREN 4096
#define MAX_OVERLAYS 64
#define MAX_PREPARED 256
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#define CGROUP2_MAGIC 0x63677270

struct child {
  pid_t pid;     // 0: free slot
  int live;      // not reaped yet (only a live child may be signalled)
  int pipes[3];  // our copies of the server's ends, until 'C' (kept past the exit: the server
                 // may not have opened them yet)
  char *cgroups[MAX_CGROUPS];
  int ncgroups;
};

struct launch {
  const char *cwd;
  char *argv[MAX_ITEMS + 1], *envp[MAX_ITEMS + 1];
  int argc, envc;
  const char *cgroups[MAX_CGROUPS];
  int ncgroups;
  struct { int resource; struct rlimit lim; } rlimits[8];
  int nrlimits;
  int fds[MAX_EXTRA_FDS];  // our fds that become the child's 3, 4, ...
  int nfds;
  const char *overlays[MAX_OVERLAYS][3];  // lower, upper, work
  int noverlays, overlay_part;
  int moves[MAX_OVERLAYS];  // detached overlay mounts (fds) to attach...
  const char *move_targets[MAX_OVERLAYS];  // ...at these paths
  int nmoves;
};

// Overlays made ahead by 'P', detached, until a launch attaches them (or we exit).
static struct { int id, fd; } prepared[MAX_PREPARED];
static int next_prepared_id = 1;

static struct child children[MAX_CHILDREN];
static void __attribute__((noreturn)) shutdown_all(void);

// Exit notices waiting for the server to read fd 1. fd 1 is non-blocking: the server may be
// blocked reading our answer to a launch while thousands of children exit, and a blocking write
// of their notices into a full pipe would then deadlock both. The queue grows as needed (a
// notice is never dropped); the server drains it as soon as its event loop runs.
static char *events;
static size_t events_len, events_cap;
static pid_t server_pid;
static int resp_fd = -1;

static void write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    buf += n;
    len -= (size_t)n;
  }
}

static void say(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(int fd, const char *fmt, ...) {
  char line[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n > 0) write_all(fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

// Queue one exit notice, then send what the pipe takes now.
static void flush_events(void) {
  while (events_len > 0) {
    ssize_t n = write(1, events, events_len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // EAGAIN: poll() says when fd 1 takes more
    memmove(events, events + n, events_len - (size_t)n);
    events_len -= (size_t)n;
  }
}

static void queue_event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void queue_event(const char *fmt, ...) {
  char line[64];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n <= 0 || (size_t)n >= sizeof line) return;
  if (events_len + (size_t)n > events_cap) {
    size_t cap = events_cap == 0 ? 4096 : events_cap * 2;
    while (cap < events_len + (size_t)n) cap *= 2;
    char *grown = realloc(events, cap);
    if (grown == NULL) shutdown_all();  // cannot report exits: fail closed, kill everything
    events = grown, events_cap = cap;
  }
  memcpy(events + events_len, line, (size_t)n);
  events_len += (size_t)n;
  flush_events();
}

static int read_full(int fd, void *buf, size_t len) {
  char *p = buf;
  while (len > 0) {
    ssize_t n = read(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

static struct child *find_child(pid_t pid) {
  for (int i = 0; i < MAX_CHILDREN; i++)
    if (children[i].pid == pid && pid > 0) return &children[i];
  return NULL;
}

// A slot is free again once its child is reaped and its pipe ends are released.
static void release_if_done(struct child *c) {
  if (!c->live && c->pipes[0] < 0 && c->pipes[1] < 0 && c->pipes[2] < 0) c->pid = 0;
}

static void close_pipes(struct child *c) {
  for (int i = 0; i < 3; i++)
    if (c->pipes[i] >= 0) close(c->pipes[i]), c->pipes[i] = -1;
}

static int rlimit_resource(const char *name) {
  if (strcmp(name, "fsize") == 0) return RLIMIT_FSIZE;
  if (strcmp(name, "cpu") == 0) return RLIMIT_CPU;
  if (strcmp(name, "core") == 0) return RLIMIT_CORE;
  if (strcmp(name, "as") == 0) return RLIMIT_AS;
  if (strcmp(name, "nproc") == 0) return RLIMIT_NPROC;
  return -1;
}

// A memfd holding `len` bytes, offset 0: read to EOF like the pipe it replaces (bwrap --args).
static int data_fd(const char *bytes, size_t len) {
  int fd = memfd_create("bastion-fd", MFD_CLOEXEC);
  if (fd < 0) return -1;
  size_t off = 0;
  while (off < len) {
    ssize_t n = write(fd, bytes + off, len - off);
    if (n <= 0) return close(fd), -1;
    off += (size_t)n;
  }
  if (lseek(fd, 0, SEEK_SET) != 0) return close(fd), -1;
  return fd;
}

// The server's fd `n`, reopened through /proc with its access mode (a directory or a pipe:
// the same file, so a directory the server opened and verified is the one bwrap binds).
static int server_fd(const char *n) {
  char path[64], info[512];
  snprintf(path, sizeof path, "/proc/%d/fdinfo/%s", (int)server_pid, n);
  int fi = open(path, O_RDONLY | O_CLOEXEC);
  if (fi < 0) return -1;
  ssize_t len = read(fi, info, sizeof info - 1);
  close(fi);
  if (len <= 0) return -1;
  info[len] = '\0';
  char *flags = strstr(info, "flags:");
  if (flags == NULL) return -1;
  int acc = (int)strtol(flags + 6, NULL, 8) & O_ACCMODE;
  snprintf(path, sizeof path, "/proc/%d/fd/%s", (int)server_pid, n);
  return open(path, acc | O_CLOEXEC);
}

static void free_launch_fds(struct launch *l) {
  for (int i = 0; i < l->nfds; i++) close(l->fds[i]);
  l->nfds = 0;
  for (int i = 0; i < l->nmoves; i++) close(l->moves[i]);
  l->nmoves = 0;
}

// Parse a launch frame; returns NULL or the name of the step that failed (errno set).
static const char *parse_launch(char *body, uint32_t size, uint32_t pos, struct launch *l) {
  while (pos < size) {
    if (size - pos < 5) return errno = EINVAL, "frame";
    char tag = body[pos];
    uint32_t len;
    memcpy(&len, body + pos + 1, 4);
    pos += 5;
    if (len == 0 || len > size - pos || body[pos + len - 1] != '\0') return errno = EINVAL, "frame";
    char *value = body + pos;
    pos += len;
    switch (tag) {
      case 'c': l->cwd = value; break;
      case 'a':
        if (l->argc >= MAX_ITEMS) return errno = E2BIG, "argv";
        l->argv[l->argc++] = value;
        break;
      case 'e':
        if (l->envc >= MAX_ITEMS) return errno = E2BIG, "env";
        l->envp[l->envc++] = value;
        break;
      case 'g':
        if (l->ncgroups >= MAX_CGROUPS) return errno = E2BIG, "cgroup";
        l->cgroups[l->ncgroups++] = value;
        break;
      case 'r': {
        char name[16];
        unsigned long long soft, hard;
        if (l->nrlimits >= 8 || sscanf(value, "%15s %llu %llu", name, &soft, &hard) != 3)
          return errno = EINVAL, "rlimit";
        int res = rlimit_resource(name);
        if (res < 0) return errno = EINVAL, "rlimit";
        l->rlimits[l->nrlimits].resource = res;
        l->rlimits[l->nrlimits].lim = (struct rlimit){soft, hard};
        l->nrlimits++;
        break;
      }
      case 'o':
      case 'u':
      case 'w': {
        // Security: the three parts come in order, so an upper dir is never paired with the
        // wrong root.
        int part = tag == 'o' ? 0 : tag == 'u' ? 1 : 2;
        if (part != l->overlay_part || (part == 0 && l->noverlays >= MAX_OVERLAYS))
          return errno = EINVAL, "overlay";
        l->overlays[l->noverlays][part] = value;
        l->overlay_part = (part + 1) % 3;
        if (part == 2) l->noverlays++;
        break;
      }
      case 'm': {
        char *end;
        long id = strtol(value, &end, 10);
        if (*end != ' ' || end[1] != '/' || l->nmoves >= MAX_OVERLAYS) return errno = EINVAL, "overlay";
        int fd = -1;
        for (int i = 0; i < MAX_PREPARED; i++)
          if (prepared[i].id == id && id > 0) fd = prepared[i].fd, prepared[i].id = 0;
        if (fd < 0) return errno = ENOENT, "overlay";
        l->moves[l->nmoves] = fd;
        l->move_targets[l->nmoves++] = end + 1;
        break;
      }
      case 'd':
      case 'f': {
        if (l->nfds >= MAX_EXTRA_FDS) return errno = E2BIG, "fds";
        int fd = tag == 'd' ? data_fd(value, len - 1) : server_fd(value);
        if (fd < 0) return tag == 'd' ? "memfd" : "server-fd";
        l->fds[l->nfds++] = fd;
        break;
      }
      default: return errno = EINVAL, "frame";
    }
  }
  if (l->argc == 0 || l->cwd == NULL || l->overlay_part != 0) return errno = EINVAL, "frame";
  l->argv[l->argc] = NULL;
  l->envp[l->envc] = NULL;
  return NULL;
}

// execvpe, but PATH comes from the command's env (as with Node's spawn), not from ours.
static void exec_command(char **argv, char **envp) {
  if (strchr(argv[0], '/') != NULL) {
    execve(argv[0], argv, envp);
    return;
  }
  const char *search = "/usr/bin:/bin";
  for (char **e = envp; *e != NULL; e++)
    if (strncmp(*e, "PATH=", 5) == 0) search = *e + 5;
  int saved = ENOENT;
  for (const char *dir = search; *dir != '\0';) {
    size_t n = strcspn(dir, ":");
    char file[4096];
    if (n > 0 && n + strlen(argv[0]) + 2 < sizeof file) {
      snprintf(file, sizeof file, "%.*s/%s", (int)n, dir, argv[0]);
      execve(file, argv, envp);
      if (errno != ENOENT && errno != ENOTDIR) saved = errno;
    }
    dir += n + (dir[n] == ':');
  }
  errno = saved;
}

// Append `path` to an overlay option string, escaping what the option parser splits on.
static int append_escaped(char *out, size_t cap, size_t *len, const char *path) {
  for (const char *c = path; *c != '\0'; c++) {
    if (*c == ',' || *c == ':' || *c == '\\') {
      if (*len + 1 >= cap) return -1;
      out[(*len)++] = '\\';
    }
    if (*len + 1 >= cap) return -1;
    out[(*len)++] = *c;
  }
  out[*len] = '\0';
  return 0;
}

// In a mount namespace of the child's own (a slave: nothing reaches the host), cover each lower
// dir with an overlay. redirect_dir, metacopy and index off: every changed file is copied up
// whole and a renamed dir is copied, so the upper dir alone says what the command changed.
static int mount_overlays(struct launch *l) {
  if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) != 0) return -1;
#ifdef MOVE_MOUNT_F_EMPTY_PATH
  for (int i = 0; i < l->nmoves; i++)
    if (move_mount(l->moves[i], "", AT_FDCWD, l->move_targets[i], MOVE_MOUNT_F_EMPTY_PATH) != 0)
      return -1;
#endif
  for (int i = 0; i < l->noverlays; i++) {
    char opts[3 * 8192 + 128];
    size_t len = 0;
    const char *keys[3] = {"lowerdir=", ",upperdir=", ",workdir="};
    opts[0] = '\0';
    for (int part = 0; part < 3; part++) {
      size_t k = strlen(keys[part]);
      if (len + k >= sizeof opts) return errno = ENAMETOOLONG, -1;
      memcpy(opts + len, keys[part], k + 1);
      len += k;
      if (append_escaped(opts, sizeof opts, &len, l->overlays[i][part]) != 0)
        return errno = ENAMETOOLONG, -1;
    }
    // volatile (Linux 5.10+): no sync of the upper file system, above all not the one at
    // unmount, which would cost every command a journal commit (5-20 ms measured) even when it
    // wrote nothing. Staged writes are made durable by the apply, which fsyncs what it copies.
    const char *fixed = ",redirect_dir=off,metacopy=off,index=off,volatile";
    if (len + strlen(fixed) >= sizeof opts) return errno = ENAMETOOLONG, -1;
    memcpy(opts + len, fixed, strlen(fixed) + 1);
    // Security: nosuid and nodev on the overlay too, so nothing the command leaves in it runs
    // with privilege or opens a device even before it is applied (and stripped) on the host.
    if (mount("overlay", l->overlays[i][0], "overlay", MS_NOSUID | MS_NODEV, opts) == 0) continue;
    if (errno != EINVAL) return -1;
    // An older kernel without volatile: the same overlay, synced at unmount.
    opts[len] = '\0';
    memcpy(opts + len, fixed, strlen(fixed) - strlen(",volatile"));
    opts[len + strlen(fixed) - strlen(",volatile")] = '\0';
    if (mount("overlay", l->overlays[i][0], "overlay", MS_NOSUID | MS_NODEV, opts) != 0) return -1;
  }
  return 0;
}

// In the child: everything that must hold before the command's first instruction, then exec.
// Reports a failure as "<errno> <step>" on err_fd (close-on-exec: EOF means the exec worked).
static void run_child(struct launch *l, int stdio[3], int cgroup_fds[], int entered, int err_fd,
                      pid_t launcher) {
  const char *step = "pdeathsig";
  // Security: the command dies with the launcher (and the launcher with the server); bwrap's own
  // --die-with-parent then takes the whole PID namespace down.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != launcher) goto fail;
  // Security: own session and process group (as Node's detached spawn did), killable as a whole.
  step = "setsid";
  if (setsid() < 0) goto fail;
  // Security: join the cgroup(s) before anything runs, so no child can be forked outside the
  // pids/memory ceilings (fork bomb, memory exhaustion). Writing "0" moves the writer itself.
  step = "cgroup";
  for (int i = entered ? l->ncgroups : 0; i < l->ncgroups; i++) {
    int fd = openat(cgroup_fds[i], "cgroup.procs", O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "0", 1) != 1) goto fail;
    close(fd);
  }
  step = "overlay";
  if (l->noverlays + l->nmoves > 0 && mount_overlays(l) != 0) goto fail;
  // Security: per-process ceilings (file size, CPU, core dumps, address space), inherited by
  // bwrap and everything it starts.
  step = "rlimit";
  for (int i = 0; i < l->nrlimits; i++)
    if (setrlimit(l->rlimits[i].resource, &l->rlimits[i].lim) != 0) goto fail;
  // The child's fds: 0-2 its pipes, 3... the extra fds in order. Move every source above the
  // targets first so a dup2 never overwrites a source not yet moved.
  step = "fds";
  int total = 3 + l->nfds, moved[3 + MAX_EXTRA_FDS];
  for (int i = 0; i < total; i++) {
    int src = i < 3 ? stdio[i] : l->fds[i - 3];
    if ((moved[i] = fcntl(src, F_DUPFD_CLOEXEC, total + 3)) < 0) goto fail;
  }
  for (int i = 0; i < total; i++)
    if (dup2(moved[i], i) < 0) goto fail;  // the copies at i are not close-on-exec
  // Every other fd of ours is close-on-exec: the command inherits nothing else.
  sigset_t none;
  sigemptyset(&none);
  for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
  sigprocmask(SIG_SETMASK, &none, NULL);
  step = "chdir";
  if (chdir(l->cwd) != 0) goto fail;
  step = "exec";
  exec_command(l->argv, l->envp);
fail:
  say(err_fd, "%d %s", errno, step);
  _exit(127);
}

static struct child *free_slot(void) {
  for (int i = 0; i < MAX_CHILDREN; i++)
    if (children[i].pid == 0) return &children[i];
  return NULL;
}

static pid_t clone_into_cgroup(int cgroup_fd) {
  struct {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
        set_tid_size, cgroup;
  } args = {0};
  args.flags = CLONE_INTO_CGROUP;
  args.exit_signal = SIGCHLD;
  args.cgroup = (uint64_t)cgroup_fd;
  return (pid_t)syscall(SYS_clone3, &args, sizeof args);
}

static void launch(char *body, uint32_t size, uint32_t pos) {
  static struct launch l;
  memset(&l, 0, sizeof l);
  int p[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}}, errp[2] = {-1, -1}, cgroup_fds[MAX_CGROUPS];
  int ncgfds = 0;
  struct child *slot = free_slot();
  const char *step = slot == NULL ? (errno = EAGAIN, "slots") : parse_launch(body, size, pos, &l);
  for (int i = 0; step == NULL && i < 3; i++)
    if (pipe2(p[i], O_CLOEXEC) != 0) step = "pipe";
  if (step == NULL && pipe2(errp, O_CLOEXEC) != 0) step = "pipe";
  for (; step == NULL && ncgfds < l.ncgroups; ncgfds++)
    if ((cgroup_fds[ncgfds] = open(l.cgroups[ncgfds], O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
      step = "cgroup";
  pid_t pid = -1;
  int entered = 0;
  if (step == NULL) {
    pid_t self = getpid();
    struct statfs fs;
    // cgroup v2: the child is born inside its cgroup (clone3, Linux >= 5.7); else it joins it.
    if (l.ncgroups == 1 && fstatfs(cgroup_fds[0], &fs) == 0 && fs.f_type == CGROUP2_MAGIC) {
      pid = clone_into_cgroup(cgroup_fds[0]);
      entered = pid >= 0;
    }
    if (pid < 0) pid = fork();
    if (pid == 0) {
      int stdio[3] = {p[0][0], p[1][1], p[2][1]};
      run_child(&l, stdio, cgroup_fds, entered, errp[1], self);
    }
    if (pid < 0) step = "fork";
  }
  char failure[64] = "";
  if (errp[1] >= 0) close(errp[1]);
  if (pid > 0) {
    ssize_t n = read(errp[0], failure, sizeof failure - 1);
    failure[n > 0 ? n : 0] = '\0';
  }
  if (errp[0] >= 0) close(errp[0]);
  for (int i = 0; i < ncgfds; i++) close(cgroup_fds[i]);
  free_launch_fds(&l);
  close(p[0][0]), close(p[1][1]), close(p[2][1]);  // the child's ends (close(-1) is harmless)
  if (pid > 0) {
    // Track it even if exec failed: its exit still has to be reaped and reported.
    slot->pid = pid;
    slot->live = 1;
    slot->ncgroups = 0;
    for (int i = 0; i < l.ncgroups; i++) slot->cgroups[slot->ncgroups++] = strdup(l.cgroups[i]);
    slot->pipes[0] = p[0][1], slot->pipes[1] = p[1][0], slot->pipes[2] = p[2][0];
    if (failure[0] != '\0') {
      close_pipes(slot);  // stays tracked (live) until reaped
      say(resp_fd, "err %s\n", failure);
    } else {
      say(resp_fd, "ok %d %d %d %d\n", (int)pid, p[0][1], p[1][0], p[2][0]);
    }
    return;
  }
  int saved = errno;
  close(p[0][1]), close(p[1][0]), close(p[2][0]);
  say(resp_fd, "err %d %s\n", saved, step);
}

// 'P': make an overlay now and keep it detached (see the protocol at the top).
static void prepare_op(char *body, uint32_t size, uint32_t pos) {
  const char *parts[3] = {NULL, NULL, NULL};
  for (int part = 0; part < 3; part++) {
    uint32_t len;
    if (size - pos < 5) return say(resp_fd, "err %d prepare\n", EINVAL);
    memcpy(&len, body + pos + 1, 4);
    if (body[pos] != "ouw"[part] || len == 0 || len > size - pos - 5 ||
        body[pos + 5 + len - 1] != '\0')
      return say(resp_fd, "err %d prepare\n", EINVAL);
    parts[part] = body + pos + 5;
    pos += 5 + len;
  }
  int slot = -1;
  for (int i = 0; i < MAX_PREPARED && slot < 0; i++)
    if (prepared[i].id == 0) slot = i;
  if (slot < 0) return say(resp_fd, "err %d prepare\n", EAGAIN);
#if defined(FSOPEN_CLOEXEC) && defined(MOVE_MOUNT_F_EMPTY_PATH)
  int fs = fsopen("overlay", FSOPEN_CLOEXEC);
  if (fs < 0) return say(resp_fd, "err %d prepare\n", errno);
  // lowerdir+ (Linux 6.8+) takes the path as it is; older kernels get the escaped lowerdir.
  int ok = fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", parts[0], 0) == 0;
  if (!ok) {
    char esc[8192];
    size_t len = 0;
    ok = append_escaped(esc, sizeof esc, &len, parts[0]) == 0 &&
         fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", esc, 0) == 0;
  }
  ok = ok && fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", parts[1], 0) == 0 &&
       fsconfig(fs, FSCONFIG_SET_STRING, "workdir", parts[2], 0) == 0 &&
       fsconfig(fs, FSCONFIG_SET_STRING, "redirect_dir", "off", 0) == 0 &&
       fsconfig(fs, FSCONFIG_SET_STRING, "metacopy", "off", 0) == 0 &&
       fsconfig(fs, FSCONFIG_SET_STRING, "index", "off", 0) == 0 &&
       fsconfig(fs, FSCONFIG_SET_FLAG, "volatile", NULL, 0) == 0 &&
       fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0;
  // Security: nosuid and nodev, as the mount made in the child (mount_overlays).
  int mnt = ok ? fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV) : -1;
  int saved = errno;
  close(fs);
  if (mnt < 0) return say(resp_fd, "err %d prepare\n", saved);
  prepared[slot].id = next_prepared_id++;
  prepared[slot].fd = mnt;
  say(resp_fd, "ok %d\n", prepared[slot].id);
#else
  (void)parts;
  say(resp_fd, "err %d prepare\n", ENOSYS);
#endif
}

static void opaque_op(const char *dir) {
  char value[4];
  ssize_t n = lgetxattr(dir, "trusted.overlay.opaque", value, sizeof value);
  if (n < 0 && errno != ENODATA) return say(resp_fd, "err %d opaque\n", errno);
  say(resp_fd, "ok %d\n", n == 1 && value[0] == 'y');
}

static void kill_op(const char *value) {
  int pid, sig, group;
  struct child *c = NULL;
  if (sscanf(value, "%d %d %d", &pid, &sig, &group) == 3) c = find_child(pid);
  if (c == NULL || !c->live) return say(resp_fd, "err %d kill\n", ESRCH);
  if (kill(group ? -pid : pid, sig) != 0) return say(resp_fd, "err %d kill\n", errno);
  say(resp_fd, "ok 0\n");
}

// One frame from the server. Returns -1 when the request pipe is broken.
static int handle_frame(int req) {
  uint32_t size;
  if (read_full(req, &size, 4) != 0 || size > MAX_FRAME || size < 6) return -1;
  char *body = malloc(size);
  if (body == NULL || read_full(req, body, size) != 0) return free(body), -1;
  uint32_t len;
  memcpy(&len, body + 1, 4);
  if (len == 0 || len > size - 5 || body[5 + len - 1] != '\0') return free(body), -1;
  const char *value = body + 5;
  struct child *c;
  switch (body[0]) {
    case 'L': launch(body, size, 5 + len); break;
    case 'K': kill_op(value); break;
    case 'O': opaque_op(value); break;
    case 'P': prepare_op(body, size, 5 + len); break;
    case 'C':
      if ((c = find_child(atoi(value))) != NULL) close_pipes(c), release_if_done(c);
      break;
    default: free(body); return -1;
  }
  free(body);
  return 0;
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    struct child *c = find_child(pid);
    if (c == NULL || !c->live) continue;
    for (int i = 0; i < c->ncgroups; i++) free(c->cgroups[i]);
    c->live = 0;
    c->ncgroups = 0;
    release_if_done(c);
    if (WIFEXITED(status)) queue_event("exit %d %d 0\n", (int)pid, WEXITSTATUS(status));
    else queue_event("exit %d -1 %d\n", (int)pid, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  }
}

// Kill every process left in one cgroup; returns how many were still there.
static int kill_cgroup(const char *dir) {
  char path[4200], buf[4096];
  snprintf(path, sizeof path, "%s/cgroup.kill", dir);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    if (write(fd, "1", 1) < 0) { /* cgroup v1 or already gone: the per-pid kill below */ }
    close(fd);
  }
  snprintf(path, sizeof path, "%s/cgroup.procs", dir);
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  int found = 0;
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf - 1)) > 0) {
    buf[n] = '\0';
    for (char *s = buf, *end; *s != '\0'; s = end) {
      long pid = strtol(s, &end, 10);
      if (end == s) break;
      if (pid > 0) kill((pid_t)pid, SIGKILL), found++;
    }
  }
  close(fd);
  return found;
}

// The server is gone: no sandbox may outlive it. Kill every tree (process group, then whatever
// is left in its cgroups, setsid escapees included), then exit.
static void __attribute__((noreturn)) shutdown_all(void) {
  for (int i = 0; i < MAX_CHILDREN; i++)
    if (children[i].live) kill(-children[i].pid, SIGKILL), kill(children[i].pid, SIGKILL);
  for (int round = 0; round < 100; round++) {
    int left = 0;
    for (int i = 0; i < MAX_CHILDREN; i++)
      for (int j = 0; j < children[i].ncgroups; j++) left += kill_cgroup(children[i].cgroups[j]);
    while (waitpid(-1, NULL, WNOHANG) > 0) continue;
    if (left == 0) break;
    nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
  }
  _exit(0);
}

// Static mounts (a root server only): made once in a mount namespace of our own, so every
// sandbox inherits them through bwrap's recursive binds instead of paying a mount each per
// command (bwrap re-reads the whole mount table for every mount it makes). Our namespace is a
// slave of the host's: host mounts still reach us, ours never reach the host.
//   -d SRC DEST  bind SRC over DEST as it is (a device node: the server's own /dev/null, ...)
//   -m DEST      bind /dev/null over DEST, read-only, nodev: an unopenable mask
//   -t DEST      an empty read-only tmpfs over the directory DEST
// Returns 1 when all were made, 0 when none were asked or one failed (the server then sends
// every mount with each command, as without them).
static int static_mounts(int argc, char **argv) {
  if (argc <= 2) return 0;
  if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) != 0) return 0;
  const unsigned long ro = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV;
  for (int i = 2; i < argc; i++) {
    const char *opt = argv[i];
    int ok;
    if (strcmp(opt, "-d") == 0 && i + 2 < argc) {
      ok = mount(argv[i + 1], argv[i + 2], NULL, MS_BIND, NULL) == 0;
      i += 2;
    } else if (strcmp(opt, "-m") == 0 && i + 1 < argc) {
      ok = mount("/dev/null", argv[i + 1], NULL, MS_BIND, NULL) == 0 &&
           mount(NULL, argv[i + 1], NULL, ro, NULL) == 0;
      i += 1;
    } else if (strcmp(opt, "-t") == 0 && i + 1 < argc) {
      ok = mount("tmpfs", argv[i + 1], "tmpfs", MS_NOSUID | MS_NODEV, "size=4k,mode=0755") == 0 &&
           mount(NULL, argv[i + 1], NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) == 0;
      i += 1;
    } else {
      ok = 0;
    }
    if (!ok) {
      fprintf(stderr, "bastion-launcher: static mount %s %s: %s\n", opt, argv[i], strerror(errno));
      return 0;
    }
  }
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: bastion-launcher <server pid> [-d SRC DEST | -m DEST | -t DEST]...\n");
    return 2;
  }
  server_pid = (pid_t)atoi(argv[1]);
  // Security: the server's death reaches us as SIGTERM (handled: kill every sandbox, exit); the
  // getppid check closes the race with a server that died before the prctl.
  if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != server_pid) return 1;
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD), sigaddset(&mask, SIGTERM), sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGHUP);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  signal(SIGPIPE, SIG_IGN);
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
  int req[2], resp[2];
  if (sfd < 0 || pipe2(req, O_CLOEXEC) != 0 || pipe2(resp, O_CLOEXEC) != 0) return 1;
  resp_fd = resp[1];
  for (int i = 0; i < MAX_CHILDREN; i++)
    children[i].pipes[0] = children[i].pipes[1] = children[i].pipes[2] = -1;
  int mounted = static_mounts(argc, argv);
  say(1, "ready %d %d %d\n", req[1], resp[0], mounted);
  if (fcntl(1, F_SETFL, fcntl(1, F_GETFL) | O_NONBLOCK) != 0) return 1;
  int server_opened = 0;
  for (;;) {
    struct pollfd fds[4] = {
        {0, POLLIN, 0}, {req[0], POLLIN, 0}, {sfd, POLLIN, 0}, {events_len > 0 ? 1 : -1, POLLOUT, 0}};
    if (poll(fds, 4, -1) < 0) {
      if (errno == EINTR) continue;
      shutdown_all();
    }
    if (fds[3].revents & POLLOUT) flush_events();
    if (fds[3].revents & (POLLERR | POLLHUP)) shutdown_all();
    if (fds[2].revents & POLLIN) {
      struct signalfd_siginfo si;
      if (read(sfd, &si, sizeof si) == sizeof si && si.ssi_signo != SIGCHLD) shutdown_all();
      reap();
    }
    if (fds[1].revents & POLLIN) {
      if (!server_opened) {
        // The server holds its own copies now (opened through /proc): drop ours, so its exit
        // closes the request pipe and we see EOF.
        close(req[1]), close(resp[0]);
        server_opened = 1;
      }
      if (handle_frame(req[0]) != 0) shutdown_all();
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[64];
      if (read(0, buf, sizeof buf) <= 0) shutdown_all();
    }
  }
}
