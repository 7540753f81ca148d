import { runDescription, runTag } from "../facts.js";
import { need, type Step } from "../step.js";

/** Creates the migration backup in A, or finds the one a crashed attempt created (by its tag). */
export const backup: Step = {
  name: "backup",
  async run(ctx) {
    const source = need(ctx, "source", "backup");
    const name = runTag(ctx.runId, source.id);
    if (ctx.mayHaveActed) {
      const found = (await ctx.a.findBackups({ name, volumeId: source.id })).filter(
        (b) => b.status !== "deleting",
      );
      const mine = found.sort((x, y) => y.createdAt.localeCompare(x.createdAt))[0];
      if (mine) return { backupId: mine.id };
    }
    const created = await ctx.a.createBackup({
      volumeId: source.id,
      name,
      description: runDescription(ctx.runId, source.id),
      incremental: ctx.facts.incremental ?? false,
      force: ctx.facts.force ?? false,
    });
    return { backupId: created.id };
  },
};
