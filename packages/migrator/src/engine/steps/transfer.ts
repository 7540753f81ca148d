import { need, type Step, StepFailed } from "../step.js";

/**
 * Hands the restored volume to another project with Cinder's volume transfer: B's admin
 * creates it, a user of the receiving project accepts it at once. The auth key lives only
 * in memory; after a crash between the two, the stale transfer is deleted and made again.
 */
export const transfer: Step = {
  name: "transfer",
  skip: (ctx) => (ctx.options.toProject ? undefined : "not asked (--to-project)"),
  async run(ctx) {
    const project = ctx.options.toProject;
    const receiver = ctx.receiver;
    const target = need(ctx, "targetVolumeId", "transfer");
    if (!project) return {};
    if (!receiver)
      throw new StepFailed(
        "transfer",
        "--to-project needs the receiving project's credentials (--receiver-cloud/--receiver-openrc)",
      );
    if (receiver.projectId !== project) {
      throw new StepFailed(
        "transfer",
        `the receiver's credentials are scoped to project ${receiver.projectId}, not ${project}`,
      );
    }
    if (ctx.mayHaveActed) {
      if ((await ctx.b.getVolume(target))?.projectId === project) return { transferredTo: project };
      for (const stale of await ctx.b.listTransfers(target)) await ctx.b.deleteTransfer(stale.id);
    }
    const { id, authKey } = await ctx.b.createTransfer(target, `cinder-migrate ${ctx.runId}`);
    await receiver.acceptTransfer(id, authKey);
    return { transferredTo: project };
  },
};
