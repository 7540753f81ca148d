import { Command } from "commander";
import type { DiskUsage } from "../../backend.js";
import type { FormatOptions, SpecOptionValues, Verb } from "../context.js";
import { addFormatOptions, addImageOptions, checkFormat, imageRef, snapRef } from "../context.js";
import { CliFailure, cppStrerror, failWith } from "../errors.js";
import { formatBytes, renderJson, renderTable } from "../format.js";
import { resolveImageSpec } from "../spec.js";

type UsageOptions = SpecOptionValues & FormatOptions & { fromSnap?: string; wholeObject?: boolean };

/** `rbd du [image-or-snap-spec]`: per image (and snapshot) provisioned and used bytes. */
export function duCommand(verb: Verb): Command {
  const cmd = new Command("disk-usage")
    .alias("du")
    .summary("Show disk usage stats for pool, image or snapshot.")
    .description("Show disk usage stats for pool, image or snapshot.")
    .argument(
      "[image-or-snap-spec]",
      "image or snapshot specification <pool-name>/<image-name>[@<snap-name>]",
    )
    .option("--from-snap <from-snap>", "snapshot starting point")
    .option("--exact", "compute exact disk usage (slow)")
    .option("--merge-snapshots", "merge snapshot sizes with its image");
  addImageOptions(cmd, true);
  addFormatOptions(cmd);
  return verb(cmd, async (ctx) => {
    const opts = cmd.opts<UsageOptions & { mergeSnapshots?: boolean }>();
    const format = checkFormat(opts);
    const { backend, cluster } = ctx;
    const hasImage = cmd.args[0] !== undefined || opts.image !== undefined;
    const spec = hasImage
      ? resolveImageSpec(cmd.args[0], opts, "permitted", cluster)
      : { cluster, pool: opts.pool ?? "rbd", defaultPool: opts.pool === undefined, image: "" };
    await ctx.openPool(spec.pool, spec.defaultPool);
    const duFailed = (lead: string) => new CliFailure([lead, `rbd: du failed: ${cppStrerror(2)}`], 2);
    let rows: DiskUsage[];
    if (hasImage) {
      const snaps = await backend.listSnaps(imageRef(spec)).catch(() => {
        throw duFailed(`specified image ${spec.image} is not found.`);
      });
      const wanted = [spec.snap, opts.fromSnap].filter((s): s is string => s !== undefined);
      if (wanted.some((name) => !snaps.some((s) => s.name === name))) {
        throw duFailed("specified snapshot is not found.");
      }
      rows = await backend.du(snapRef(spec)).catch((error: unknown) => {
        throw failWith("du failed", error);
      });
    } else {
      rows = await backend.du({ cluster, pool: spec.pool }).catch((error: unknown) => {
        throw failWith("du failed", error);
      });
    }
    if (opts.mergeSnapshots) rows = mergeSnapshots(rows);
    const imageIds = new Map<string, string>();
    for (const name of new Set(rows.map((r) => r.name))) {
      const info = await backend.imageInfo({ cluster, pool: spec.pool, image: name }).catch(() => undefined);
      if (!info) continue;
      imageIds.set(name, info.id);
      // rbd walks the object map when it can; without fast-diff it warns that it reads every object.
      if (!info.features.includes("fast-diff")) {
        ctx.err(`warning: fast-diff map is not enabled for ${name}. operation may be slow.\n`);
      }
    }
    const snapshotSelected = hasImage && spec.snap !== undefined;
    const totalProvisioned = rows
      .filter((r) => r.snapshot === undefined || snapshotSelected)
      .reduce((sum, r) => sum + r.provisionedSize, 0);
    const totalUsed = rows.reduce((sum, r) => sum + r.usedSize, 0);
    if (format === "json") {
      const images = rows.map((r) => ({
        name: r.name,
        id: r.imageId ?? imageIds.get(r.name) ?? "",
        ...(r.snapshot !== undefined && { snapshot: r.snapshot, snapshot_id: r.id ?? 0 }),
        provisioned_size: r.provisionedSize,
        used_size: r.usedSize,
      }));
      // rbd dumps the totals only for a whole pool.
      const body = hasImage
        ? { images }
        : { images, total_provisioned_size: totalProvisioned, total_used_size: totalUsed };
      ctx.out(renderJson(body, opts.prettyFormat === true));
      return;
    }
    if (rows.length === 0) return;
    const table = rows.map((r) => [
      r.snapshot === undefined ? r.name : `${r.name}@${r.snapshot}`,
      formatBytes(r.provisionedSize),
      formatBytes(r.usedSize),
    ]);
    if (rows.length > 1) table.push(["<TOTAL>", formatBytes(totalProvisioned), formatBytes(totalUsed)]);
    ctx.out(
      renderTable(
        [
          { heading: "NAME", headingAlign: "left", align: "left" },
          { heading: "PROVISIONED", headingAlign: "left", align: "right" },
          { heading: "USED", headingAlign: "left", align: "right" },
        ],
        table,
      ),
    );
  });
}

/** --merge-snapshots: one row per image whose used size includes its snapshots'. */
function mergeSnapshots(rows: DiskUsage[]): DiskUsage[] {
  const merged: DiskUsage[] = [];
  let pending = 0;
  for (const row of rows) {
    if (row.snapshot !== undefined) {
      pending += row.usedSize;
      continue;
    }
    merged.push({ ...row, usedSize: row.usedSize + pending });
    pending = 0;
  }
  return merged;
}

/** `rbd diff`: extents changed since --from-snap (or allocated since creation). */
export function diffCommand(verb: Verb): Command {
  const cmd = new Command("diff")
    .summary("Print extents that differ since a previous snap, or image creation.")
    .description("Print extents that differ since a previous snap, or image creation.")
    .argument(
      "[image-or-snap-spec]",
      "image or snapshot specification <pool-name>/<image-name>[@<snap-name>]",
    )
    .option("--from-snap <from-snap>", "snapshot starting point")
    .option("--whole-object", "compare whole object");
  addImageOptions(cmd, true);
  addFormatOptions(cmd);
  return verb(cmd, async (ctx) => {
    const opts = cmd.opts<UsageOptions>();
    checkFormat(opts);
    const spec = resolveImageSpec(cmd.args[0], opts, "permitted", ctx.cluster);
    await ctx.openImage(spec);
    const extents = await ctx.backend
      .diff(snapRef(spec), {
        ...(opts.fromSnap !== undefined && { fromSnap: opts.fromSnap }),
        wholeObject: opts.wholeObject === true,
      })
      .catch((error: unknown) => {
        throw failWith("diff error", error);
      });
    ctx.render(
      opts,
      () => extents.map((e) => ({ offset: e.offset, length: e.length, exists: String(e.exists) })),
      () =>
        extents.length === 0
          ? ""
          : renderTable(
              [
                { heading: "Offset", headingAlign: "left", align: "left" },
                { heading: "Length", headingAlign: "left", align: "left" },
                { heading: "Type", headingAlign: "left", align: "left" },
              ],
              extents.map((e) => [String(e.offset), String(e.length), e.exists ? "data" : "zero"]),
            ),
    );
  });
}
