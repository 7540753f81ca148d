import { CinderHttpError } from "../../errors.js";
import { need, type Step, StepFailed } from "../step.js";

/**
 * Imports the record into B. The imported backup keeps A's backup id, so "did a crashed
 * attempt import it?" is one GET in B.
 */
export const importStep: Step = {
  name: "import",
  async run(ctx) {
    const id = need(ctx, "backupId", "import");
    const record = need(ctx, "record", "import");
    if (ctx.mayHaveActed) {
      const existing = await ctx.b.getBackup(id);
      if (existing) return { importedBackupId: existing.id };
    }
    try {
      const imported = await ctx.b.importRecord(record);
      return { importedBackupId: imported.id };
    } catch (error) {
      if (
        error instanceof CinderHttpError &&
        error.status === 400 &&
        /already exists/i.test(error.faultMessage)
      ) {
        const existing = await ctx.b.getBackup(id);
        if (existing && ctx.mayHaveActed) return { importedBackupId: existing.id };
        throw new StepFailed(
          "import",
          `backup id ${id} already exists in ${ctx.b.label} (${existing?.status ?? "hidden"}), not imported by this run: ${error.faultMessage}`,
        );
      }
      if (error instanceof CinderHttpError && error.status < 500 && error.status !== 413) {
        throw new StepFailed("import", `${ctx.b.label} refused the import: ${error.faultMessage}`);
      }
      throw error;
    }
  },
};
