// Threats the OS sandbox (src/sandbox) defends against; every id needs a test whose name starts
// with `[ID]` (test/security/threat-coverage.test.ts checks this). Tests: test/security/sandbox-*.
export const SANDBOX_THREATS = [
  {
    id: 'SBX-FS-01',
    description:
      'A command reads host files outside the roots (/root, /home, /work, /srv, /var, /run sockets, the host /tmp).',
  },
  {
    id: 'SBX-FS-02',
    description:
      'A command writes into system dirs (/usr, /etc) to plant a trojan or change host config.',
  },
  {
    id: 'SBX-FS-03',
    description: 'A command writes, creates or deletes files in a read-only root.',
  },
  {
    id: 'SBX-FS-04',
    description:
      'A command reads /etc secrets (/etc/shadow, /etc/gshadow, sudoers, SSH host keys, any non-world-readable file) that uid 0 could open.',
  },
  {
    id: 'SBX-FS-05',
    description:
      'A command reads a deny-listed file inside a root (.env, *.pem, .ssh/**), directly, through a symlink alias, or in a read-only root.',
  },
  {
    id: 'SBX-FS-06',
    description:
      'A command leaves or finds state in /tmp or HOME across commands, or sees the host /tmp.',
  },
  {
    id: 'SBX-FS-07',
    description:
      'A command unmasks a denied file by renaming, hard-linking, unmounting or deleting the mask.',
  },
  {
    id: 'SBX-FS-08',
    description:
      'A command reads a file the file tools refuse as a secret but the sandbox masks did not cover: a different letter case (KEY.PEM, .ENV) or an absolute deny pattern (/srv/app/secrets/**).',
  },
  {
    id: 'SBX-FS-09',
    description:
      'A command rewrites a read-only root nested in a read-write root by renaming a directory above it (mv a b carries rw/a/ro out from under its mount) and moving it back.',
  },
  {
    id: 'SBX-FS-10',
    description:
      'A command run by a root server (sandbox uid mapped to root) reads a root-only (0600) file in a system dir outside /etc, e.g. an app secret under /opt.',
  },
  {
    id: 'SBX-FS-11',
    description:
      'A command unmasks a denied file whose pattern names its directories (**/.aws/credentials, an absolute pattern) by renaming a parent directory, so the next command no longer masks it.',
  },
  {
    id: 'SBX-PROC-01',
    description:
      'A command writes a host sysctl through /proc/sys (uid 0 outside keeps owner rights on procfs).',
  },
  {
    id: 'SBX-PRIV-01',
    description:
      'A command runs with capabilities, as uid 0, or regains privileges through a setuid binary.',
  },
  {
    id: 'SBX-PRIV-02',
    description:
      'A command creates a nested user namespace (the first step of most kernel privilege escalations).',
  },
  {
    id: 'SBX-PRIV-03',
    description:
      'A command leaves a setuid or setgid file in a read-write root (chmod u+s/g+s, install -m 4755, cp -p or a hard link of a setuid binary, tar -xp, open/mknod with mode 04755), which runs with the server uid (root for a root server) for anyone on the host.',
  },
  {
    id: 'SBX-PRIV-04',
    description:
      'A command leaves a device node in a read-write root (mknod of a char/block device, a 0:0 whiteout by mknod or renameat2 RENAME_WHITEOUT), owned on the host by the server uid.',
  },
  {
    id: 'SBX-PRIV-05',
    description:
      'A command leaves a file with file capabilities in a read-write root (setcap, setxattr security.capability).',
  },
  {
    id: 'SBX-PRIV-06',
    description:
      "A command gets around the privilege filter through another syscall ABI (i386 int 0x80, x32 numbers), a syscall whose mode the filter cannot read (openat2), or io_uring's own openat/mknodat.",
  },
  {
    id: 'SBX-PRIV-07',
    description:
      "A command run by a root server changes the host's device nodes (chmod 600 /dev/null, touch /dev/tty): bwrap --dev binds the host's inodes, which the sandbox uid owns when it maps to root.",
  },
  {
    id: 'SBX-PID-01',
    description:
      'A command sees or signals the server or other sandboxes (kill -9 <server pid>, /proc/<pid>/environ, ps).',
  },
  {
    id: 'SBX-ENV-01',
    description:
      "A command reads the server's environment secrets (env, /proc/self/environ, /proc/1/environ, /proc/*/environ).",
  },
  {
    id: 'SBX-NET-01',
    description:
      'A command connects to a host service on 127.0.0.1 while the network is off (bash /dev/tcp, curl, python3).',
  },
  {
    id: 'SBX-KILL-01',
    description:
      'A background, setsid/nohup or double-forked child outlives the command timeout and acts later.',
  },
  {
    id: 'SBX-KILL-02',
    description: 'kill() or close() leaves part of a sandboxed process tree running.',
  },
  { id: 'SBX-KILL-03', description: 'A background child outlives a command that exited normally.' },
  {
    id: 'SBX-KILL-04',
    description:
      'A sandbox left running by a server killed before it could reap it (SIGKILL in the instant after a spawn) runs on after the server.',
  },
  {
    id: 'SBX-KILL-05',
    description:
      'A command keeps running after its server is SIGKILLed mid-command (the launcher in between outlives the server, or a setsid escapee of an unsandboxed command outlives both).',
  },
  {
    id: 'SBX-DOS-01',
    description:
      'A fork bomb exhausts the process table or makes the server unresponsive, or leaves processes behind.',
  },
  {
    id: 'SBX-DOS-02',
    description:
      "An output flood (yes, head -c 1G /dev/zero) is buffered whole in the server's memory or runs forever.",
  },
  {
    id: 'SBX-DOS-03',
    description: 'A command fills the disk with one huge file beyond the file-size limit.',
  },
  { id: 'SBX-DOS-04', description: 'A command allocates memory beyond the memory limit.' },
  { id: 'SBX-DOS-05', description: 'A command burns CPU beyond the CPU-time limit.' },
  {
    id: 'SBX-DOS-06',
    description:
      "A command fills the host's RAM through the sandbox's own tmpfs (/, /dev, /dev/shm, /tmp, HOME).",
  },
  {
    id: 'SBX-UNAV-01',
    description:
      'With the sandbox enabled but bwrap missing or broken, commands run unsandboxed instead of the server refusing with a fix.',
  },
  {
    id: 'SBX-NONE-01',
    description:
      "With the sandbox disabled, a command still sees the server's secrets, outlives its timeout or floods memory.",
  },
] as const;
