import { need, type Step } from "../step.js";

export const waitImport: Step = {
  name: "wait-import",
  async run(ctx) {
    const id = need(ctx, "importedBackupId", "wait-import");
    await ctx.poll.until({
      what: `imported backup ${id} in ${ctx.b.label}`,
      kind: "import",
      fetch: () => ctx.b.getBackup(id),
      status: (b) => b?.status ?? "missing",
      done: (b) => b?.status === "available",
      failed: (b) =>
        !b
          ? `imported backup ${id} disappeared from ${ctx.b.label}`
          : b.status === "error"
            ? `import of ${id} failed in ${ctx.b.label}: ${b.failReason ?? "no fail_reason"}`
            : undefined,
      timeoutMs: ctx.options.waitTimeoutMs,
      onPoll: ctx.onPoll,
      signal: ctx.signal,
    });
    return {};
  },
};
