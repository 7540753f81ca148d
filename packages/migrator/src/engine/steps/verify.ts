import { need, type Step, StepFailed } from "../step.js";

/**
 * sha256 of the source's backup snapshot in the backup Ceph (the consistent point, even for
 * a forced backup of an in-use volume) against the restored image in B's pool.
 */
export const verify: Step = {
  name: "verify",
  skip: (ctx) => {
    if (ctx.options.verify === "none") return "verification disabled (--verify none)";
    if (!ctx.ceph.backup) return "content NOT verified: no access to the backup Ceph";
    if (!ctx.ceph.target) return "content NOT verified: no access to B's volume Ceph";
    return undefined;
  },
  async run(ctx) {
    const backup = ctx.ceph.backup;
    const target = ctx.ceph.target;
    if (!backup || !target) return { verified: false };
    const source = need(ctx, "source", "verify");
    const image = need(ctx, "backupImage", "verify");
    const snap = need(ctx, "backupSnapshot", "verify");
    const targetId = need(ctx, "targetVolumeId", "verify");
    const size = source.size * 1024 ** 3;
    const m = /^sample:(\d+(?:\.\d+)?)%?$/.exec(ctx.options.verify);
    const sample = m ? { percent: Number(m[1]), seed: ctx.runId } : undefined;
    const [sourceDigest, targetDigest] = await Promise.all([
      backup.cluster.digest({ pool: backup.pool, image, snap }, size, sample),
      target.cluster.digest({ pool: target.pool, image: `volume-${targetId}` }, size, sample),
    ]);
    if (sourceDigest.sha256 !== targetDigest.sha256) {
      throw new StepFailed(
        "verify",
        `checksum mismatch: ${backup.pool}/${image}@${snap} ${sourceDigest.sha256} ≠ ${target.pool}/volume-${targetId} ${targetDigest.sha256}`,
      );
    }
    return { sourceDigest, targetDigest, verified: true };
  },
};
