// Cinder's RBD volume driver, as far as the backup procedure sees it: a volume is the image
// `volume-<id>` in the cluster's pool, sized in GiB; extend resizes it; delete first removes
// the backup snapshots the ceph backup driver leaves on the source (it leaks them on backup
// delete), then the image.
import type { ImageRef, RbdBackend } from "@cinderlab/fake-rbd";
import type { Volume } from "../model/types.js";
import type { VolumeDriver } from "./types.js";

export const GiB = 1024 ** 3;

/** cinder/backup/drivers/ceph.py backup_snapshot_name_pattern */
export const BACKUP_SNAP_PATTERN = /^backup\.([a-z0-9-]+?)\.snap\.(.+)$/;

/** the RBD snapshot name of a Cinder snapshot */
export const snapshotName = (snapshotId: string): string => `snapshot-${snapshotId}`;

export const isNotFound = (err: unknown): boolean =>
  typeof err === "object" && err !== null && (err as { code?: unknown }).code === "ENOENT";

export class RbdVolumeDriver implements VolumeDriver {
  constructor(
    readonly rbd: RbdBackend,
    readonly pool: string,
    readonly cluster?: string,
  ) {}

  imageRef(volumeId: string): ImageRef {
    const ref: ImageRef = { pool: this.pool, image: `volume-${volumeId}` };
    if (this.cluster !== undefined) ref.cluster = this.cluster;
    return ref;
  }

  async createVolume(volume: Pick<Volume, "id" | "size">): Promise<void> {
    await this.rbd.createImage(this.imageRef(volume.id), { size: volume.size * GiB });
  }

  async extendVolume(volume: Pick<Volume, "id">, newSizeGiB: number): Promise<void> {
    await this.rbd.resizeImage(this.imageRef(volume.id), newSizeGiB * GiB);
  }

  async deleteVolume(volume: Pick<Volume, "id">): Promise<void> {
    const ref = this.imageRef(volume.id);
    try {
      for (const snap of await this.rbd.listSnaps(ref)) {
        if (!BACKUP_SNAP_PATTERN.test(snap.name)) continue;
        if (snap.protected) await this.rbd.unprotectSnap(ref, snap.name);
        await this.rbd.removeSnap(ref, snap.name);
      }
      await this.rbd.removeImage(ref);
    } catch (err) {
      // the RBD driver treats a missing image as already deleted
      if (!isNotFound(err)) throw err;
    }
  }

  /** Cinder's RBD snapshot: `snapshot-<id>` on the volume image, protected (for clones) */
  async createSnapshot(volumeId: string, snapshotId: string): Promise<void> {
    const ref = this.imageRef(volumeId);
    await this.rbd.createSnap(ref, snapshotName(snapshotId));
    await this.rbd.protectSnap(ref, snapshotName(snapshotId));
  }

  /** unprotect and remove; a missing image or snapshot counts as deleted */
  async deleteSnapshot(volumeId: string, snapshotId: string): Promise<void> {
    const ref = this.imageRef(volumeId);
    try {
      const snap = (await this.rbd.listSnaps(ref)).find((s) => s.name === snapshotName(snapshotId));
      if (!snap) return;
      if (snap.protected) await this.rbd.unprotectSnap(ref, snap.name);
      await this.rbd.removeSnap(ref, snap.name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /**
   * A new volume from a volume (or one of its snapshots). Cinder's RBD driver clones (layering);
   * the fake has no clones, so it copies: export-diff of the source piped into import-diff.
   */
  async copyVolume(sourceId: string, targetId: string, fromSnapshotId?: string): Promise<void> {
    const target = this.imageRef(targetId);
    const { size } = await this.rbd.imageInfo(target);
    const source = fromSnapshotId
      ? { ...this.imageRef(sourceId), snap: snapshotName(fromSnapshotId) }
      : this.imageRef(sourceId);
    const stream = await this.rbd.exportDiff(source);
    await this.rbd.importDiff(target, stream);
    // import-diff creates the stream's to-snap; a clone would not carry it
    if (fromSnapshotId)
      await this.rbd.removeSnap(target, snapshotName(fromSnapshotId)).catch(() => undefined);
    const after = await this.rbd.imageInfo(target);
    if (after.size !== size) await this.rbd.resizeImage(target, size, { allowShrink: true });
  }
}
