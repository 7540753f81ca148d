import { Command } from "commander";
import type { CliContext, FormatOptions, SpecOptionValues, Verb } from "../context.js";
import { addFormatOptions, addImageOptions, addNoProgressOption, checkFormat, imageRef } from "../context.js";
import { CliFailure, errnoOf, failWith, invalidArgument } from "../errors.js";
import { formatBytes, formatCtime, renderTable } from "../format.js";
import { librbdLog } from "../librbd-log.js";
import { parseSpec, type ResolvedSpec, resolveImageSpec } from "../spec.js";

type SnapOptions = SpecOptionValues & FormatOptions & { progress?: boolean };

const SNAP_SPEC = "snapshot specification <pool-name>/<image-name>@<snap-name>";

/** `rbd snap ...`: one parent command whose subcommands are rbd's snapshot verbs. */
export function snapCommand(verb: Verb): Command {
  const snap = new Command("snap").summary("Snapshot management.").description("Manage image snapshots.");
  snap.addCommand(snapList(verb));
  snap.addCommand(snapCreate(verb));
  snap.addCommand(snapRemove(verb));
  snap.addCommand(snapPurge(verb));
  snap.addCommand(snapProtect(verb));
  snap.addCommand(snapUnprotect(verb));
  snap.addCommand(snapRollback(verb));
  snap.addCommand(snapRename(verb));
  return snap;
}

function snapVerb(name: string, summary: string, specKind: "image" | "snap", alias?: string): Command {
  const cmd = new Command(name).summary(summary).description(summary);
  if (alias) cmd.alias(alias);
  cmd.argument(
    specKind === "image" ? "[image-spec]" : "[snap-spec]",
    specKind === "image" ? "image specification <pool-name>/<image-name>" : SNAP_SPEC,
  );
  addImageOptions(cmd, specKind === "snap");
  return cmd;
}

function spec(ctx: CliContext, cmd: Command, presence: "none" | "required"): ResolvedSpec {
  return resolveImageSpec(cmd.args[0], cmd.opts<SnapOptions>(), presence, ctx.cluster);
}

/** Opens the image only: rbd's snapshot verbs report a missing snapshot from the operation. */
async function openHead(ctx: CliContext, target: ResolvedSpec): Promise<void> {
  const { snap: _snap, ...head } = target;
  await ctx.openImage(head);
}

function snapList(verb: Verb): Command {
  const cmd = snapVerb("list", "Dump list of image snapshots.", "image", "ls");
  addFormatOptions(cmd);
  return verb(cmd, async (ctx) => {
    const opts = cmd.opts<SnapOptions>();
    checkFormat(opts);
    const target = spec(ctx, cmd, "none");
    await ctx.openImage(target);
    const snaps = [...(await ctx.backend.listSnaps(imageRef(target)))].sort((a, b) => a.id - b.id);
    ctx.render(
      opts,
      () =>
        snaps.map((s) => ({
          id: s.id,
          name: s.name,
          size: s.size,
          protected: String(s.protected),
          timestamp: formatCtime(s.timestamp),
        })),
      () =>
        snaps.length === 0
          ? ""
          : renderTable(
              [
                { heading: "SNAPID", headingAlign: "left", align: "right" },
                { heading: "NAME", headingAlign: "left", align: "left" },
                { heading: "SIZE", headingAlign: "left", align: "right" },
                { heading: "PROTECTED", headingAlign: "left", align: "left" },
                { heading: "TIMESTAMP", headingAlign: "left", align: "right" },
              ],
              snaps.map((s) => [
                String(s.id),
                s.name,
                formatBytes(s.size),
                s.protected ? "yes" : "",
                formatCtime(s.timestamp),
              ]),
            ),
    );
  });
}

function snapCreate(verb: Verb): Command {
  const cmd = snapVerb("create", "Create a snapshot.", "snap", "add");
  addNoProgressOption(cmd);
  return verb(cmd, async (ctx) => {
    const target = spec(ctx, cmd, "required");
    await openHead(ctx, target);
    const progress = ctx.progress("Creating snap", cmd.opts<SnapOptions>().progress === false);
    try {
      await progress.run(async () => {
        await ctx.backend.createSnap(imageRef(target), target.snap ?? "");
        // rbd 16.2 shows 10% once the snapshot is taken, then 100%; a refusal stays at 0%
        progress.update(10, 100);
      });
    } catch (error) {
      throw failWith("failed to create snapshot", error);
    }
  });
}

function snapRemove(verb: Verb): Command {
  const cmd = snapVerb("remove", "Delete a snapshot.", "snap", "rm");
  addNoProgressOption(cmd);
  return verb(cmd, async (ctx) => {
    const target = spec(ctx, cmd, "required");
    const name = target.snap ?? "";
    await openHead(ctx, target);
    const progress = ctx.progress("Removing snap", cmd.opts<SnapOptions>().progress === false);
    try {
      await ctx.backend.removeSnap(imageRef(target), name);
      progress.finish();
    } catch (error) {
      // librbd logs the protection before rbd reports the failed progress.
      if (errnoOf(error) === 16) ctx.err(`${librbdLog("librbd::Operations", "snapshot is protected")}\n`);
      progress.fail();
      if (errnoOf(error) === 16) {
        throw new CliFailure(`rbd: snapshot '${name}' is protected from removal.`, 16, { cause: error });
      }
      throw failWith("failed to remove snapshot", error);
    }
  });
}

function snapPurge(verb: Verb): Command {
  const cmd = snapVerb("purge", "Delete all unprotected snapshots.", "image");
  addNoProgressOption(cmd);
  return verb(cmd, async (ctx) => {
    const target = spec(ctx, cmd, "none");
    await ctx.openImage(target);
    const ref = imageRef(target);
    const snaps = [...(await ctx.backend.listSnaps(ref))].sort((a, b) => a.id - b.id);
    if (snaps.length === 0) return;
    const protectedNames = snaps.filter((s) => s.protected).map((s) => s.name);
    // rbd purges what it can, warns about protected snapshots and still exits 0.
    if (protectedNames.length > 0) {
      // rbd prints this on stdout, names comma-joined.
      const verb = protectedNames.length === 1 ? "is" : "are";
      ctx.out(
        `rbd: error removing snapshot(s) '${protectedNames.join(",")}', which ${verb} protected - these must be unprotected with \`rbd snap unprotect\`.\n`,
      );
    }
    const progress = ctx.progress("Removing all snapshots", cmd.opts<SnapOptions>().progress === false);
    let removed = 0;
    try {
      if (protectedNames.length === 0) {
        await ctx.backend.purgeSnaps(ref);
        removed = snaps.length;
        progress.update(removed, snaps.length);
      } else {
        for (const snap of snaps.filter((s) => !s.protected)) {
          await ctx.backend.removeSnap(ref, snap.name);
          progress.update(++removed, snaps.length);
        }
      }
    } catch (error) {
      progress.fail();
      throw failWith("removing snaps failed", error);
    }
    if (protectedNames.length > 0) progress.fail();
    else progress.finish();
  });
}

function snapProtect(verb: Verb): Command {
  const cmd = snapVerb("protect", "Prevent a snapshot from being deleted.", "snap");
  return verb(cmd, async (ctx) => {
    const target = spec(ctx, cmd, "required");
    await openHead(ctx, target);
    const ref = imageRef(target);
    const snap = (await ctx.backend.listSnaps(ref)).find((s) => s.name === target.snap);
    if (!snap) throw failWith("protecting snap failed", { errno: 2 });
    if (snap.protected) throw new CliFailure("rbd: snap is already protected", 16);
    try {
      await ctx.backend.protectSnap(ref, snap.name);
    } catch (error) {
      throw failWith("protecting snap failed", error);
    }
  });
}

function snapUnprotect(verb: Verb): Command {
  const cmd = snapVerb("unprotect", "Allow a snapshot to be deleted.", "snap");
  return verb(cmd, async (ctx) => {
    const target = spec(ctx, cmd, "required");
    await openHead(ctx, target);
    const ref = imageRef(target);
    const snap = (await ctx.backend.listSnaps(ref)).find((s) => s.name === target.snap);
    if (!snap) throw failWith("unprotecting snap failed", { errno: 2 });
    if (!snap.protected) throw new CliFailure("rbd: snap is already unprotected", 22);
    try {
      await ctx.backend.unprotectSnap(ref, snap.name);
    } catch (error) {
      throw failWith("unprotecting snap failed", error);
    }
  });
}

function snapRollback(verb: Verb): Command {
  const cmd = snapVerb("rollback", "Rollback image to snapshot.", "snap", "revert");
  addNoProgressOption(cmd);
  return verb(cmd, async (ctx) => {
    const target = spec(ctx, cmd, "required");
    await openHead(ctx, target);
    const progress = ctx.progress("Rolling back to snapshot", cmd.opts<SnapOptions>().progress === false);
    try {
      await ctx.backend.rollbackSnap(imageRef(target), target.snap ?? "");
      progress.finish();
    } catch (error) {
      if (errnoOf(error) === 2) ctx.err(`${librbdLog("librbd::Operations", "No such snapshot found.")}\n`);
      progress.fail();
      throw failWith("rollback failed", error);
    }
  });
}

function snapRename(verb: Verb): Command {
  const cmd = snapVerb("rename", "Rename a snapshot.", "snap");
  cmd.argument("[dest-snap-spec]", `destination ${SNAP_SPEC}`);
  cmd
    .option("--dest-pool <dest-pool>", "destination pool name")
    .option("--dest-snap <dest-snap>", "destination snapshot name");
  return verb(cmd, async (ctx) => {
    const target = spec(ctx, cmd, "required");
    const opts = cmd.opts<SnapOptions & { destPool?: string; destSnap?: string }>();
    const destSpec = cmd.args[1];
    const dest = destSpec === undefined ? undefined : parseSpec(destSpec);
    const destSnap = dest ? dest.snap : opts.destSnap;
    if (!destSnap) throw invalidArgument("destination snapshot name was not specified");
    const destPool = dest?.pool ?? opts.destPool ?? target.pool;
    if (destPool !== target.pool) throw invalidArgument("source and destination pool must be the same");
    if (dest && dest.image !== target.image) {
      throw invalidArgument("source and destination image name must be the same");
    }
    await openHead(ctx, target);
    try {
      await ctx.backend.renameSnap(imageRef(target), target.snap ?? "", destSnap);
    } catch (error) {
      throw failWith("renaming snap failed", error);
    }
  });
}
