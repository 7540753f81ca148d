// RbdBackend over the REAL Ceph command-line tools: every call runs `rbd` (pools: `rados`,
// `ceph`) as a subprocess against a cluster given by a ceph.conf, a cephx user and its
// keyring. This is how fake-cinder's drivers run on a real Ceph 16.2 instead of the model:
// the same code path, real bytes, real snapshots, real errors.
//
// Data moves the way Cinder's ceph backup driver moves it: `rbd export-diff ... -` streamed
// into `rbd import-diff - ...` (the bytes pass through this process between the two pipes,
// never buffered whole). Calls the CLI has no verb for are built from ones it has: a write
// at an offset is an import-diff of a one-record diff stream, a discard is a zero record,
// a read is `rbd export` cut to the range (stopped as soon as the range is read).
//
// A failing tool becomes an RbdError carrying real rbd's stderr (rbdMessage) and exit
// status; rbd exits with the errno it failed with, which gives the error code.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { PassThrough, Readable } from "node:stream";
import { z } from "zod";
import type {
  CreateImageOptions,
  DiffExtent,
  DiffReadOptions,
  DiskUsage,
  ExportDiffOptions,
  ExportFormatOptions,
  ImageInfo,
  ImageRef,
  ImportDiffOptions,
  RbdBackend,
  SnapInfo,
  SnapRef,
} from "./backend.js";
import { encodeBanner, encodeEnd, encodeWrite, encodeZero } from "./diff/index.js";
import { ERRNO, type ErrnoCode, RbdError, type RbdErrorContext } from "./model/index.js";

/** How the ceph tools reach one cluster: `--conf`, `--id`, `--keyring`. */
export interface CephClientIdentity {
  /** path of the cluster's ceph.conf */
  conf: string;
  /** cephx user without `client.` (default: admin) */
  id?: string;
  /** keyring path (default: what the conf says) */
  keyring?: string;
}

export interface RbdCliBackendOptions {
  /**
   * The clusters by the name an ImageRef carries in `cluster` (fake-cinder's lab uses the
   * OpenStack cluster name, e.g. "a", "b", "backup"). Several names may point at the same
   * real cluster (one conf, different pools).
   */
  clusters?: Record<string, CephClientIdentity>;
  /** used for refs without a cluster or with one not listed in `clusters` */
  default?: CephClientIdentity;
  /** executables (default: rbd, rados, ceph from PATH) */
  rbdBin?: string;
  radosBin?: string;
  cephBin?: string;
  /** kill a tool that runs longer than this (default 120 s): a hung cluster fails, not hangs */
  timeoutMs?: number;
  /** placement groups of pools created by createPool (default 8) */
  pgNum?: number;
}

// `rbd ... --format json` outputs, as rbd 16.2 prints them (booleans are strings there).
const boolString = z
  .union([z.literal("true"), z.literal("false"), z.boolean()])
  .transform((v) => v === true || v === "true");
const ctime = z.string().transform((s) => new Date(s));

const infoSchema = z.object({
  name: z.string(),
  id: z.string(),
  size: z.number(),
  objects: z.number(),
  order: z.number(),
  object_size: z.number(),
  snapshot_count: z.number(),
  block_name_prefix: z.string(),
  format: z.literal(2),
  features: z.array(z.string()),
  op_features: z.array(z.string()),
  flags: z.array(z.string()),
  create_timestamp: ctime,
  access_timestamp: ctime,
  modify_timestamp: ctime,
  stripe_unit: z.number().optional(),
  stripe_count: z.number().optional(),
  protected: boolString.optional(),
});
const snapListSchema = z.array(
  z.object({ id: z.number(), name: z.string(), size: z.number(), protected: boolString, timestamp: ctime }),
);
const diffSchema = z.array(z.object({ offset: z.number(), length: z.number(), exists: boolString }));
const duSchema = z.object({
  images: z.array(
    z.object({
      name: z.string(),
      id: z.string().optional(),
      snapshot: z.string().optional(),
      snapshot_id: z.number().optional(),
      provisioned_size: z.number(),
      used_size: z.number(),
    }),
  ),
});
const nameListSchema = z.array(z.string());

const ERRNO_BY_STATUS = new Map<number, ErrnoCode>(
  (Object.entries(ERRNO) as Array<[ErrnoCode, number]>).map(([code, n]) => [n, code]),
);

/** RADOS objects of one cluster, shaped like fake-cinder's RadosObjectStore. */
export interface RadosObjects {
  get(pool: string, name: string): string | undefined;
  /** false when the object already exists (exclusive create) */
  create(pool: string, name: string, data: string): boolean;
  remove(pool: string, name: string): boolean;
  list(pool: string): string[];
}

interface ToolResult {
  stdout: Buffer;
  stderr: string;
}

interface RunRequest {
  bin: string;
  args: string[];
  /** bytes or a stream for the tool's stdin */
  input?: Uint8Array | Readable;
  context: RbdErrorContext;
}

export class RbdCliBackend implements RbdBackend {
  readonly #options: RbdCliBackendOptions;
  readonly #timeoutMs: number;

  constructor(options: RbdCliBackendOptions) {
    if (!options.default && Object.keys(options.clusters ?? {}).length === 0)
      throw new Error(
        "RbdCliBackend needs a default cluster or at least one in `clusters` (a ceph.conf each)",
      );
    this.#options = options;
    this.#timeoutMs = options.timeoutMs ?? 120_000;
  }

  /** the `--conf/--id/--keyring` arguments for a cluster name */
  identityArgs(cluster?: string): string[] {
    const identity =
      (cluster === undefined ? undefined : this.#options.clusters?.[cluster]) ?? this.#options.default;
    if (!identity)
      throw new RbdError(
        "ENOENT",
        `no Ceph cluster "${cluster ?? "ceph"}" is configured (conf, id, keyring)`,
        {
          context: { cluster: cluster ?? "ceph" },
        },
      );
    const args = ["--conf", identity.conf, "--id", identity.id ?? "admin"];
    if (identity.keyring) args.push("--keyring", identity.keyring);
    return args;
  }

  /**
   * The RADOS objects of a pool (not images): what Cinder's ceph backup driver keeps as
   * `backup.<bid>.meta`. Synchronous like fake-cinder's RadosObjectStore (the `rados` CLI run
   * with spawnSync): the objects are small and touched once per backup, create or restore.
   */
  radosObjects(cluster?: string): RadosObjects {
    const identity = this.identityArgs(cluster);
    const rados = (pool: string, args: string[], input?: string) => {
      const r = spawnSync(this.#rados, [...identity, "-p", pool, ...args], {
        input: input ?? "",
        timeout: this.#timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
      });
      if (r.error)
        throw new RbdError("EIO", `could not run ${this.#rados}: ${r.error.message}`, {
          context: { cluster: cluster ?? "ceph", pool, op: `rados ${args[0]}` },
        });
      const stderr = r.stderr.toString("utf8");
      // rados exits 1 for every failure; its error line names the errno
      return {
        status: r.status ?? 128,
        stdout: r.stdout.toString("utf8"),
        stderr,
        errno: errnoOf(stderr.trim()),
      };
    };
    const fail = (pool: string, op: string, r: { status: number; stderr: string }) =>
      toolError(r.status, null, r.stderr, { cluster: cluster ?? "ceph", pool, op: `rados ${op}` });
    return {
      get(pool, name) {
        const r = rados(pool, ["get", name, "-"]);
        if (r.status !== 0 && r.errno === "ENOENT") return undefined;
        if (r.status !== 0) throw fail(pool, "get", r);
        return r.stdout;
      },
      create(pool, name, data) {
        // `rados create` is exclusive (EEXIST when the object exists), then the bytes go in
        const made = rados(pool, ["create", name]);
        if (made.status !== 0 && made.errno === "EEXIST") return false;
        if (made.status !== 0) throw fail(pool, "create", made);
        const put = rados(pool, ["put", name, "-"], data);
        if (put.status !== 0) throw fail(pool, "put", put);
        return true;
      },
      remove(pool, name) {
        const r = rados(pool, ["rm", name]);
        if (r.status !== 0 && r.errno === "ENOENT") return false;
        if (r.status !== 0) throw fail(pool, "rm", r);
        return true;
      },
      list(pool) {
        const r = rados(pool, ["ls"]);
        if (r.status !== 0) throw fail(pool, "ls", r);
        return r.stdout.split("\n").filter(Boolean).sort();
      },
    };
  }

  // ---- pools ------------------------------------------------------------------------

  async listPools(cluster?: string): Promise<string[]> {
    const { stdout } = await this.#run({
      bin: this.#rados,
      args: [...this.identityArgs(cluster), "lspools"],
      context: { cluster: cluster ?? "ceph", op: "lspools" },
    });
    return stdout.toString("utf8").split("\n").filter(Boolean);
  }

  async createPool(pool: string, cluster?: string): Promise<void> {
    const pg = String(this.#options.pgNum ?? 8);
    await this.#run({
      bin: this.#ceph,
      args: [...this.identityArgs(cluster), "osd", "pool", "create", pool, pg, pg],
      context: { cluster: cluster ?? "ceph", pool, op: "osd pool create" },
    });
  }

  async initPool(pool: string, cluster?: string): Promise<void> {
    await this.#rbd(cluster, ["pool", "init", pool], { pool, op: "pool init" });
  }

  async removePool(pool: string, cluster?: string): Promise<void> {
    await this.#run({
      bin: this.#ceph,
      args: [...this.identityArgs(cluster), "osd", "pool", "rm", pool, pool, "--yes-i-really-really-mean-it"],
      context: { cluster: cluster ?? "ceph", pool, op: "osd pool rm" },
    });
  }

  // ---- images -----------------------------------------------------------------------

  async listImages(pool: string, cluster?: string): Promise<string[]> {
    const { stdout } = await this.#rbd(cluster, ["ls", "--format", "json", pool], { pool, op: "ls" });
    return parseJson(nameListSchema, stdout, "rbd ls");
  }

  async createImage(ref: ImageRef, options: CreateImageOptions): Promise<void> {
    const args = ["create", "--size", bytes(options.size)];
    if (options.order !== undefined) args.push("--object-size", bytes(2 ** options.order));
    if (options.features !== undefined) args.push("--image-feature", options.features.join(","));
    if (options.stripeUnit !== undefined) args.push("--stripe-unit", bytes(options.stripeUnit));
    if (options.stripeCount !== undefined) args.push("--stripe-count", String(options.stripeCount));
    args.push(spec(ref));
    await this.#rbd(ref.cluster, args, context(ref, "create"));
  }

  async imageInfo(ref: SnapRef): Promise<ImageInfo> {
    const { stdout } = await this.#rbd(
      ref.cluster,
      ["info", "--format", "json", spec(ref)],
      context(ref, "info"),
    );
    const i = parseJson(infoSchema, stdout, "rbd info");
    const info: ImageInfo = {
      name: i.name,
      id: i.id,
      size: i.size,
      order: i.order,
      objectSize: i.object_size,
      snapshotCount: i.snapshot_count,
      blockNamePrefix: i.block_name_prefix,
      format: 2,
      objectCount: i.objects,
      features: i.features,
      opFeatures: i.op_features,
      flags: i.flags,
      createTimestamp: i.create_timestamp,
      accessTimestamp: i.access_timestamp,
      modifyTimestamp: i.modify_timestamp,
    };
    if (i.stripe_unit !== undefined) info.stripeUnit = i.stripe_unit;
    if (i.stripe_count !== undefined) info.stripeCount = i.stripe_count;
    if (i.protected !== undefined) info.protected = i.protected;
    return info;
  }

  async resizeImage(ref: ImageRef, size: number, options: { allowShrink?: boolean } = {}): Promise<void> {
    const args = ["resize", "--no-progress", "--size", bytes(size)];
    if (options.allowShrink) args.push("--allow-shrink");
    await this.#rbd(ref.cluster, [...args, spec(ref)], context(ref, "resize"));
  }

  async removeImage(ref: ImageRef): Promise<void> {
    await this.#rbd(ref.cluster, ["rm", "--no-progress", spec(ref)], context(ref, "rm"));
  }

  async renameImage(ref: ImageRef, newName: string): Promise<void> {
    await this.#rbd(
      ref.cluster,
      ["rename", spec(ref), spec({ ...ref, image: newName })],
      context(ref, "rename"),
    );
  }

  /** A one-record diff stream (no snapshots named) applied with import-diff. */
  async writeImage(ref: ImageRef, offset: number, data: Uint8Array): Promise<void> {
    if (data.byteLength === 0) return;
    const stream = Readable.from([encodeBanner(1), encodeWrite(offset, data), encodeEnd()]);
    // sparse-size 0: every byte given is written, zeros included (a write must overwrite)
    await this.#importDiff(ref, stream, ["--sparse-size", "0"], "write");
  }

  async readImage(ref: SnapRef, offset: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    if (length === 0) return out;
    const { stdout, child, done } = this.#spawn(
      this.#rbdBin,
      [...this.identityArgs(ref.cluster), "export", "--no-progress", spec(ref), "-"],
      undefined,
      context(ref, "read"),
    );
    let at = 0;
    let filled = 0;
    try {
      for await (const chunk of stdout as AsyncIterable<Buffer>) {
        const start = Math.max(offset - at, 0);
        const end = Math.min(offset + length - at, chunk.byteLength);
        if (end > start) {
          out.set(chunk.subarray(start, end), at + start - offset);
          filled += end - start;
        }
        at += chunk.byteLength;
        if (filled >= length) break;
      }
    } finally {
      // the range is read: the rest of the export is not needed
      if (filled >= length) child.kill("SIGTERM");
    }
    if (filled >= length) {
      await done.catch(() => undefined);
      return out;
    }
    await done;
    throw new RbdError("EINVAL", `read of ${length} bytes at ${offset} is past the end of ${spec(ref)}`, {
      context: { ...context(ref, "read"), offset },
    });
  }

  async discardImage(ref: ImageRef, offset: number, length: number): Promise<void> {
    if (length <= 0) return;
    const stream = Readable.from([encodeBanner(1), encodeZero(offset, length), encodeEnd()]);
    await this.#importDiff(ref, stream, [], "discard");
  }

  // ---- snapshots --------------------------------------------------------------------

  async listSnaps(ref: ImageRef): Promise<SnapInfo[]> {
    const { stdout } = await this.#rbd(
      ref.cluster,
      ["snap", "ls", "--format", "json", spec(ref)],
      context(ref, "snap ls"),
    );
    return parseJson(snapListSchema, stdout, "rbd snap ls");
  }

  async createSnap(ref: ImageRef, snap: string): Promise<void> {
    await this.#rbd(
      ref.cluster,
      ["snap", "create", "--no-progress", spec({ ...ref, snap })],
      context({ ...ref, snap }, "snap create"),
    );
  }

  async removeSnap(ref: ImageRef, snap: string): Promise<void> {
    await this.#rbd(
      ref.cluster,
      ["snap", "rm", "--no-progress", spec({ ...ref, snap })],
      context({ ...ref, snap }, "snap rm"),
    );
  }

  async purgeSnaps(ref: ImageRef): Promise<void> {
    await this.#rbd(ref.cluster, ["snap", "purge", "--no-progress", spec(ref)], context(ref, "snap purge"));
  }

  async protectSnap(ref: ImageRef, snap: string): Promise<void> {
    await this.#rbd(
      ref.cluster,
      ["snap", "protect", spec({ ...ref, snap })],
      context({ ...ref, snap }, "snap protect"),
    );
  }

  async unprotectSnap(ref: ImageRef, snap: string): Promise<void> {
    await this.#rbd(
      ref.cluster,
      ["snap", "unprotect", spec({ ...ref, snap })],
      context({ ...ref, snap }, "snap unprotect"),
    );
  }

  async rollbackSnap(ref: ImageRef, snap: string): Promise<void> {
    await this.#rbd(
      ref.cluster,
      ["snap", "rollback", "--no-progress", spec({ ...ref, snap })],
      context({ ...ref, snap }, "snap rollback"),
    );
  }

  async renameSnap(ref: ImageRef, snap: string, newName: string): Promise<void> {
    await this.#rbd(
      ref.cluster,
      ["snap", "rename", spec({ ...ref, snap }), spec({ ...ref, snap: newName })],
      context({ ...ref, snap }, "snap rename"),
    );
  }

  // ---- data movement ----------------------------------------------------------------

  async diff(ref: SnapRef, options: ExportDiffOptions = {}): Promise<DiffExtent[]> {
    const args = ["diff", "--format", "json"];
    if (options.fromSnap !== undefined) args.push("--from-snap", options.fromSnap);
    if (options.wholeObject) args.push("--whole-object");
    const { stdout } = await this.#rbd(ref.cluster, [...args, spec(ref)], context(ref, "diff"));
    return parseJson(diffSchema, stdout, "rbd diff");
  }

  async du(ref: SnapRef | { pool: string; cluster?: string }): Promise<DiskUsage[]> {
    const target = "image" in ref ? [spec(ref)] : ["-p", ref.pool];
    const { stdout } = await this.#rbd(ref.cluster, ["du", "--format", "json", ...target], {
      ...("image" in ref ? context(ref, "du") : { pool: ref.pool, op: "du" }),
    });
    return parseJson(duSchema, stdout, "rbd du").images.map((i) => {
      const usage: DiskUsage = { name: i.name, provisionedSize: i.provisioned_size, usedSize: i.used_size };
      if (i.id !== undefined) usage.imageId = i.id;
      if (i.snapshot !== undefined) usage.snapshot = i.snapshot;
      if (i.snapshot_id !== undefined) usage.id = i.snapshot_id;
      return usage;
    });
  }

  async exportDiff(ref: SnapRef, options: ExportDiffOptions = {}): Promise<Readable> {
    const args = ["export-diff", "--no-progress"];
    if (options.fromSnap !== undefined) args.push("--from-snap", options.fromSnap);
    if (options.wholeObject) args.push("--whole-object");
    return this.#stream(ref.cluster, [...args, spec(ref), "-"], context(ref, "export-diff"));
  }

  async importDiff(
    ref: ImageRef,
    stream: Readable,
    options: ImportDiffOptions & DiffReadOptions = {},
  ): Promise<void> {
    const args = options.sparseSize === undefined ? [] : ["--sparse-size", String(options.sparseSize)];
    const { stderr } = await this.#importDiff(ref, stream, args, "import-diff");
    // rbd carries on past what it warns about (e.g. unknown tags); the caller may want to know
    if (options.onWarning) for (const line of stderr.split("\n")) if (line.trim()) options.onWarning(line);
  }

  async exportImage(ref: SnapRef, options: ExportFormatOptions = {}): Promise<Readable> {
    const args = ["export", "--no-progress"];
    if (options.exportFormat !== undefined) args.push("--export-format", String(options.exportFormat));
    return this.#stream(ref.cluster, [...args, spec(ref), "-"], context(ref, "export"));
  }

  async importImage(
    ref: ImageRef,
    stream: Readable,
    options: Partial<CreateImageOptions> & ImportDiffOptions & ExportFormatOptions = {},
  ): Promise<void> {
    const args = ["import", "--no-progress"];
    if (options.exportFormat !== undefined) args.push("--export-format", String(options.exportFormat));
    if (options.order !== undefined) args.push("--object-size", bytes(2 ** options.order));
    if (options.features !== undefined) args.push("--image-feature", options.features.join(","));
    if (options.stripeUnit !== undefined) args.push("--stripe-unit", bytes(options.stripeUnit));
    if (options.stripeCount !== undefined) args.push("--stripe-count", String(options.stripeCount));
    if (options.sparseSize !== undefined) args.push("--sparse-size", String(options.sparseSize));
    await this.#run({
      bin: this.#rbdBin,
      args: [...this.identityArgs(ref.cluster), ...args, "-", spec(ref)],
      input: stream,
      context: context(ref, "import"),
    });
  }

  // ---- subprocesses -----------------------------------------------------------------

  get #rbdBin(): string {
    return this.#options.rbdBin ?? "rbd";
  }
  get #rados(): string {
    return this.#options.radosBin ?? "rados";
  }
  get #ceph(): string {
    return this.#options.cephBin ?? "ceph";
  }

  #rbd(cluster: string | undefined, args: string[], ctx: RbdErrorContext): Promise<ToolResult> {
    return this.#run({
      bin: this.#rbdBin,
      args: [...this.identityArgs(cluster), ...args],
      context: { cluster: cluster ?? "ceph", ...ctx },
    });
  }

  #importDiff(ref: ImageRef, stream: Readable, extra: string[], op: string): Promise<ToolResult> {
    return this.#run({
      bin: this.#rbdBin,
      args: [...this.identityArgs(ref.cluster), "import-diff", "--no-progress", ...extra, "-", spec(ref)],
      input: stream,
      context: context(ref, op),
    });
  }

  /**
   * A tool's stdout as a stream that ends only once the tool exited 0, and fails with the
   * tool's RbdError otherwise: a consumer never mistakes a failed export for a short one.
   */
  #stream(cluster: string | undefined, args: string[], ctx: RbdErrorContext): Readable {
    const { stdout, done } = this.#spawn(this.#rbdBin, [...this.identityArgs(cluster), ...args], undefined, {
      cluster: cluster ?? "ceph",
      ...ctx,
    });
    const out = new PassThrough();
    stdout.pipe(out, { end: false });
    done.then(
      () => {
        // stdout may still hold buffered bytes after exit; end after they are passed on
        if (stdout.readableEnded) out.end();
        else stdout.once("end", () => out.end());
      },
      (error: unknown) => out.destroy(error as Error),
    );
    return out;
  }

  async #run(request: RunRequest): Promise<ToolResult> {
    const { stdout, done } = this.#spawn(request.bin, request.args, request.input, request.context);
    const chunks: Buffer[] = [];
    stdout.on("data", (b: Buffer) => chunks.push(b));
    const { stderr } = await done;
    return { stdout: Buffer.concat(chunks), stderr };
  }

  #spawn(
    bin: string,
    args: string[],
    input: Uint8Array | Readable | undefined,
    ctx: RbdErrorContext,
  ): { child: ChildProcess; stdout: Readable; done: Promise<{ stderr: string }> } {
    const child = spawn(bin, args, { stdio: ["pipe", "pipe", "pipe"] });
    const stdout = child.stdout as Readable;
    const err: Buffer[] = [];
    child.stderr?.on("data", (b: Buffer) => err.push(b));
    let inputError: unknown;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, this.#timeoutMs);
    const done = new Promise<{ stderr: string }>((resolve, reject) => {
      child.on("error", (e) => {
        clearTimeout(timer);
        reject(
          new RbdError("EIO", `could not run ${bin}: ${e.message}`, { context: { ...ctx, reason: "spawn" } }),
        );
      });
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        const stderr = Buffer.concat(err).toString("utf8");
        if (code === 0 && inputError === undefined) {
          resolve({ stderr });
          return;
        }
        if (inputError !== undefined) {
          // the stream fed to the tool failed (e.g. the export on the other side of the pipe)
          reject(inputError);
          return;
        }
        const command = `${bin} ${args.filter((a) => !a.startsWith("--keyring")).join(" ")}`;
        if (timedOut) {
          reject(
            new RbdError("EIO", `${command} did not finish within ${this.#timeoutMs} ms`, {
              rbdMessage: stderr.trim(),
              context: { ...ctx, reason: "timeout" },
            }),
          );
          return;
        }
        reject(toolError(code, signal, stderr, ctx));
      });
    });
    const stdin = child.stdin;
    if (stdin) {
      // the tool may exit before reading all its input (bad arguments): its exit says why
      stdin.on("error", () => {});
      if (input === undefined) stdin.end();
      else if (input instanceof Readable) {
        input.on("error", (e) => {
          inputError = e;
          child.kill("SIGTERM");
        });
        input.pipe(stdin);
      } else stdin.end(input);
    }
    return { child, stdout, done };
  }
}

/** The RbdError a failed tool stands for: errno from the exit status, text from stderr. */
function toolError(
  code: number | null,
  signal: NodeJS.Signals | null,
  stderr: string,
  ctx: RbdErrorContext,
): RbdError {
  const lines = stderr
    .split("\n")
    .map((l) => l.trimEnd())
    .filter(Boolean);
  const last = [...lines].reverse().find((l) => /^(rbd|rados|Error|error)[: ]/.test(l)) ?? lines.at(-1) ?? "";
  const status = code ?? 128;
  const errno: ErrnoCode = errnoOf(last) ?? ERRNO_BY_STATUS.get(status) ?? "EIO";
  const message = signal
    ? `${ctx.op ?? "rbd"} killed by ${signal}`
    : last.replace(/^rbd: /, "") || `${ctx.op ?? "rbd"} exited ${status}`;
  return new RbdError(errno, message, { rbdMessage: stderr.trim(), exitStatus: status, context: ctx });
}

/**
 * The errno a tool's error line names: rbd and rados print "... (2) No such file or
 * directory" (rados always exits 1, so its status says nothing), ceph "Error ENOENT: ...".
 */
function errnoOf(line: string): ErrnoCode | undefined {
  const named = /^Error (E[A-Z]+):/.exec(line)?.[1];
  if (named !== undefined && named in ERRNO) return named as ErrnoCode;
  const n = /\((\d+)\) [A-Z]/.exec(line)?.[1];
  return n === undefined ? undefined : ERRNO_BY_STATUS.get(Number(n));
}

function parseJson<T>(schema: z.ZodType<T>, stdout: Buffer, what: string): T {
  const text = stdout.toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RbdError("EBADMSG", `${what} printed no JSON: ${text.slice(0, 200)}`, {
      context: { reason: "bad-json" },
    });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new RbdError("EBADMSG", `${what} printed JSON of an unexpected shape: ${parsed.error.message}`, {
      context: { reason: "bad-json" },
    });
  return parsed.data;
}

/** `pool[/namespace]/image[@snap]` as rbd parses it */
function spec(ref: SnapRef): string {
  const ns = ref.namespace ? `${ref.namespace}/` : "";
  return `${ref.pool}/${ns}${ref.image}${ref.snap === undefined ? "" : `@${ref.snap}`}`;
}

/** a byte count rbd takes exactly (its default unit for --size is MiB) */
const bytes = (n: number): string => `${n}B`;

function context(ref: SnapRef, op: string): RbdErrorContext {
  const ctx: RbdErrorContext = { cluster: ref.cluster ?? "ceph", pool: ref.pool, image: ref.image, op };
  if (ref.snap !== undefined) ctx.snap = ref.snap;
  return ctx;
}
