// Every failure the operator can see is a MigratorError: a stable code, one clear line,
// and (where we know it) what to do about it. bin.ts maps `exitCode` to the process.

export type ErrorCode =
  | "USAGE"
  | "CONFIG"
  | "AUTH"
  | "FORBIDDEN"
  | "CONNECTION"
  | "HTTP"
  | "NOT_FOUND"
  | "JOURNAL"
  | "RECORD"
  | "RBD"
  | "STEP"
  | "TIMEOUT";

/** Documented exit codes (see README): 0 all volumes migrated, 1 some volume failed, 2 bad input or config, 3 cloud unreachable/auth. */
export const EXIT = { ok: 0, volumesFailed: 1, badInput: 2, cloud: 3, interrupted: 130 } as const;

export class MigratorError extends Error {
  readonly code: ErrorCode;
  readonly suggestion: string | undefined;
  readonly exitCode: number;
  constructor(
    code: ErrorCode,
    message: string,
    options: { suggestion?: string; exitCode?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.suggestion = options.suggestion;
    this.exitCode = options.exitCode ?? EXIT.badInput;
  }
}

export class UsageError extends MigratorError {
  constructor(message: string, suggestion?: string) {
    super("USAGE", message, suggestion === undefined ? {} : { suggestion });
  }
}

export class ConfigError extends MigratorError {
  constructor(message: string, suggestion?: string) {
    super("CONFIG", message, suggestion === undefined ? {} : { suggestion });
  }
}

export class AuthError extends MigratorError {
  constructor(message: string, suggestion?: string) {
    super("AUTH", message, { exitCode: EXIT.cloud, ...(suggestion === undefined ? {} : { suggestion }) });
  }
}

export class ConnectionFailed extends MigratorError {
  constructor(url: string, cause: unknown) {
    const why = cause instanceof Error ? describeCause(cause) : String(cause);
    super("CONNECTION", `cannot reach ${url}: ${why}`, { exitCode: EXIT.cloud, cause });
  }
}

/** A non-2xx answer from Cinder or Keystone, with the fault message the service gave. */
export class CinderHttpError extends MigratorError {
  readonly status: number;
  readonly faultName: string | undefined;
  readonly faultMessage: string;
  constructor(
    method: string,
    url: string,
    status: number,
    faultName: string | undefined,
    faultMessage: string,
  ) {
    super("HTTP", `${method} ${url} → ${status}${faultName ? ` ${faultName}` : ""}: ${faultMessage}`, {
      exitCode: EXIT.cloud,
    });
    this.status = status;
    this.faultName = faultName;
    this.faultMessage = faultMessage;
  }
}

export class NotFound extends MigratorError {
  constructor(message: string) {
    super("NOT_FOUND", message);
  }
}

export class JournalCorrupt extends MigratorError {
  constructor(file: string, line: number, why: string) {
    super("JOURNAL", `journal ${file} is corrupt at line ${line}: ${why}`, {
      suggestion: "the journal is append-only; restore it from a copy or start a new run",
    });
  }
}

export class RecordInvalid extends MigratorError {
  constructor(message: string) {
    super("RECORD", message, {
      suggestion:
        'a record file is JSON {"backup_service": "...", "backup_url": "<base64>"} as `export` writes it',
    });
  }
}

export class RbdFailed extends MigratorError {
  constructor(args: string[], exit: number | null, stderr: string) {
    super(
      "RBD",
      `rbd ${args.join(" ")} failed (exit ${exit ?? "signal"}): ${stderr.trim().split("\n").at(-1) ?? ""}`,
      {
        exitCode: EXIT.cloud,
      },
    );
  }
}

export class StepTimeout extends MigratorError {
  constructor(what: string, ms: number, lastStatus: string | undefined) {
    super(
      "TIMEOUT",
      `${what} did not finish within ${Math.round(ms / 1000)} s (last status ${lastStatus ?? "unknown"})`,
    );
  }
}

function describeCause(error: Error): string {
  const code = (error as { code?: string }).code;
  const inner = error.cause instanceof Error ? error.cause : undefined;
  const innerCode = inner ? (inner as { code?: string }).code : undefined;
  return [code ?? innerCode, inner?.message ?? error.message].filter(Boolean).join(" ");
}

/** Cinder 5xx, quota 413 and transport failures are worth another try; 4xx otherwise are final. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ConnectionFailed) return true;
  if (error instanceof CinderHttpError)
    return error.status === 413 || (error.status >= 500 && error.status !== 501);
  return false;
}
