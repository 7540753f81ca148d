// One error type for everything fake-rbd refuses. It carries the errno real librbd
// returns, the operator-facing explanation, and the exact stderr text real `rbd` 16.2
// prints for the same mistake, so the CLI (in-process or through the HTTP server) can
// reproduce both the text and the exit status without knowing the rule that failed.

/** errno values as Linux/glibc number them (rbd exits with the errno it failed with). */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EIO: 5,
  EBUSY: 16,
  EEXIST: 17,
  EINVAL: 22,
  EFBIG: 27,
  ENOSPC: 28,
  EROFS: 30,
  EDOM: 33,
  ERANGE: 34,
  ENOTEMPTY: 39,
  EBADMSG: 74,
  EOPNOTSUPP: 95,
} as const;

export type ErrnoCode = keyof typeof ERRNO;

const STRERROR: Record<ErrnoCode, string> = {
  EPERM: "Operation not permitted",
  ENOENT: "No such file or directory",
  EIO: "Input/output error",
  EBUSY: "Device or resource busy",
  EEXIST: "File exists",
  EINVAL: "Invalid argument",
  EFBIG: "File too large",
  ENOSPC: "No space left on device",
  EROFS: "Read-only file system",
  EDOM: "Numerical argument out of domain",
  ERANGE: "Numerical result out of range",
  ENOTEMPTY: "Directory not empty",
  EBADMSG: "Bad message",
  EOPNOTSUPP: "Operation not supported",
};

/** ceph's cpp_strerror(-errno): "(2) No such file or directory". */
export function strerror(code: ErrnoCode): string {
  return `(${ERRNO[code]}) ${STRERROR[code]}`;
}

/** What an error is about; every field an operator may need to find the object. */
export interface RbdErrorContext {
  cluster?: string;
  pool?: string;
  image?: string;
  snap?: string;
  /** the rbd verb (or model operation) that failed, e.g. "snap rm", "import-diff" */
  op?: string;
  /** byte offset in a diff stream or image, for stream and I/O errors */
  offset?: number;
  /** a stable machine-readable reason, e.g. "truncated-stream", "bad-banner" */
  reason?: string;
}

export interface RbdErrorJson {
  name: "RbdError";
  code: ErrnoCode;
  errno: number;
  message: string;
  rbdMessage: string;
  exitStatus: number;
  detail?: string;
  printsTo?: "stdout" | "stderr";
  context: RbdErrorContext;
}

export interface RbdErrorOptions {
  /** stderr text real rbd prints (may hold several lines); defaults to `rbd: <message>` */
  rbdMessage?: string;
  /** exit status of real rbd; defaults to the errno (rbd exits with -r). */
  exitStatus?: number;
  /** what librbd logs (with a timestamp) before the rbd line, e.g. "rbd image a already exists" */
  detail?: string;
  /** where rbd prints rbdMessage; stderr unless noted (snap purge prints to stdout) */
  printsTo?: "stdout" | "stderr";
  context?: RbdErrorContext;
}

export class RbdError extends Error {
  override readonly name = "RbdError";
  readonly code: ErrnoCode;
  readonly errno: number;
  readonly rbdMessage: string;
  readonly exitStatus: number;
  readonly detail: string | undefined;
  readonly printsTo: "stdout" | "stderr";
  readonly context: RbdErrorContext;

  constructor(code: ErrnoCode, message: string, options: RbdErrorOptions = {}) {
    super(message);
    this.code = code;
    this.errno = ERRNO[code];
    this.rbdMessage = options.rbdMessage ?? `rbd: ${message}`;
    this.exitStatus = options.exitStatus ?? ERRNO[code];
    this.detail = options.detail;
    this.printsTo = options.printsTo ?? "stderr";
    this.context = options.context ?? {};
  }

  toJSON(): RbdErrorJson {
    const json: RbdErrorJson = {
      name: "RbdError",
      code: this.code,
      errno: this.errno,
      message: this.message,
      rbdMessage: this.rbdMessage,
      exitStatus: this.exitStatus,
      context: this.context,
    };
    if (this.detail !== undefined) json.detail = this.detail;
    if (this.printsTo !== "stderr") json.printsTo = this.printsTo;
    return json;
  }

  /** Rebuilds an error sent across a process boundary (the HTTP server). */
  static fromJSON(json: RbdErrorJson): RbdError {
    return new RbdError(json.code, json.message, {
      rbdMessage: json.rbdMessage,
      exitStatus: json.exitStatus,
      ...(json.detail === undefined ? {} : { detail: json.detail }),
      ...(json.printsTo === undefined ? {} : { printsTo: json.printsTo }),
      context: json.context,
    });
  }
}

export function isRbdError(value: unknown): value is RbdError {
  return value instanceof RbdError;
}

function where(ctx: RbdErrorContext): string {
  const cluster = ctx.cluster && ctx.cluster !== "ceph" ? `${ctx.cluster}:` : "";
  const image = ctx.image === undefined ? "" : `/${ctx.image}`;
  const snap = ctx.snap === undefined ? "" : `@${ctx.snap}`;
  return `${cluster}${ctx.pool ?? ""}${image}${snap}`;
}

// Factories for every rule, with the wording real rbd 16.2 prints (checked against the
// real binary on a local Pacific cluster). `op` selects the verb-specific wording where
// rbd words the same errno differently per command.

export const errors = {
  poolNotFound(ctx: RbdErrorContext): RbdError {
    const base = `rbd: error opening pool '${ctx.pool}': ${strerror("ENOENT")}`;
    const rbdMessage = ctx.op === "ls" ? `${base}\nrbd: listing images failed: ${strerror("ENOENT")}` : base;
    return new RbdError("ENOENT", `pool '${ctx.pool}' does not exist${clusterSuffix(ctx)}`, {
      rbdMessage,
      context: ctx,
    });
  },

  poolExists(ctx: RbdErrorContext): RbdError {
    return new RbdError("EEXIST", `pool '${ctx.pool}' already exists${clusterSuffix(ctx)}`, {
      rbdMessage: `pool '${ctx.pool}' already exists`,
      context: ctx,
    });
  },

  imageNotFound(ctx: RbdErrorContext): RbdError {
    const e = strerror("ENOENT");
    let rbdMessage = `rbd: error opening image ${ctx.image}: ${e}`;
    let detail: string | undefined;
    if (ctx.op === "rm") rbdMessage = `rbd: delete error: ${e}`;
    else if (ctx.op === "rename") {
      rbdMessage = `rbd: rename error: ${e}`;
      detail = `librbd: error opening source image: ${e}`;
    } else if (ctx.op === "du")
      rbdMessage = `specified image ${ctx.image} is not found.\nrbd: du failed: ${e}`;
    return new RbdError("ENOENT", `image ${where(ctx)} does not exist`, {
      rbdMessage,
      context: ctx,
      ...(detail ? { detail } : {}),
    });
  },

  imageExists(ctx: RbdErrorContext): RbdError {
    const e = strerror("EEXIST");
    let rbdMessage = `rbd: create error: ${e}`;
    let detail = `librbd: rbd image ${ctx.image} already exists`;
    if (ctx.op === "rename") {
      rbdMessage = `rbd: rename error: ${e}`;
      detail = `librbd::Operations: rbd image ${ctx.image} already exists`;
    } else if (ctx.op === "import") rbdMessage = `rbd: image creation failed\nrbd: import failed: ${e}`;
    return new RbdError("EEXIST", `image ${where(ctx)} already exists`, { rbdMessage, detail, context: ctx });
  },

  imageHasSnapshots(ctx: RbdErrorContext, count: number): RbdError {
    return new RbdError(
      "ENOTEMPTY",
      `image ${where(ctx)} has ${count} snapshot(s); purge them before removing it`,
      {
        rbdMessage:
          "rbd: image has snapshots - these must be deleted with 'rbd snap purge' before the image can be removed.",
        context: ctx,
      },
    );
  },

  snapNotFound(ctx: RbdErrorContext): RbdError {
    const e = strerror("ENOENT");
    const byOp: Record<string, string> = {
      "snap rm": `rbd: failed to remove snapshot: ${e}`,
      "snap protect": `rbd: protecting snap failed: ${e}`,
      "snap unprotect": `rbd: unprotecting snap failed: ${e}`,
      "snap rollback": `rbd: rollback failed: ${e}`,
      "snap rename": `rbd: renaming snap failed: ${e}`,
      "export-diff --from-snap": `rbd: export-diff error: ${e}`,
      "diff --from-snap": `rbd: diff error: ${e}`,
    };
    const rbdMessage = byOp[ctx.op ?? ""] ?? `error setting snapshot context: ${e}`;
    return new RbdError("ENOENT", `snapshot ${where(ctx)} does not exist`, {
      rbdMessage,
      context: ctx,
      ...(ctx.op === "snap rollback" ? { detail: "librbd::Operations: No such snapshot found." } : {}),
    });
  },

  snapExists(ctx: RbdErrorContext): RbdError {
    const e = strerror("EEXIST");
    const rbdMessage =
      ctx.op === "snap rename" ? `rbd: renaming snap failed: ${e}` : `rbd: failed to create snapshot: ${e}`;
    return new RbdError("EEXIST", `snapshot ${where(ctx)} already exists`, { rbdMessage, context: ctx });
  },

  snapProtected(ctx: RbdErrorContext): RbdError {
    return new RbdError("EBUSY", `snapshot ${where(ctx)} is protected from removal; unprotect it first`, {
      rbdMessage: `rbd: snapshot '${ctx.snap}' is protected from removal.`,
      detail: "librbd::Operations: snapshot is protected",
      context: ctx,
    });
  },

  snapAlreadyProtected(ctx: RbdErrorContext): RbdError {
    return new RbdError("EBUSY", `snapshot ${where(ctx)} is already protected`, {
      rbdMessage: "rbd: snap is already protected",
      context: ctx,
    });
  },

  snapAlreadyUnprotected(ctx: RbdErrorContext): RbdError {
    return new RbdError("EINVAL", `snapshot ${where(ctx)} is not protected`, {
      rbdMessage: "rbd: snap is already unprotected",
      context: ctx,
    });
  },

  /** `rbd snap purge` removes what it can and reports protected snapshots, yet exits 0. */
  purgeLeftProtected(ctx: RbdErrorContext, names: string[]): RbdError {
    const verb = names.length === 1 ? "is" : "are";
    return new RbdError(
      "EBUSY",
      `image ${where(ctx)}: protected snapshot(s) ${names.join(", ")} were not removed; unprotect them first`,
      {
        rbdMessage: `rbd: error removing snapshot(s) '${names.join(",")}', which ${verb} protected - these must be unprotected with \`rbd snap unprotect\`.`,
        exitStatus: 0,
        printsTo: "stdout",
        context: ctx,
      },
    );
  },

  shrinkNotAllowed(ctx: RbdErrorContext, from: number, to: number): RbdError {
    return new RbdError(
      "EINVAL",
      `image ${where(ctx)}: shrinking from ${from} to ${to} bytes needs allowShrink`,
      {
        rbdMessage: "rbd: shrinking an image is only allowed with the --allow-shrink flag",
        context: ctx,
      },
    );
  },

  readOnlySnapshot(ctx: RbdErrorContext): RbdError {
    return new RbdError("EROFS", `image ${where(ctx)} is opened at a snapshot, which is read-only`, {
      rbdMessage: `rbd: ${strerror("EROFS")}`,
      context: ctx,
    });
  },

  invalid(ctx: RbdErrorContext, why: string, rbdMessage?: string): RbdError {
    return new RbdError("EINVAL", `${ctx.op ?? "rbd"}: ${why}`, {
      rbdMessage: rbdMessage ?? `rbd: ${ctx.op ?? "rbd"} error: ${strerror("EINVAL")}`,
      context: ctx,
    });
  },

  /** I/O outside [0, size): librbd fails the request with EINVAL. */
  outOfRange(ctx: RbdErrorContext, offset: number, length: number, size: number): RbdError {
    return new RbdError(
      "EINVAL",
      `${where(ctx)}: I/O at offset ${offset} length ${length} is beyond the image size ${size}`,
      {
        rbdMessage: `rbd: ${ctx.op ?? "io"} failed: ${strerror("EINVAL")}`,
        context: { ...ctx, offset },
      },
    );
  },
};

function clusterSuffix(ctx: RbdErrorContext): string {
  return ctx.cluster && ctx.cluster !== "ceph" ? ` in cluster '${ctx.cluster}'` : "";
}
