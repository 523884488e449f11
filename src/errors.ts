/**
 * Expected errors carry the exit code and a hint for the user; anything else is a bug
 * and is reported as such by the CLI.
 */
export const ExitCode = {
  ok: 0,
  error: 1,
  usage: 2,
  partial: 3,
  reauth: 4,
  locked: 5,
  /** `synder reconcile` ran, and the clearing balance differs from what TikTok owes. */
  unreconciled: 6,
  /** Stopped by Ctrl+C (SIGINT) or SIGTERM: 128 + the signal, as shells report it. */
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class SynderError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly hint?: string;
  readonly code: string;
  constructor(message: string, opts: { exitCode?: ExitCodeValue; hint?: string; code?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.exitCode = opts.exitCode ?? ExitCode.error;
    this.hint = opts.hint;
    this.code = opts.code ?? 'error';
  }
}

/** How an expected error appears in a `--json` document. */
export function errorJson(err: SynderError): { code: string; message: string; hint: string | null } {
  return { code: err.code, message: err.message, hint: err.hint ?? null };
}

/** Bad flags, missing input without a TTY, cancelled prompts. */
export class UsageError extends SynderError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.usage, hint, code: 'usage' });
  }
}

/** Tokens expired or revoked: the user must run `synder connect …` again. */
export class ReauthRequiredError extends SynderError {
  readonly provider: string;
  constructor(provider: string, message: string, hint?: string) {
    super(message, { exitCode: ExitCode.reauth, hint: hint ?? `Run \`synder connect ${provider}\` to sign in again.`, code: 'reauth_required' });
    this.provider = provider;
  }
}

/** Another sync of the same organization holds the lock. */
export class LockedError extends SynderError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.locked, hint, code: 'locked' });
  }
}

/**
 * A sync's lock ended under it (its database connection was cut): another host may hold it now,
 * so the sync stops before booking more. Exit code 5 like a held lock: running it again resumes.
 */
export class LockLostError extends SynderError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.locked, hint, code: 'lock_lost' });
  }
}

/** A response from a provider did not match what we expect from it. */
export class InvalidResponseError extends SynderError {
  constructor(endpoint: string, detail: string) {
    super(`Unexpected response from ${endpoint}: ${detail}`, { code: 'invalid_response' });
  }
}

/** Corrupt, unreadable or too-new state. */
export class StateError extends SynderError {
  constructor(message: string, hint?: string) {
    super(message, { hint, code: 'state' });
  }
}

/** The user stopped the run (Ctrl+C, SIGTERM); what was done is recorded and the next run resumes. */
export class InterruptedError extends SynderError {
  constructor(message = 'Interrupted.', hint?: string) {
    super(message, { exitCode: ExitCode.interrupted, hint, code: 'interrupted' });
  }
}
