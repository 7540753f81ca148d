import { need, type Step } from "../step.js";

/** Both must settle: the target volume (restoring-backup → available) and the backup (restoring → available). */
export const waitRestore: Step = {
  name: "wait-restore",
  async run(ctx) {
    const target = need(ctx, "targetVolumeId", "wait-restore");
    const backupId = need(ctx, "importedBackupId", "wait-restore");
    await ctx.poll.until({
      what: `restore into volume ${target} in ${ctx.b.label}`,
      kind: "restore",
      fetch: () => ctx.b.getVolume(target),
      status: (v) => v?.status ?? "missing",
      done: (v) => v?.status === "available",
      failed: (v) =>
        !v
          ? `target volume ${target} disappeared from ${ctx.b.label}`
          : v.status === "error_restoring" || v.status === "error"
            ? `restore of backup ${backupId} into ${target} failed in ${ctx.b.label} (volume ${v.status})`
            : undefined,
      timeoutMs: ctx.options.waitTimeoutMs,
      onPoll: ctx.onPoll,
      signal: ctx.signal,
    });
    await ctx.poll.until({
      what: `backup ${backupId} after restore in ${ctx.b.label}`,
      kind: "restore-backup-settle",
      fetch: () => ctx.b.getBackup(backupId),
      status: (b) => b?.status ?? "missing",
      done: (b) => b?.status === "available",
      failed: (b) => (!b ? `backup ${backupId} disappeared from ${ctx.b.label}` : undefined),
      timeoutMs: ctx.options.waitTimeoutMs,
      onPoll: ctx.onPoll,
      signal: ctx.signal,
    });
    return {};
  },
};
