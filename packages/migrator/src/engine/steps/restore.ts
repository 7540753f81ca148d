import { CinderHttpError } from "../../errors.js";
import { need, type Step, StepFailed } from "../step.js";

/**
 * Restores the imported backup into the target volume. After a crash the target tells
 * whether the restore already started (restoring-backup) or finished (Cinder adds
 * src_backup_id=<backup> to its metadata).
 */
export const restore: Step = {
  name: "restore",
  async run(ctx) {
    const backupId = need(ctx, "importedBackupId", "restore");
    const target = need(ctx, "targetVolumeId", "restore");
    if (ctx.mayHaveActed) {
      const v = await ctx.b.getVolume(target);
      if (v?.status === "restoring-backup") return { restoreRequested: true };
      if (v?.status === "available" && v.metadata.src_backup_id === backupId)
        return { restoreRequested: true };
      if (v?.status === "error_restoring")
        throw new StepFailed("restore", `restore into ${target} failed in ${ctx.b.label} (error_restoring)`);
    }
    try {
      await ctx.b.restoreBackup(backupId, target);
    } catch (error) {
      if (error instanceof CinderHttpError && error.status === 400) {
        throw new StepFailed("restore", `${ctx.b.label} refused the restore: ${error.faultMessage}`);
      }
      throw error;
    }
    return { restoreRequested: true };
  },
};
