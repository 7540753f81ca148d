import { need, type Step } from "../step.js";

/**
 * Gives the target the source's name, description, metadata and bootable flag, in one PUT
 * (plus one action for bootable); all idempotent. Cinder's restore already put the metadata
 * saved with the backup and src_backup_id on the target; those stay, the source's current
 * metadata wins.
 */
export const finalize: Step = {
  name: "finalize",
  async run(ctx) {
    const source = need(ctx, "source", "finalize");
    const target = need(ctx, "targetVolumeId", "finalize");
    const current = await ctx.b.getVolume(target);
    await ctx.b.updateVolume(target, {
      name: source.name ?? "",
      description: source.description,
      metadata: { ...current?.metadata, ...source.metadata },
    });
    if (source.bootable) await ctx.b.setBootable(target, true);
    return {};
  },
};
