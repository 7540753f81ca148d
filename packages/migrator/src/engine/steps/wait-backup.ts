import { need, type Step } from "../step.js";

export const waitBackup: Step = {
  name: "wait-backup",
  async run(ctx) {
    const id = need(ctx, "backupId", "wait-backup");
    await ctx.poll.until({
      what: `backup ${id} in ${ctx.a.label}`,
      kind: ctx.facts.incremental ? "incremental-backup" : "backup",
      fetch: () => ctx.a.getBackup(id),
      status: (b) => b?.status ?? "missing",
      done: (b) => b?.status === "available",
      failed: (b) =>
        !b
          ? `backup ${id} disappeared from ${ctx.a.label}`
          : b.status === "error"
            ? `backup ${id} failed in ${ctx.a.label}: ${b.failReason ?? "no fail_reason"}`
            : undefined,
      timeoutMs: ctx.options.waitTimeoutMs,
      onPoll: ctx.onPoll,
      signal: ctx.signal,
    });
    return {};
  },
};
