import { Command } from "commander";
import type { FormatOptions, Verb } from "../context.js";
import { addFormatOptions, addPoolOption, checkFormat } from "../context.js";
import { CliFailure, cppStrerror, errnoOf, failWith } from "../errors.js";
import { formatBytes } from "../format.js";
import { resolvePool } from "../spec.js";

/** `rbd pool init`, plus fake-rbd's `pool create` / `pool ls` / `pool rm` (real pools come from ceph). */
export function poolCommand(verb: Verb): Command {
  const pool = new Command("pool").summary("Pool management.").description("Pool management.");

  const init = new Command("init")
    .summary("Initialize pool for use by RBD.")
    .description("Initialize pool for use by RBD.")
    .argument("[pool-name]", "pool name")
    .option("--force", "force initialize pool for RBD use if registered by another application");
  addPoolOption(init);
  pool.addCommand(
    verb(init, async (ctx) => {
      const { pool: name, defaultPool } = resolvePool(init.args[0], init.opts<{ pool?: string }>().pool);
      await ctx.openPool(name, defaultPool);
      await ctx.backend.initPool(name, ctx.cluster).catch((error: unknown) => {
        throw failWith("error registering application", error);
      });
    }),
  );

  const stats = new Command("stats")
    .summary("Display pool statistics.")
    .description("Display pool statistics.")
    .argument("[pool-spec]", "pool specification <pool-name>[/<namespace>]");
  addPoolOption(stats);
  addFormatOptions(stats);
  pool.addCommand(
    verb(stats, async (ctx) => {
      const opts = stats.opts<FormatOptions & { pool?: string }>();
      checkFormat(opts);
      const { pool: name, defaultPool } = resolvePool(stats.args[0], opts.pool);
      await ctx.openPool(name, defaultPool);
      const { backend, cluster } = ctx;
      let count = 0;
      let snapCount = 0;
      let provisioned = 0;
      for (const image of await backend.listImages(name, cluster)) {
        const ref = { cluster, pool: name, image };
        const [info, snaps] = await Promise.all([backend.imageInfo(ref), backend.listSnaps(ref)]);
        count += 1;
        snapCount += snaps.length;
        // librbd counts the largest extent the image spans at the head or any snapshot
        // (pinned against real rbd 16.2: a shrunk image still provisions its old size)
        provisioned += Math.max(info.size, ...snaps.map((s) => s.size));
      }
      ctx.render(
        opts,
        () => ({
          images: { count, provisioned_bytes: provisioned, snap_count: snapCount },
          trash: { count: 0, provisioned_bytes: 0, snap_count: 0 },
        }),
        () =>
          `Total Images: ${count}\nTotal Snapshots: ${snapCount}\nProvisioned Size: ${formatBytes(provisioned)}\n`,
      );
    }),
  );

  const create = new Command("create")
    .summary("fake-rbd only: create a pool (real pools come from `ceph osd pool create`).")
    .description(
      "fake-rbd extension: create a pool in the fake cluster. Real Ceph has no such rbd verb: pools are created with\n" +
        "`ceph osd pool create <pool>` and then prepared with `rbd pool init <pool>`.",
    )
    .argument("[pool-name]", "pool name");
  addPoolOption(create);
  pool.addCommand(
    verb(create, async (ctx) => {
      const { pool: name } = resolvePool(create.args[0], create.opts<{ pool?: string }>().pool);
      await ctx.backend.createPool(name, ctx.cluster).catch((error: unknown) => {
        if (errnoOf(error) === 17)
          throw new CliFailure(`pool '${name}' already exists`, 17, { cause: error });
        throw failWith("error creating pool", error);
      });
      ctx.err(`pool '${name}' created\n`);
    }),
  );

  const list = new Command("list")
    .alias("ls")
    .summary("fake-rbd only: list the pools of the fake cluster (real: `ceph osd pool ls`).")
    .description("fake-rbd extension: list pools, one per line (real Ceph: `ceph osd pool ls`).");
  pool.addCommand(
    verb(list, async (ctx) => {
      for (const name of await ctx.backend.listPools(ctx.cluster)) ctx.out(`${name}\n`);
    }),
  );

  const remove = new Command("remove")
    .alias("rm")
    .summary("fake-rbd only: delete a pool and its images (real: `ceph osd pool rm`).")
    .description("fake-rbd extension: delete a pool and every image in it (real Ceph: `ceph osd pool rm`).")
    .argument("[pool-name]", "pool name");
  addPoolOption(remove);
  pool.addCommand(
    verb(remove, async (ctx) => {
      const { pool: name } = resolvePool(remove.args[0], remove.opts<{ pool?: string }>().pool);
      await ctx.backend.removePool(name, ctx.cluster).catch((error: unknown) => {
        throw new CliFailure(
          `rbd: error removing pool '${name}': ${cppStrerror(errnoOf(error))}`,
          errnoOf(error),
        );
      });
    }),
  );
  return pool;
}
