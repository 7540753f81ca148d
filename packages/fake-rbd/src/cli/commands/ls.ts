import { Command } from "commander";
import type { FormatOptions, Verb } from "../context.js";
import { addFormatOptions, addPoolOption, checkFormat } from "../context.js";
import { cppStrerror, failWith } from "../errors.js";
import { formatBytes, renderTable } from "../format.js";
import { resolvePool } from "../spec.js";

interface LsOptions extends FormatOptions {
  pool?: string;
  long?: boolean;
}

/** `rbd ls [-l] [pool-spec]`: names, or the long table with one row per snapshot. */
export function lsCommand(verb: Verb): Command {
  const cmd = new Command("list")
    .alias("ls")
    .summary("List rbd images.")
    .description("List rbd images.")
    .argument("[pool-spec]", "pool specification <pool-name>[/<namespace>]")
    .option("-l, --long", "long listing format");
  addPoolOption(cmd);
  addFormatOptions(cmd);
  return verb(cmd, async (ctx) => {
    const [poolSpec] = cmd.args as [string | undefined];
    const opts = cmd.opts<LsOptions>();
    const format = checkFormat(opts);
    const { pool, defaultPool } = resolvePool(poolSpec, opts.pool);
    await ctx.openPool(pool, defaultPool, [`rbd: listing images failed: ${cppStrerror(2)}`]);
    const { backend, cluster } = ctx;
    let names: string[];
    try {
      names = [...(await backend.listImages(pool, cluster))].sort();
    } catch (error) {
      throw failWith("listing images failed", error);
    }
    if (!opts.long) {
      ctx.render(
        opts,
        () => names,
        () => names.map((n) => `${n}\n`).join(""),
      );
      return;
    }
    const json: Record<string, unknown>[] = [];
    const rows: string[][] = [];
    for (const name of names) {
      const ref = { cluster, pool, image: name };
      // An image removed between the listing and the open is skipped, as rbd does.
      const info = await backend.imageInfo(ref).catch(() => undefined);
      if (!info) continue;
      json.push({ image: name, id: info.id, size: info.size, format: info.format });
      rows.push([name, formatBytes(info.size), "", String(info.format), "", ""]);
      const snaps = [...(await backend.listSnaps(ref))].sort((a, b) => a.id - b.id);
      for (const snap of snaps) {
        json.push({
          image: name,
          id: info.id,
          snapshot: snap.name,
          snapshot_id: snap.id,
          size: snap.size,
          format: info.format,
          protected: String(snap.protected),
        });
        rows.push([
          `${name}@${snap.name}`,
          formatBytes(snap.size),
          "",
          String(info.format),
          snap.protected ? "yes" : "",
          "",
        ]);
      }
    }
    if (format === "json") {
      ctx.render(
        opts,
        () => json,
        () => "",
      );
    } else if (rows.length > 0) {
      ctx.out(
        renderTable(
          [
            { heading: "NAME", headingAlign: "left", align: "left" },
            { heading: "SIZE", headingAlign: "left", align: "right" },
            { heading: "PARENT", headingAlign: "left", align: "left" },
            { heading: "FMT", headingAlign: "left", align: "right" },
            { heading: "PROT", headingAlign: "left", align: "left" },
            { heading: "LOCK", headingAlign: "left", align: "left" },
          ],
          rows,
        ),
      );
    }
  });
}
