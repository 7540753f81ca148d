import { need, type Step } from "../step.js";

export const waitVolume: Step = {
  name: "wait-volume",
  async run(ctx) {
    const id = need(ctx, "targetVolumeId", "wait-volume");
    await ctx.poll.until({
      what: `target volume ${id} in ${ctx.b.label}`,
      kind: "volume-create",
      fetch: () => ctx.b.getVolume(id),
      status: (v) => v?.status ?? "missing",
      done: (v) => v?.status === "available",
      failed: (v) =>
        !v
          ? `target volume ${id} disappeared from ${ctx.b.label}`
          : v.status === "error"
            ? `target volume ${id} went to error in ${ctx.b.label}`
            : undefined,
      timeoutMs: ctx.options.waitTimeoutMs,
      onPoll: ctx.onPoll,
      signal: ctx.signal,
    });
    return {};
  },
};
