import { CinderHttpError } from "../../errors.js";
import { runTag } from "../facts.js";
import { need, type Step, StepFailed } from "../step.js";

/**
 * Creates the empty target volume in B: the source's size, mapped type and AZ. It carries
 * the run tag as its name until `finalize`, so a crashed attempt's volume is found again;
 * the restore would overwrite name and metadata anyway.
 */
export const createVolume: Step = {
  name: "create-volume",
  async run(ctx) {
    const source = need(ctx, "source", "create-volume");
    const name = runTag(ctx.runId, source.id);
    if (ctx.mayHaveActed) {
      const found = (await ctx.b.findVolumes({ name })).filter((v) => !v.status.startsWith("delet"));
      if (found[0]) return { targetVolumeId: found[0].id };
    }
    try {
      const v = await ctx.b.createVolume({
        size: source.size,
        name,
        description: source.description,
        volumeType: ctx.facts.targetType ?? null,
        availabilityZone: ctx.facts.targetAz ?? null,
        metadata: {},
      });
      return { targetVolumeId: v.id };
    } catch (error) {
      if (error instanceof CinderHttpError && error.status === 404) {
        throw new StepFailed(
          "create-volume",
          `${ctx.b.label}: ${error.faultMessage} (map it with --type-map)`,
        );
      }
      if (error instanceof CinderHttpError && error.status === 400) {
        throw new StepFailed(
          "create-volume",
          `${ctx.b.label} refused the target volume: ${error.faultMessage}`,
        );
      }
      throw error;
    }
  },
};
