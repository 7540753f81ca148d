import { Command } from "commander";
import type { ImageInfo } from "../../backend.js";
import type { FormatOptions, SpecOptionValues, Verb } from "../context.js";
import { addFormatOptions, addImageOptions, checkFormat, snapRef } from "../context.js";
import { formatBytes, formatCtime } from "../format.js";
import { resolveImageSpec } from "../spec.js";

/** `rbd info <image-or-snap-spec>`: the block rbd prints, or its JSON object. */
export function infoCommand(verb: Verb): Command {
  const cmd = new Command("info")
    .summary("Show information about image size, striping, etc.")
    .description("Show information about image size, striping, etc.")
    .argument(
      "[image-or-snap-spec]",
      "image or snapshot specification <pool-name>/<image-name>[@<snap-name>]",
    );
  addImageOptions(cmd, true);
  addFormatOptions(cmd);
  return verb(cmd, async (ctx) => {
    const opts = cmd.opts<FormatOptions & SpecOptionValues>();
    checkFormat(opts);
    const spec = resolveImageSpec(cmd.args[0], opts, "permitted", ctx.cluster);
    await ctx.openImage(spec);
    const info = await ctx.backend.imageInfo(snapRef(spec));
    const atSnap = spec.snap !== undefined;
    ctx.render(
      opts,
      () => infoJson(info, atSnap),
      () => infoText(info, atSnap),
    );
  });
}

function objectCount(info: ImageInfo): number {
  return info.objectCount ?? Math.ceil(info.size / info.objectSize);
}

function hasStriping(info: ImageInfo): boolean {
  return (
    info.features.includes("striping") &&
    info.stripeUnit !== undefined &&
    (info.stripeUnit !== info.objectSize || (info.stripeCount ?? 1) !== 1)
  );
}

export function infoJson(info: ImageInfo, atSnap: boolean): Record<string, unknown> {
  return {
    name: info.name,
    id: info.id,
    size: info.size,
    objects: objectCount(info),
    order: info.order,
    object_size: info.objectSize,
    snapshot_count: info.snapshotCount,
    block_name_prefix: info.blockNamePrefix,
    format: info.format,
    features: info.features,
    op_features: info.opFeatures,
    flags: info.flags,
    ...(hasStriping(info) && { stripe_unit: info.stripeUnit, stripe_count: info.stripeCount ?? 1 }),
    create_timestamp: formatCtime(info.createTimestamp),
    access_timestamp: formatCtime(info.accessTimestamp),
    modify_timestamp: formatCtime(info.modifyTimestamp),
    ...(atSnap && { protected: String(info.protected === true) }),
  };
}

export function infoText(info: ImageInfo, atSnap: boolean): string {
  const lines = [
    `rbd image '${info.name}':`,
    `\tsize ${formatBytes(info.size)} in ${objectCount(info)} objects`,
    `\torder ${info.order} (${formatBytes(info.objectSize)} objects)`,
    `\tsnapshot_count: ${info.snapshotCount}`,
    `\tid: ${info.id}`,
    `\tblock_name_prefix: ${info.blockNamePrefix}`,
    `\tformat: ${info.format}`,
    `\tfeatures: ${info.features.join(", ")}`,
    `\top_features: ${info.opFeatures.join(", ")}`,
    `\tflags: ${info.flags.join(", ")}`,
  ];
  if (hasStriping(info)) {
    lines.push(
      `\tstripe unit: ${formatBytes(info.stripeUnit ?? 0)}`,
      `\tstripe count: ${info.stripeCount ?? 1}`,
    );
  }
  lines.push(
    `\tcreate_timestamp: ${formatCtime(info.createTimestamp)}`,
    `\taccess_timestamp: ${formatCtime(info.accessTimestamp)}`,
    `\tmodify_timestamp: ${formatCtime(info.modifyTimestamp)}`,
  );
  if (atSnap) lines.push(`\tprotected: ${info.protected ? "True" : "False"}`);
  return `${lines.join("\n")}\n`;
}
