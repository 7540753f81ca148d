import { need, type Step } from "../step.js";

/** export_record is read-only in A, so repeating it after a crash is harmless. */
export const exportStep: Step = {
  name: "export",
  async run(ctx) {
    const id = need(ctx, "backupId", "export");
    return { record: await ctx.a.exportRecord(id) };
  },
};
