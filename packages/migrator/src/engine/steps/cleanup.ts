import { need, type Step } from "../step.js";

/**
 * Removes the migration backup on both sides together, and only after verification: the
 * imported backup in B keeps A's id, and deleting it removes the shared base image, so A's
 * backup would be left listed as available with no data. The source volume is never touched.
 */
export const cleanup: Step = {
  name: "cleanup",
  skip: (ctx) => {
    if (!ctx.options.cleanup) return "not asked (--cleanup)";
    if (ctx.facts.verified !== true) return "kept: content was not verified, so the backups stay";
    return undefined;
  },
  async run(ctx) {
    const bid = need(ctx, "backupId", "cleanup");
    const imported = need(ctx, "importedBackupId", "cleanup");
    const gone = (side: typeof ctx.a, id: string) =>
      ctx.poll.until({
        what: `deletion of backup ${id} in ${side.label}`,
        kind: "backup-delete",
        fetch: () => side.getBackup(id),
        status: (b) => b?.status ?? "deleted",
        done: (b) => b === undefined || b.status === "deleted",
        failed: (b) =>
          b?.status === "error_deleting" ? `backup ${id} went to error_deleting in ${side.label}` : undefined,
        timeoutMs: ctx.options.waitTimeoutMs,
        onPoll: ctx.onPoll,
        signal: ctx.signal,
      });
    // B first, then A: the shared base image goes with whichever is deleted first.
    await ctx.b.deleteBackup(imported);
    await gone(ctx.b, imported);
    await ctx.a.deleteBackup(bid);
    await gone(ctx.a, bid);
    return { cleanedUp: true };
  },
};
