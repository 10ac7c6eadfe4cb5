import { z } from 'zod';

// Deny patterns every config starts from: secrets an agent should never read or overwrite.
export const DEFAULT_DENY_PATTERNS = [
  '**/.env',
  '**/.env.*',
  '**/*.pem',
  '**/*.key',
  '**/id_rsa*',
  '**/id_ed25519*',
  '**/.ssh/**',
  '**/.gnupg/**',
  '**/.aws/credentials',
  '**/.netrc',
] as const;

// Commands refused by default in denylist mode: privilege, disk, system and sandbox-control tools.
export const DEFAULT_DENIED_COMMANDS = [
  'sudo',
  'su',
  'doas',
  'pkexec',
  'chroot',
  'nsenter',
  'unshare',
  'setcap',
  'capsh',
  'mount',
  'umount',
  'losetup',
  'swapon',
  'swapoff',
  'mkfs',
  'mkfs.ext4',
  'mkfs.xfs',
  'mkfs.vfat',
  'fdisk',
  'sfdisk',
  'parted',
  'wipefs',
  'dd',
  'shred',
  'shutdown',
  'reboot',
  'halt',
  'poweroff',
  'init',
  'telinit',
  'systemctl',
  'service',
  'insmod',
  'rmmod',
  'modprobe',
  'sysctl',
  'iptables',
  'ip6tables',
  'nft',
  'useradd',
  'userdel',
  'usermod',
  'passwd',
  'chpasswd',
  'visudo',
  'crontab',
  'bwrap',
  'docker',
  'podman',
] as const;

const CommandNameListSchema = z.array(z.string().min(1).max(256)).max(1000);

// The command policy: a readable layer on top of the OS sandbox.
export const CommandPolicySchema = z
  .object({
    mode: z.enum(['allowlist', 'denylist', 'none']).default('denylist'),
    allow: CommandNameListSchema.default([]),
    deny: CommandNameListSchema.default([...DEFAULT_DENIED_COMMANDS]),
    confirm: CommandNameListSchema.default([]),
    strict: z.boolean().default(true),
  })
  .strict();
export type CommandPolicy = z.infer<typeof CommandPolicySchema>;

export const RootSchema = z
  .object({
    path: z.string().min(1).max(4096),
    mode: z.enum(['read-write', 'read-only']).default('read-write'),
    // Per-root command rules; "none" means nothing runs with this root as its working directory.
    commands: CommandPolicySchema.partial().optional(),
    // May commands execute files in this root (kernel-enforced)? Default: no in allowlist mode
    // (only files the allowlist names by path), yes in the other modes.
    exec: z.boolean().optional(),
  })
  .strict();
export type RootConfig = z.infer<typeof RootSchema>;

export const LimitsSchema = z
  .object({
    maxReadBytes: z
      .number()
      .int()
      .positive()
      .default(10 * 1024 * 1024),
    maxWriteBytes: z
      .number()
      .int()
      .positive()
      .default(50 * 1024 * 1024),
    maxMediaBytes: z
      .number()
      .int()
      .positive()
      .default(20 * 1024 * 1024),
    maxListEntries: z.number().int().positive().default(2000),
    maxTreeEntries: z.number().int().positive().default(5000),
    maxSearchResults: z.number().int().positive().default(1000),
    maxPathLength: z.number().int().positive().max(65536).default(4096),
  })
  .strict();
export type Limits = z.infer<typeof LimitsSchema>;

export const SandboxSchema = z
  .object({
    enabled: z.boolean().default(true),
    network: z.boolean().default(false),
    passEnv: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)).default([]),
    maxProcesses: z.number().int().positive().default(256),
    maxMemoryMb: z.number().int().positive().default(2048),
    maxFileSizeMb: z.number().int().positive().default(1024),
    maxCpuSeconds: z.number().int().positive().default(600),
  })
  .strict();
export type SandboxConfig = z.infer<typeof SandboxSchema>;

export const ShellSchema = z
  .object({
    sandbox: SandboxSchema.default(SandboxSchema.parse({})),
    policy: CommandPolicySchema.default(CommandPolicySchema.parse({})),
    defaultTimeoutMs: z.number().int().positive().default(30_000),
    maxTimeoutMs: z.number().int().positive().default(600_000),
    maxOutputBytes: z
      .number()
      .int()
      .positive()
      .default(64 * 1024),
    maxSessions: z.number().int().positive().default(8),
    sessionIdleMs: z
      .number()
      .int()
      .positive()
      .default(15 * 60_000),
    sessionLifetimeMs: z
      .number()
      .int()
      .positive()
      .default(4 * 60 * 60_000),
    sessionBufferBytes: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024),
  })
  .strict();
export type ShellConfig = z.infer<typeof ShellSchema>;

export const AuditSchema = z
  .object({
    dir: z.string().min(1).default('logs'),
    redactKeys: z.array(z.string()).default([]),
    // audit.jsonl is rotated (renamed audit-<start>-<n>.jsonl, the chains carried on) once it
    // would pass this many bytes, and once its first record is this many days old (UTC days).
    rotateBytes: z
      .number()
      .int()
      .min(4096)
      .default(64 * 1024 * 1024),
    rotateDays: z.number().int().min(1).max(366).default(1),
  })
  .strict();

// Undo: what the files server keeps of each change it makes, and for how long. The store lives
// in the state dir, never inside a root (checked at start), so no agent can read or alter it.
export const HistorySchema = z
  .object({
    enabled: z.boolean().default(true),
    // Relative to the state dir (default <stateDir>/history).
    dir: z.string().min(1).default('history'),
    // Oldest changes are dropped once the kept content passes this many bytes.
    maxBytes: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024 * 1024),
    // Changes older than this many days are dropped.
    maxAgeDays: z.number().positive().max(3650).default(7),
    // Keep what run_command changes in read-write roots too (staged through an overlay and
    // applied when the command exits; docs/DESIGN.md, "History of commands"). Needs a root server
    // and the native launcher; said at start when it cannot be had. Off by default: a command
    // that changes nothing measured +4.7 ms at p50 on a loaded 2-core machine, over the 2 ms goal.
    commands: z.boolean().default(false),
    // Where commands' writes are staged until applied (relative to history.dir; default
    // "staging" inside it). A tmpfs such as /dev/shm/bastion costs less on a busy disk but holds
    // staged writes in memory (a command writing more than it holds gets ENOSPC) and loses them
    // at reboot. Never inside a root (checked at start).
    stagingDir: z.string().min(1).default('.'),
  })
  .strict();
export type HistoryConfig = z.infer<typeof HistorySchema>;

// The hub: both servers over Streamable HTTP in one process. Defaults are the safe ones:
// loopback only, Host/Origin checked, tokens required, bounded bodies and rates.
export const HubSchema = z
  .object({
    // HOST:PORT (IPv6 in brackets). A non-loopback host needs tls or behindTlsProxy.
    listen: z.string().min(1).max(300).default('127.0.0.1:8765'),
    // Host header names allowed (with or without :port); empty = the loopback names.
    allowedHosts: z.array(z.string().min(1).max(300)).max(100).default([]),
    // Origin values allowed (scheme://host[:port]); empty = the loopback origins.
    allowedOrigins: z.array(z.string().min(1).max(300)).max(100).default([]),
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(4 * 1024 * 1024),
    tls: z
      .object({ cert: z.string().min(1), key: z.string().min(1) })
      .strict()
      .optional(),
    // The operator says a TLS-terminating proxy sits in front of a plain-HTTP hub.
    behindTlsProxy: z.boolean().default(false),
    // A request whose headers or body have not arrived by then is dropped (slowloris).
    requestTimeoutMs: z.number().int().positive().default(30_000),
    // 2025-era Mcp-Session-Id sessions close after this long without a request.
    sessionIdleMs: z
      .number()
      .int()
      .positive()
      .default(30 * 60_000),
    maxSessions: z.number().int().positive().default(256),
    rateLimit: z
      .object({
        requestsPerMinute: z.number().int().positive().default(600),
        maxConcurrent: z.number().int().positive().default(32),
        // Requests without a valid token, per client address: bounds token guessing.
        unauthenticatedPerMinute: z.number().int().positive().default(30),
      })
      .strict()
      .default({ requestsPerMinute: 600, maxConcurrent: 32, unauthenticatedPerMinute: 30 }),
  })
  .strict();
export type HubConfig = z.infer<typeof HubSchema>;

export const BastionSettingsSchema = z
  .object({
    roots: z.array(RootSchema).default([]),
    deny: z.array(z.string().min(1)).default([...DEFAULT_DENY_PATTERNS]),
    limits: LimitsSchema.default(LimitsSchema.parse({})),
    audit: AuditSchema.default(AuditSchema.parse({})),
    shell: ShellSchema.default(ShellSchema.parse({})),
    hub: HubSchema.default(HubSchema.parse({})),
    history: HistorySchema.default(HistorySchema.parse({})),
  })
  .strict();
export type BastionSettings = z.infer<typeof BastionSettingsSchema>;

const McpServerEntrySchema = z
  .object({
    command: z.string(),
    args: z.array(z.string()).optional(),
    env: z.record(z.string(), z.string()).optional(),
    cwd: z.string().optional(),
  })
  .passthrough();

// The whole file: the `mcpServers` entries a client needs, plus Bastion's own settings.
export const SettingsFileSchema = z
  .object({
    $schema: z.string().optional(),
    mcpServers: z.record(z.string(), McpServerEntrySchema).default({}),
    bastion: BastionSettingsSchema.default(BastionSettingsSchema.parse({})),
  })
  .strict();
export type SettingsFile = z.infer<typeof SettingsFileSchema>;
