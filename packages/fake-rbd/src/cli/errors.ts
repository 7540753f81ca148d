// The CLI's one error funnel. Every failure a verb can hit ends up here as a `CliFailure`
// (the lines rbd would print and the exit status it would return); `bin.ts` alone turns
// the status into the process exit code. rbd returns the positive errno of the failed
// call (2 for ENOENT, 17 for EEXIST, ...), 22 for its own argument checks and 1 for
// option-parsing errors, so the exit codes below follow that table.

/** strerror(3) texts for the errnos an rbd operation can report, as glibc prints them. */
const STRERROR: Readonly<Record<number, string>> = {
  1: "Operation not permitted",
  2: "No such file or directory",
  5: "Input/output error",
  11: "Resource temporarily unavailable",
  12: "Cannot allocate memory",
  13: "Permission denied",
  16: "Device or resource busy",
  17: "File exists",
  18: "Invalid cross-device link",
  22: "Invalid argument",
  27: "File too large",
  28: "No space left on device",
  30: "Read-only file system",
  32: "Broken pipe",
  34: "Numerical result out of range",
  36: "File name too long",
  39: "Directory not empty",
  61: "No data available",
  74: "Bad message",
  95: "Operation not supported",
  107: "Transport endpoint is not connected",
  110: "Connection timed out",
  111: "Connection refused",
  125: "Operation canceled",
};

const ERRNO_BY_CODE: Readonly<Record<string, number>> = {
  EPERM: 1,
  ENOENT: 2,
  EIO: 5,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  EINVAL: 22,
  EFBIG: 27,
  ENOSPC: 28,
  EROFS: 30,
  EPIPE: 32,
  ERANGE: 34,
  ENAMETOOLONG: 36,
  ENOTEMPTY: 39,
  ENODATA: 61,
  EBADMSG: 74,
  EOPNOTSUPP: 95,
  ENOTCONN: 107,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  ECANCELED: 125,
};

export const EXIT_USAGE = 1;
export const EXIT_EINVAL = 22;

export function strerror(errno: number): string {
  return STRERROR[errno] ?? `Unknown error ${errno}`;
}

/** rbd's "(2) No such file or directory" form of cpp_strerror. */
export function cppStrerror(errno: number): string {
  return `(${errno}) ${strerror(errno)}`;
}

/**
 * The positive errno carried by an error: `RbdError` carries one; Node's own I/O errors
 * (a missing input file, a closed pipe) carry a symbolic `code` mapped through the table.
 * Anything else is an internal fault and maps to EIO.
 */
export function errnoOf(error: unknown): number {
  if (typeof error === "object" && error !== null) {
    const { errno, code } = error as { errno?: unknown; code?: unknown };
    if (typeof errno === "number" && Number.isInteger(errno) && errno !== 0) return Math.abs(errno);
    if (typeof code === "string" && code in ERRNO_BY_CODE) return ERRNO_BY_CODE[code] ?? 5;
  }
  return 5;
}

/** What the CLI prints (stderr lines) and the status it exits with. */
export class CliFailure extends Error {
  readonly lines: readonly string[];
  readonly exitCode: number;
  constructor(lines: string | readonly string[], exitCode: number, options?: { cause?: unknown }) {
    const all = typeof lines === "string" ? [lines] : lines;
    super(all.join("\n"), options);
    this.name = "CliFailure";
    this.lines = all;
    this.exitCode = exitCode;
  }
}

/** `rbd: <context>: (errno) strerror`, exiting with the errno, as rbd's verbs report failures. */
export function failWith(context: string, error: unknown, preceding: readonly string[] = []): CliFailure {
  if (error instanceof CliFailure) return error;
  const errno = errnoOf(error);
  return new CliFailure([...preceding, `rbd: ${context}: ${cppStrerror(errno)}`], errno, { cause: error });
}

/** An argument problem rbd reports itself (exit 22): "rbd: image name was not specified". */
export function invalidArgument(message: string): CliFailure {
  return new CliFailure(`rbd: ${message}`, EXIT_EINVAL);
}
