import { backupSnapshotPrefix } from "../../ceph/rbd.js";
import { need, type Step, StepFailed } from "../step.js";

/**
 * Finds the backup's image and snapshot in the backup Ceph: image volume-<vid>.backup.<bid>
 * (a full backup) or the parent's image (incremental), snapshot backup.<bid>.snap.<ts>.
 * That snapshot is the consistent point that verification later compares with B.
 */
export const checkBackup: Step = {
  name: "check-backup",
  skip: (ctx) => (ctx.ceph.backup ? undefined : "no access to the backup Ceph (--backup-ceph-conf)"),
  async run(ctx) {
    const access = ctx.ceph.backup;
    if (!access) return { backupChecked: false };
    const source = need(ctx, "source", "check-backup");
    const bid = need(ctx, "backupId", "check-backup");
    const prefix = `volume-${source.id}.backup.`;
    // A full backup's image is named after the backup: one rbd call. Otherwise (incremental
    // on a parent's image, legacy .backup.base) look through the volume's backup images.
    if (!ctx.facts.incremental) {
      const snap = (await access.cluster.listSnapshots(access.pool, `${prefix}${bid}`).catch(() => [])).find(
        (s) => s.startsWith(backupSnapshotPrefix(bid)),
      );
      if (snap) return { backupImage: `${prefix}${bid}`, backupSnapshot: snap, backupChecked: true };
    }
    const images = (await access.cluster.listImages(access.pool)).filter((i) => i.startsWith(prefix));
    for (const image of images) {
      const snap = (await access.cluster.listSnapshots(access.pool, image)).find((s) =>
        s.startsWith(backupSnapshotPrefix(bid)),
      );
      if (snap) return { backupImage: image, backupSnapshot: snap, backupChecked: true };
    }
    throw new StepFailed(
      "check-backup",
      `backup ${bid} has no snapshot ${backupSnapshotPrefix(bid)}* in pool ${access.pool} (images: ${images.join(", ") || "none"}); is A's backup driver the Ceph driver on this pool?`,
    );
  },
};
