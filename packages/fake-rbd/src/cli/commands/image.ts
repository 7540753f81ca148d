import { Command, Option } from "commander";
import type { CreateImageOptions } from "../../backend.js";
import type { CliContext, SpecOptionValues, Verb } from "../context.js";
import { addImageOptions, addNoProgressOption, imageRef } from "../context.js";
import { CliFailure, cppStrerror, errnoOf, failWith, invalidArgument } from "../errors.js";
import { librbdLog } from "../librbd-log.js";
import { parseRbdSize } from "../size.js";
import { parseSpec, resolveImageSpec } from "../spec.js";

const FEATURES = [
  "layering",
  "striping",
  "exclusive-lock",
  "object-map",
  "fast-diff",
  "deep-flatten",
  "journaling",
  "data-pool",
];

interface CreateOptions extends SpecOptionValues {
  size?: string;
  imageFeature?: string[];
  objectSize?: string;
  order?: string;
  stripeUnit?: string;
  stripeCount?: string;
}

function collectFeatures(value: string, previous: string[] | undefined): string[] {
  const features = value.split(",").map((f) => f.trim());
  for (const feature of features) {
    if (!FEATURES.includes(feature)) {
      throw new CliFailure("rbd: the argument for option '--image-feature' is invalid", 1);
    }
  }
  return [...(previous ?? []), ...features];
}

/** --image-feature, --object-size, --order, --stripe-*: the create-time options rbd shares. */
export function addCreateOptions(cmd: Command): Command {
  return cmd
    .option("--order <order>", "object order [12 <= order <= 25]")
    .option("--object-size <object-size>", "object size in B/K/M [4K <= object size <= 32M]")
    .addOption(
      new Option("--image-feature <image-feature>", `image features\n[${FEATURES.join(", ")}]`).argParser(
        collectFeatures,
      ),
    )
    .option("--stripe-unit <stripe-unit>", "stripe unit in B/K/M")
    .option("--stripe-count <stripe-count>", "stripe count");
}

export function createOptionsFrom(opts: CreateOptions): Partial<CreateImageOptions> {
  const result: Partial<CreateImageOptions> = {};
  if (opts.order !== undefined) {
    const order = Number(opts.order);
    if (!Number.isInteger(order) || order < 12 || order > 25) {
      throw new CliFailure("rbd: the argument for option '--order' is invalid", 1);
    }
    result.order = order;
  }
  if (opts.objectSize !== undefined) {
    const bytes = parseRbdSize(
      /[0-9]$/.test(opts.objectSize) ? `${opts.objectSize}B` : opts.objectSize,
      "--object-size",
    );
    const order = Math.log2(bytes);
    if (!Number.isInteger(order) || order < 12 || order > 25) {
      throw new CliFailure("rbd: the argument for option '--object-size' is invalid", 1);
    }
    result.order = order;
  }
  if (opts.imageFeature) result.features = [...new Set(opts.imageFeature)];
  if (opts.stripeUnit !== undefined) {
    result.stripeUnit = parseRbdSize(
      /[0-9]$/.test(opts.stripeUnit) ? `${opts.stripeUnit}B` : opts.stripeUnit,
      "--stripe-unit",
    );
  }
  if (opts.stripeCount !== undefined) {
    const count = Number(opts.stripeCount);
    if (!Number.isInteger(count) || count < 1) {
      throw new CliFailure("rbd: the argument for option '--stripe-count' is invalid", 1);
    }
    result.stripeCount = count;
  }
  return result;
}

function requireSize(size: string | undefined): number {
  if (size === undefined) throw invalidArgument("must specify --size <M/G/T>");
  return parseRbdSize(size);
}

export function createCommand(verb: Verb): Command {
  const cmd = new Command("create")
    .summary("Create an empty image.")
    .description("Create an empty image.")
    .argument("[image-spec]", "image specification <pool-name>/<image-name>")
    .option("-s, --size <size>", "image size (in M/G/T) [default: M]");
  addImageOptions(cmd, false);
  addCreateOptions(cmd);
  return verb(cmd, async (ctx) => {
    const opts = cmd.opts<CreateOptions>();
    const spec = resolveImageSpec(cmd.args[0], opts, "none", ctx.cluster);
    const size = requireSize(opts.size);
    const options = createOptionsFrom(opts);
    await ctx.openPool(spec.pool, spec.defaultPool);
    try {
      await ctx.backend.createImage(imageRef(spec), { ...options, size });
    } catch (error) {
      const failure = failWith("create error", error);
      // rbd prints its line first; librbd's log line follows.
      if (errnoOf(error) !== 17) throw failure;
      throw new CliFailure(
        [...failure.lines, librbdLog("librbd", `rbd image ${spec.image} already exists`)],
        17,
        {
          cause: error,
        },
      );
    }
  });
}

export function removeCommand(verb: Verb): Command {
  const cmd = new Command("remove")
    .alias("rm")
    .summary("Delete an image.")
    .description("Delete an image.")
    .argument("[image-spec]", "image specification <pool-name>/<image-name>");
  addImageOptions(cmd, false);
  addNoProgressOption(cmd);
  return verb(cmd, async (ctx) => {
    const opts = cmd.opts<SpecOptionValues & { progress?: boolean }>();
    const spec = resolveImageSpec(cmd.args[0], opts, "none", ctx.cluster);
    await ctx.openPool(spec.pool, spec.defaultPool);
    const progress = ctx.progress("Removing image", opts.progress === false);
    try {
      await progress.run(() => ctx.backend.removeImage(imageRef(spec)));
    } catch (error) {
      throw removeFailure(error);
    }
  });
}

function removeFailure(error: unknown): CliFailure {
  switch (errnoOf(error)) {
    case 39: // ENOTEMPTY
      return new CliFailure(
        "rbd: image has snapshots - these must be deleted with 'rbd snap purge' before the image can be removed.",
        39,
        { cause: error },
      );
    case 16: // EBUSY
      return new CliFailure(
        [
          "rbd: error: image still has watchers",
          "This means the image is still open or the client using it crashed. Try again after closing/unmapping it or waiting 30s for the crashed client to timeout.",
        ],
        16,
        { cause: error },
      );
    default:
      return failWith("delete error", error);
  }
}

export function resizeCommand(verb: Verb): Command {
  const cmd = new Command("resize")
    .summary("Resize (expand or shrink) image.")
    .description("Resize (expand or shrink) image.")
    .argument("[image-spec]", "image specification <pool-name>/<image-name>")
    .option("-s, --size <size>", "image size (in M/G/T) [default: M]")
    .option("--allow-shrink", "permit shrinking");
  addImageOptions(cmd, false);
  addNoProgressOption(cmd);
  return verb(cmd, async (ctx) => {
    const opts = cmd.opts<SpecOptionValues & { size?: string; allowShrink?: boolean; progress?: boolean }>();
    const spec = resolveImageSpec(cmd.args[0], opts, "none", ctx.cluster);
    const size = requireSize(opts.size);
    const info = await ctx.openImage(spec);
    if (info.size === size) throw invalidArgument("new size is equal to original size ");
    if (size < info.size && !opts.allowShrink) {
      throw invalidArgument("shrinking an image is only allowed with the --allow-shrink flag");
    }
    const progress = ctx.progress("Resizing image", opts.progress === false);
    try {
      await progress.run(() =>
        ctx.backend.resizeImage(imageRef(spec), size, { allowShrink: opts.allowShrink === true }),
      );
    } catch (error) {
      throw failWith("resize error", error);
    }
  });
}

export function renameCommand(verb: Verb): Command {
  const cmd = new Command("rename")
    .alias("mv")
    .summary("Rename image within pool.")
    .description("Rename image within pool.")
    .argument("[source-image-spec]", "source image specification <pool-name>/<image-name>")
    .argument("[dest-image-spec]", "destination image specification <pool-name>/<image-name>")
    .option("--dest-pool <dest-pool>", "destination pool name")
    .option("--dest <dest>", "destination image name");
  addImageOptions(cmd, false);
  return verb(cmd, async (ctx) => {
    const opts = cmd.opts<SpecOptionValues & { destPool?: string; dest?: string }>();
    const [source, dest] = cmd.args as [string | undefined, string | undefined];
    const spec = resolveImageSpec(source, opts, "none", ctx.cluster);
    const destParsed = dest === undefined ? undefined : parseSpec(dest);
    const destName = destParsed?.image ?? opts.dest;
    if (destParsed?.snap)
      throw invalidArgument("destination snapshot name specified for a command that doesn't use it");
    if (!destName) throw invalidArgument("destination image name was not specified");
    const destPool = destParsed?.pool ?? opts.destPool ?? spec.pool;
    if (destPool !== spec.pool) {
      throw new CliFailure(
        ["rbd: mv/rename across pools not supported", `source pool: ${spec.pool} dest pool: ${destPool}`],
        22,
      );
    }
    await ctx.openPool(spec.pool, spec.defaultPool);
    await renameImage(ctx, spec, destName);
  });
}

async function renameImage(ctx: CliContext, spec: ReturnType<typeof resolveImageSpec>, destName: string) {
  try {
    await ctx.backend.renameImage(imageRef(spec), destName);
  } catch (error) {
    const errno = errnoOf(error);
    if (errno === 17) {
      throw failWith("rename error", error, [
        librbdLog("librbd::Operations", `rbd image ${destName} already exists`),
      ]);
    }
    const failure = failWith("rename error", error);
    if (errno !== 2) throw failure;
    throw new CliFailure(
      [...failure.lines, librbdLog("librbd", `error opening source image: ${cppStrerror(2)}`)],
      2,
      { cause: error },
    );
  }
}
