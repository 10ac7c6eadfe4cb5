// The one base for every error Bastion expects: a stable code and a message safe to show a client.
export class BastionError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

// A path (or symlink target) that resolves outside every allowed root.
export class PathOutsideRootsError extends BastionError {
  constructor(message: string) {
    super('PATH_OUTSIDE_ROOTS', message);
  }
}

// A path matched a deny pattern, or a write was aimed at a read-only root.
export class PathDeniedError extends BastionError {
  constructor(message: string) {
    super('PATH_DENIED', message);
  }
}

// Input that is well-typed but unusable: NUL bytes, too long, wrong kind of file, no match.
export class InvalidInputError extends BastionError {
  constructor(message: string) {
    super('INVALID_INPUT', message);
  }
}

// A file or listing exceeds a configured limit.
export class LimitExceededError extends BastionError {
  constructor(message: string) {
    super('LIMIT_EXCEEDED', message);
  }
}

// An OS error (ENOENT, EACCES, ENOSPC, ...) translated to a message without host details.
export class FileSystemError extends BastionError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

// The command policy refused a command; the message names the rule.
export class CommandDeniedError extends BastionError {
  readonly rule: string;

  constructor(message: string, rule: string) {
    super('COMMAND_DENIED', message);
    this.rule = rule;
  }
}

// No OS sandbox can run here; the shell server refuses to start.
export class SandboxUnavailableError extends BastionError {
  constructor(message: string) {
    super('SANDBOX_UNAVAILABLE', message);
  }
}

// A command ran past its timeout and was killed with its process tree.
export class CommandTimeoutError extends BastionError {
  constructor(message: string) {
    super('COMMAND_TIMEOUT', message);
  }
}

// The config file or flags are wrong; `problems` lists every one, by key path.
export class InvalidConfigError extends BastionError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[], source: string) {
    super('INVALID_CONFIG', `Invalid configuration in ${source}:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

// A request without valid credentials (HTTP transport).
export class AuthError extends BastionError {
  constructor(message: string) {
    super('AUTH', message);
  }
}

// A caller exceeded its rate limit.
export class RateLimitedError extends BastionError {
  constructor(message: string) {
    super('RATE_LIMITED', message);
  }
}

// The audit log could not be written (full disk, deleted or unwritable file): Bastion fails
// closed, so the call was refused before it had any effect.
export class AuditUnavailableError extends BastionError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(
      'AUDIT_UNAVAILABLE',
      `The audit log cannot be written (${reason}), so this call was refused and nothing was done. Ask the operator to fix the audit log (see \`bastion doctor\`); calls work again as soon as it is writable.`,
      options,
    );
  }
}

// A hub state or pid file that exists but does not hold what the hub writes (hand-edited,
// another program's file): lifecycle commands stop rather than act on a guessed pid.
export class InvalidStateFileError extends BastionError {
  constructor(message: string) {
    super('INVALID_STATE_FILE', message);
  }
}

// An undo found a path it would restore changed again since the change it takes back; nothing
// was restored (force overrides).
export class ChangedSinceError extends BastionError {
  readonly paths: readonly string[];

  constructor(message: string, paths: readonly string[]) {
    super('CHANGED_SINCE', message);
    this.paths = paths;
  }
}
