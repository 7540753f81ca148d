import { need, type Step } from "../step.js";

/** Gives the target the source's name, description, metadata and bootable flag (all idempotent). */
export const finalize: Step = {
  name: "finalize",
  async run(ctx) {
    const source = need(ctx, "source", "finalize");
    const target = need(ctx, "targetVolumeId", "finalize");
    await ctx.b.updateVolume(target, { name: source.name ?? "", description: source.description });
    await ctx.b.mergeVolumeMetadata(target, source.metadata);
    if (source.bootable) await ctx.b.setBootable(target, true);
    return {};
  },
};
