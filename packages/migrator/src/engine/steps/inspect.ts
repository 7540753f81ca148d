import { type Step, StepFailed } from "../step.js";

const MIGRATION_BACKUP = /^cinder-migrate-/;

/** Reads the source volume (never changes it) and decides how it will be backed up. */
export const inspect: Step = {
  name: "inspect",
  async run(ctx) {
    const v = await ctx.a.getVolume(ctx.volumeId);
    if (!v) throw new StepFailed("inspect", `volume ${ctx.volumeId} does not exist in ${ctx.a.label}`);
    let force = false;
    if (v.status === "in-use") {
      if (!ctx.options.force) {
        throw new StepFailed(
          "inspect",
          `volume ${v.id} is in-use: detach it or pass --force (backup of the attached volume)`,
        );
      }
      force = true;
    } else if (v.status !== "available") {
      throw new StepFailed(
        "inspect",
        `volume ${v.id} is ${v.status}; it must be available (or in-use with --force)`,
      );
    }
    let parentBackupId: string | undefined;
    if (ctx.options.incremental) {
      // Cinder makes the newest available backup of the volume the parent; it must be ours and present in B.
      const backups = (await ctx.a.findBackups({ volumeId: v.id }))
        .filter((b) => b.status === "available")
        .sort((x, y) => y.createdAt.localeCompare(x.createdAt));
      const latest = backups[0];
      if (!latest || !MIGRATION_BACKUP.test(latest.name ?? "")) {
        throw new StepFailed(
          "inspect",
          `--incremental needs an earlier cinder-migrate backup as the newest backup of ${v.id} (found ${latest ? `"${latest.name}"` : "none"})`,
        );
      }
      const inB = await ctx.b.getBackup(latest.id);
      if (inB?.status !== "available") {
        throw new StepFailed(
          "inspect",
          `--incremental: parent backup ${latest.id} is not imported (available) in ${ctx.b.label}`,
        );
      }
      parentBackupId = latest.id;
    }
    const type = v.volumeType ?? null;
    const az = v.availabilityZone ?? null;
    return {
      source: {
        id: v.id,
        name: v.name,
        description: v.description,
        size: v.size,
        status: v.status,
        volumeType: type,
        availabilityZone: az,
        metadata: v.metadata,
        bootable: v.bootable,
      },
      force,
      incremental: parentBackupId !== undefined,
      ...(parentBackupId ? { parentBackupId } : {}),
      targetType: type === null ? null : (ctx.options.typeMap[type] ?? type),
      targetAz: az === null ? null : (ctx.options.azMap[az] ?? az),
    };
  },
};
