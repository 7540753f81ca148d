import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { basename } from "node:path";
import { pipeline as pipeCallback, type Readable, Transform, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Command } from "commander";
import { DEFAULT_SPARSE_SIZE } from "../../diff/format.js";
import { type DiffProgressMode, DiffProgressScanner, periodPoints } from "../../diff/progress.js";
import { isRbdError } from "../../model/errors.js";
import type { CliContext, SpecOptionValues, Verb } from "../context.js";
import { addImageOptions, addNoProgressOption, imageRef, snapRef } from "../context.js";
import { CliFailure, cppStrerror, errnoOf, failWith, invalidArgument } from "../errors.js";
import { librbdLog } from "../librbd-log.js";
import type { Progress } from "../progress.js";
import { parseRbdSize } from "../size.js";
import { parseSpec, resolveImageSpec } from "../spec.js";
import { addCreateOptions, createOptionsFrom } from "./image.js";

type TransferOptions = SpecOptionValues & { progress?: boolean; fromSnap?: string; wholeObject?: boolean };

const STDIO = "-";
/** rbd_default_order: 4 MiB objects */
const DEFAULT_ORDER = 22;

/** Opens the destination first so an existing file fails before any byte is read, as rbd does. */
async function openDestination(ctx: CliContext, path: string, verb: string): Promise<Writable> {
  if (path === STDIO) return ctx.io.stdout;
  try {
    const handle = await open(path, "wx");
    return handle.createWriteStream();
  } catch (error) {
    throw failWith(`${verb} error`, error);
  }
}

/** Moves a stream to its destination, showing each chunk to `observe` (progress) first. */
async function copy(
  source: Readable,
  destination: Writable,
  toStdout: boolean,
  observe?: (chunk: Buffer) => void,
) {
  if (observe) source.on("data", observe);
  // stdout belongs to the caller (the process, or a test's collector): never end it here.
  await pipeline(source, destination, { end: !toStdout });
}

/**
 * rbd export and import (format 1) report once per block at the block's start offset
 * (export: stripe count x object size; import from a file: the object size), out of the
 * total size; here each report is made when the bytes reach that block.
 */
function blockProgress(progress: Progress, total: number, block: number): (chunk: Buffer) => void {
  const points = periodPoints(total, block);
  let done = 0;
  let next = 0;
  return (chunk) => {
    done += chunk.byteLength;
    while (next < points.length && (points[next] as number) <= done) {
      progress.update(points[next] as number, total);
      next++;
    }
  };
}

/**
 * The stream the backend reads, shown to `observe` on the way: a pass-through, since a
 * 'data' listener on the source itself would start it flowing before the backend reads.
 * Without progress the source is handed over untouched.
 */
function tap(progress: Progress, source: Readable, observe: () => (chunk: Buffer) => void): Readable {
  if (!progress.enabled) return source;
  const look = observe();
  const through = new Transform({
    readableHighWaterMark: 1 << 20,
    writableHighWaterMark: 1 << 20,
    transform(chunk: Buffer, _encoding, done) {
      look(chunk);
      done(null, chunk);
    },
  });
  pipeCallback(source, through, () => {});
  return through;
}

/** export-diff and import-diff: rbd's reports at the records' offsets (see diff/progress.ts). */
function diffProgress(progress: Progress, mode: DiffProgressMode): (chunk: Buffer) => void {
  const scanner = new DiffProgressScanner(mode, (offset, total) => progress.update(offset, total));
  return (chunk) => scanner.push(chunk);
}

export function exportCommand(verb: Verb): Command {
  const cmd = new Command("export")
    .summary("Export image to file.")
    .description('Export image to file ("-" for stdout).')
    .argument(
      "[source-image-or-snap-spec]",
      "source image or snapshot specification <pool-name>/<image-name>[@<snap-name>]",
    )
    .argument("[path-name]", 'export file (or "-" for stdout)')
    .option("--path <path>", 'export file (or "-" for stdout)')
    .option("--export-format <format>", "format of image file (1: raw bytes, 2: header and snapshots)");
  addImageOptions(cmd, true);
  addNoProgressOption(cmd);
  return verb(cmd, async (ctx) => {
    const opts = cmd.opts<TransferOptions & { path?: string; exportFormat?: string }>();
    const format = exportFormat(opts.exportFormat);
    const spec = resolveImageSpec(cmd.args[0], opts, "permitted", ctx.cluster);
    const path = cmd.args[1] ?? opts.path;
    if (path === undefined) throw invalidArgument("path was not specified");
    const info = await ctx.openImage(spec);
    const destination = await openDestination(ctx, path, "export");
    const progress = ctx.progress("Exporting image", opts.progress === false);
    try {
      await progress.run(async () => {
        const source = await ctx.backend.exportImage(snapRef(spec), format);
        await copy(
          source,
          destination,
          path === STDIO,
          format.exportFormat === 2
            ? undefined
            : blockProgress(progress, info.size, (info.stripeCount ?? 1) * 2 ** info.order),
        );
        if (format.exportFormat === 2) {
          // format 2 reports once per snapshot exported, then the head: (i / n+1), then 100%
          const snaps = await ctx.backend.listSnaps(imageRef(spec));
          for (let i = 0; i <= snaps.length; i++)
            progress.update(i === snaps.length ? i + 1 : i, snaps.length + 1);
        }
      });
    } catch (error) {
      throw failWith("export error", error);
    }
  });
}

export function exportDiffCommand(verb: Verb): Command {
  const cmd = new Command("export-diff")
    .summary("Export incremental diff to file.")
    .description('Export incremental diff to file ("-" for stdout), as an "rbd diff v1" stream.')
    .argument(
      "[source-image-or-snap-spec]",
      "source image or snapshot specification <pool-name>/<image-name>[@<snap-name>]",
    )
    .argument("[path-name]", 'export file (or "-" for stdout)')
    .option("--path <path>", 'export file (or "-" for stdout)')
    .option("--from-snap <from-snap>", "snapshot starting point")
    .option("--whole-object", "compare whole object");
  addImageOptions(cmd, true);
  addNoProgressOption(cmd);
  return verb(cmd, async (ctx) => {
    const opts = cmd.opts<TransferOptions & { path?: string }>();
    const spec = resolveImageSpec(cmd.args[0], opts, "permitted", ctx.cluster);
    const path = cmd.args[1] ?? opts.path;
    if (path === undefined) throw invalidArgument("path was not specified");
    await ctx.openImage(spec);
    const destination = await openDestination(ctx, path, "export-diff");
    const progress = ctx.progress("Exporting image", opts.progress === false);
    try {
      await progress.run(async () => {
        const source = await ctx.backend.exportDiff(snapRef(spec), {
          ...(opts.fromSnap !== undefined && { fromSnap: opts.fromSnap }),
          wholeObject: opts.wholeObject === true,
        });
        // without progress lines nobody needs the records scanned on the way
        const observe = progress.enabled ? diffProgress(progress, { kind: "export" }) : undefined;
        await copy(source, destination, path === STDIO, observe);
      });
    } catch (error) {
      throw failWith("export-diff error", error);
    }
  });
}

export function importCommand(verb: Verb): Command {
  const cmd = new Command("import")
    .summary("Import image from file.")
    .description('Import image from file ("-" for stdin); runs of zeros stay sparse.')
    .argument("[path-name]", 'import file (or "-" for stdin)')
    .argument("[dest-image-spec]", "destination image specification <pool-name>/<image-name>")
    .option("--path <path>", 'import file (or "-" for stdin)')
    .option("--dest-pool <dest-pool>", "destination pool name")
    .option("--dest <dest>", "destination image name")
    .option("--export-format <format>", "format of image file (1: raw bytes, 2: header and snapshots)")
    .option("--sparse-size <sparse-size>", "sparse size in B/K/M [default: 4K]");
  addImageOptions(cmd, false);
  addCreateOptions(cmd);
  addNoProgressOption(cmd);
  return verb(cmd, async (ctx) => {
    const opts = cmd.opts<
      TransferOptions & {
        path?: string;
        destPool?: string;
        dest?: string;
        exportFormat?: string;
        sparseSize?: string;
      }
    >();
    const format = exportFormat(opts.exportFormat);
    const path = cmd.args[0] ?? opts.path;
    if (path === undefined) throw invalidArgument("path was not specified");
    if (opts.pool !== undefined) ctx.err("rbd: -p [ --pool ] is deprecated, use --dest-pool\n");
    const destSpec = cmd.args[1];
    const parsed = destSpec === undefined ? undefined : parseSpec(destSpec);
    // like rbd, the default name is the path's basename, even "-" for stdin
    const image = parsed?.image ?? opts.dest ?? opts.image ?? basename(path);
    if (parsed?.snap)
      throw invalidArgument("destination snapshot name specified for a command that doesn't use it");
    const explicitPool = parsed?.pool ?? opts.destPool ?? opts.pool;
    const spec = resolveImageSpec(
      undefined,
      { image, pool: explicitPool, namespace: parsed?.namespace },
      "none",
      ctx.cluster,
    );
    const createOptions = createOptionsFrom(opts);
    let size: number | undefined;
    let source: Readable;
    if (path === STDIO) {
      source = ctx.io.stdin;
    } else {
      try {
        size = (await stat(path)).size;
        source = createReadStream(path);
      } catch (error) {
        throw new CliFailure(
          [`rbd: error opening ${path}`, `rbd: import failed: ${cppStrerror(errnoOf(error))}`],
          errnoOf(error),
          { cause: error },
        );
      }
    }
    await ctx.openPool(spec.pool, spec.defaultPool);
    const progress = ctx.progress("Importing image", opts.progress === false);
    const ref = imageRef(spec);
    if ((await ctx.backend.listImages(spec.pool, ctx.cluster)).includes(spec.image)) {
      source.destroy();
      ctx.err(
        `rbd: image creation failed${librbdLog("librbd", `rbd image ${spec.image} already exists`)}\n\n`,
      );
      progress.fail();
      throw new CliFailure(`rbd: import failed: ${cppStrerror(17)}`, 17);
    }
    try {
      // from stdin rbd reports nothing until the end (unless given --estimated-size); the
      // format 2 import's reports are not modelled (only the final line is printed)
      const observed =
        size !== undefined && format.exportFormat !== 2
          ? tap(progress, source, () =>
              blockProgress(progress, size, 2 ** (createOptions.order ?? DEFAULT_ORDER)),
            )
          : source;
      await progress.run(() =>
        ctx.backend.importImage(ref, observed, {
          ...createOptions,
          ...format,
          ...(size !== undefined && { size }),
          ...sparse(opts.sparseSize),
        }),
      );
    } catch (error) {
      throw failWith("import failed", error);
    }
  });
}

export function importDiffCommand(verb: Verb): Command {
  const cmd = new Command("import-diff")
    .summary("Import an incremental diff.")
    .description('Import an incremental diff ("rbd diff v1" or v2 stream; "-" for stdin).')
    .argument("[path-name]", 'import file (or "-" for stdin)')
    .argument("[image-spec]", "image specification <pool-name>/<image-name>")
    .option("--path <path>", 'import file (or "-" for stdin)')
    .option("--sparse-size <sparse-size>", "sparse size in B/K/M [default: 4K]");
  addImageOptions(cmd, false);
  addNoProgressOption(cmd);
  return verb(cmd, async (ctx) => {
    const opts = cmd.opts<TransferOptions & { path?: string; sparseSize?: string }>();
    const path = cmd.args[0] ?? opts.path;
    if (path === undefined) throw invalidArgument("path was not specified");
    const spec = resolveImageSpec(cmd.args[1], opts, "none", ctx.cluster);
    await ctx.openImage(spec);
    let size: number | undefined;
    let source: Readable;
    if (path === STDIO) {
      source = ctx.io.stdin;
    } else {
      try {
        size = (await stat(path)).size;
        source = createReadStream(path);
      } catch (error) {
        throw new CliFailure(
          [`rbd: error opening ${path}`, `rbd: import-diff failed: ${cppStrerror(errnoOf(error))}`],
          errnoOf(error),
          { cause: error },
        );
      }
    }
    const progress = ctx.progress("Importing image diff", opts.progress === false);
    const sparseOption = sparse(opts.sparseSize);
    const observed = tap(progress, source, () =>
      diffProgress(
        progress,
        size === undefined
          ? { kind: "import-stdin", sparseSize: sparseOption.sparseSize ?? DEFAULT_SPARSE_SIZE }
          : { kind: "import-file", fileSize: size },
      ),
    );
    try {
      await ctx.backend.importDiff(imageRef(spec), observed, {
        ...sparseOption,
        onWarning: (line) => ctx.err(`${line}\n`),
      });
      progress.finish();
    } catch (error) {
      // rbd prints the decoder's own complaint ("end snapshot 's1' already exists, aborting")
      // before the failed progress line and its summary; the model's RbdError carries both.
      if (isRbdError(error)) {
        const lines = error.rbdMessage.split("\n");
        const summary = lines.pop() ?? "";
        for (const line of lines) ctx.err(`${line}\n`);
        progress.fail();
        throw new CliFailure(summary, error.exitStatus || error.errno, { cause: error });
      }
      progress.fail();
      throw failWith("import-diff failed", error);
    }
  });
}

/** --sparse-size as rbd parses it (a bare number is bytes here, unlike --size). */
function sparse(value: string | undefined): { sparseSize?: number } {
  if (value === undefined) return {};
  return { sparseSize: parseRbdSize(/[0-9]$/.test(value) ? `${value}B` : value, "--sparse-size") };
}

/** --export-format: rbd accepts 1 and 2 only (boost's wording and status otherwise). */
function exportFormat(value: string | undefined): { exportFormat?: 1 | 2 } {
  if (value === undefined) return {};
  if (value === "1" || value === "2") return { exportFormat: Number(value) as 1 | 2 };
  throw new CliFailure("rbd: the argument for option '--export-format' is invalid", 1);
}
