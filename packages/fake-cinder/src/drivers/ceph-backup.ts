// The ceph backup driver (cinder/backup/drivers/ceph.py) as Cinder 21 (Zed) runs it, plus
// the pre-Train ("pike") naming, on a shared backup Ceph reached through RbdBackend.
//
// Names: full backup base `volume-<vid>.backup.<bid>`; an incremental uses its parent's base;
// the legacy base `volume-<vid>.backup.base` holds snapshot-source backups, and every backup
// under the pike profile. Each RBD-source backup leaves `backup.<bid>.snap.<time.time()>` on
// the source volume and (created by import-diff) on the base. Data moves exactly as Cinder's
// `rbd export-diff | rbd import-diff` pipe does, through RbdBackend.exportDiff/importDiff.
// The saved volume metadata is the RADOS object `backup.<bid>.meta` (see rados.ts).
import type { Readable } from "node:stream";
import type { ImageRef, RbdBackend, SnapRef } from "@cinderlab/fake-rbd";
import { type Clock, pythonFloatRepr } from "../clock/index.js";
import { pythonJsonDumps } from "../model/record.js";
import type { Backup, ReleaseProfile, Volume } from "../model/types.js";
import type { RadosObjectStore } from "./rados.js";
import { BACKUP_SNAP_PATTERN, GiB, isNotFound, snapshotName } from "./rbd-volume.js";
import type { BackupDriver, BackupResult, SavedVolumeMetadata, VolumeDriver } from "./types.js";

/**
 * Features of a new base image: Cinder asks for LAYERING|STRIPINGV2 (+ EXCLUSIVE_LOCK|OBJECT_MAP|
 * FAST_DIFF when librbd has fast-diff) with default striping; librbd 16.2 drops STRIPINGV2
 * then, so `rbd info` shows these (checked against a real 16.2.15 cluster).
 */
export const BASE_IMAGE_FEATURES = ["layering", "exclusive-lock", "object-map", "fast-diff"];

export const CEPH_BACKUP_SERVICE = "cinder.backup.drivers.ceph.CephBackupDriver";
/** before Rocky, backup_driver (and so backup.service) was the module path */
export const PIKE_CEPH_BACKUP_SERVICE = "cinder.backup.drivers.ceph";
/** backup_ceph_chunk_size */
export const CHUNK_SIZE = 134_217_728;
/** largest single discard the driver issues (2 GiB − 1) */
const DISCARD_LIMIT = 2 * GiB - 1;
/** the piece size used to copy allocated extents in a full restore */
const COPY_PIECE = 4 * 1024 * 1024;

/** A driver failure with Cinder's exception text (becomes fail_reason or is logged). */
export class BackupDriverError extends Error {
  constructor(
    message: string,
    readonly kind:
      | "BackupRBDOperationFailed"
      | "BackupOperationError"
      | "ImageNotFound"
      | "ObjectNotFound"
      | "Other",
  ) {
    super(message);
    this.name = "BackupDriverError";
  }
}

export interface CephBackupDriverOptions {
  rbd: RbdBackend;
  /** backup_ceph_pool */
  pool: string;
  cluster?: string | undefined;
  release: ReleaseProfile;
  clock: Clock;
  objects: RadosObjectStore;
}

export const legacyBaseName = (volumeId: string): string => `volume-${volumeId}.backup.base`;
export const newBaseName = (volumeId: string, backupId: string): string =>
  `volume-${volumeId}.backup.${backupId}`;
export const metaObjectName = (backupId: string): string => `backup.${backupId}.meta`;
export const serviceMetadataFor = (base: string): string => `{"base": "${base}"}`;

function baseFromServiceMetadata(serviceMetadata: string): string {
  const parsed = JSON.parse(serviceMetadata) as { base?: unknown };
  if (typeof parsed.base !== "string") throw new BackupDriverError(`KeyError: 'base'`, "Other");
  return parsed.base;
}

/** Zed `_get_backup_base_name(volume_id, backup)` */
export function zedBaseName(volumeId: string, backup?: Backup, parent?: Backup): string {
  if (!backup) return legacyBaseName(volumeId);
  if (backup.serviceMetadata) return baseFromServiceMetadata(backup.serviceMetadata);
  if (backup.parentId && parent) {
    return parent.serviceMetadata
      ? baseFromServiceMetadata(parent.serviceMetadata)
      : legacyBaseName(volumeId);
  }
  return newBaseName(volumeId, backup.id);
}

/** Python's repr() of bytes, as `stderr=%s` prints the pipe's captured stderr */
export function pyBytesRepr(text: string): string {
  const body = [...Buffer.from(text, "utf8")]
    .map((c) => {
      if (c === 0x5c) return "\\\\";
      if (c === 0x27) return "\\'";
      if (c === 0x0a) return "\\n";
      if (c === 0x0d) return "\\r";
      if (c === 0x09) return "\\t";
      if (c < 0x20 || c >= 0x7f) return `\\x${c.toString(16).padStart(2, "0")}`;
      return String.fromCharCode(c);
    })
    .join("");
  // like Python, switch to double quotes when that avoids escaping single quotes
  if (text.includes("'") && !text.includes('"')) return `b"${body.replaceAll("\\'", "'")}"`;
  return `b'${body}'`;
}

/** import-diff's stderr when export-diff fed it nothing (real rbd 16.2.15, progress included) */
const EMPTY_STREAM_IMPORT_STDERR =
  "rbd: failed to decode tag\n\rImporting image diff: 0% complete...failed.\nrbd: import-diff failed: (74) Bad message\n";

function diffOpFailed(ret: number, stderrText: string): BackupDriverError {
  return new BackupDriverError(
    `RBD diff op failed - (ret=${ret} stderr=${pyBytesRepr(stderrText)})`,
    "BackupRBDOperationFailed",
  );
}

/** the exit status and stderr text of a failed import-diff */
function rbdFailureText(err: unknown): { ret: number; stderr: string } {
  const e = err as { exitStatus?: unknown; errno?: unknown; rbdMessage?: unknown; message?: unknown };
  const ret = typeof e.exitStatus === "number" ? e.exitStatus : typeof e.errno === "number" ? e.errno : 1;
  const text = typeof e.rbdMessage === "string" ? e.rbdMessage : `rbd: ${String(e.message ?? err)}`;
  return { ret, stderr: text.endsWith("\n") ? text : `${text}\n` };
}

export class CephBackupDriver implements BackupDriver {
  readonly serviceName: string;
  readonly defaultContainer: string;
  readonly #rbd: RbdBackend;
  readonly #cluster: string | undefined;
  readonly #release: ReleaseProfile;
  readonly #clock: Clock;
  readonly #objects: RadosObjectStore;

  constructor(options: CephBackupDriverOptions) {
    this.#rbd = options.rbd;
    this.defaultContainer = options.pool;
    this.#cluster = options.cluster;
    this.#release = options.release;
    this.serviceName = options.release === "pike" ? PIKE_CEPH_BACKUP_SERVICE : CEPH_BACKUP_SERVICE;
    this.#clock = options.clock;
    this.#objects = options.objects;
  }

  #ref(pool: string, image: string, snap?: string): SnapRef {
    const ref: SnapRef = { pool, image };
    if (this.#cluster !== undefined) ref.cluster = this.#cluster;
    if (snap !== undefined) ref.snap = snap;
    return ref;
  }

  /** base name the driver uses for a backup under this release profile */
  baseName(backup: Backup, parent?: Backup): string {
    return this.#release === "pike"
      ? legacyBaseName(backup.volumeId)
      : zedBaseName(backup.volumeId, backup, parent);
  }

  async #imageExists(pool: string, name: string): Promise<boolean> {
    return (await this.#rbd.listImages(pool, this.#cluster)).includes(name);
  }

  async #requirePool(pool: string): Promise<void> {
    const pools = await this.#rbd.listPools(this.#cluster);
    if (!pools.includes(pool)) {
      throw new BackupDriverError(
        `[errno 2] RADOS object not found (error opening pool '${pool}')`,
        "ObjectNotFound",
      );
    }
  }

  /** backup snapshots (by the driver's regex) of an image */
  async #backupSnaps(
    ref: ImageRef,
    rbd: RbdBackend = this.#rbd,
  ): Promise<Array<{ name: string; backupId: string; timestamp: string }>> {
    const snaps = await rbd.listSnaps(ref);
    const out: Array<{ name: string; backupId: string; timestamp: string }> = [];
    for (const s of snaps) {
      const m = BACKUP_SNAP_PATTERN.exec(s.name);
      if (m?.[1] !== undefined && m[2] !== undefined)
        out.push({ name: s.name, backupId: m[1], timestamp: m[2] });
    }
    return out;
  }

  /** `_get_backup_snap_name`: the one snapshot of backupId on the base, if any */
  async #backupSnapName(ref: ImageRef, backupId: string): Promise<string | undefined> {
    const mine = (await this.#backupSnaps(ref)).filter((s) => s.backupId === backupId);
    if (mine.length > 1) {
      throw new BackupDriverError(
        `Backup should only have one snapshot but instead has ${mine.length}`,
        "BackupOperationError",
      );
    }
    return mine[0]?.name;
  }

  #newSnapName(backupId: string): string {
    return `backup.${backupId}.snap.${pythonFloatRepr(this.#clock.epochSeconds())}`;
  }

  /** `rbd export-diff [--from-snap F] src@snap - | rbd import-diff - dest` */
  /**
   * `rbd export-diff [--from-snap F] src@snap - | rbd import-diff - dest`. Cinder reports the
   * import side's exit status and stderr. When export-diff fails before writing anything,
   * import-diff reads an empty stream and fails as real rbd 16.2 does (checked on a cluster).
   */
  async #diffTransfer(
    srcRbd: RbdBackend,
    src: SnapRef,
    destRbd: RbdBackend,
    dest: ImageRef,
    fromSnap?: string,
  ): Promise<void> {
    let stream: Readable;
    try {
      stream = await srcRbd.exportDiff(src, fromSnap ? { fromSnap } : undefined);
    } catch {
      throw diffOpFailed(74, EMPTY_STREAM_IMPORT_STDERR);
    }
    // an export failure while streaming also leaves import-diff short of a valid stream
    let exportFailed = false;
    stream.once("error", () => {
      exportFailed = true;
    });
    try {
      await destRbd.importDiff(dest, stream);
    } catch (err) {
      stream.destroy();
      if (exportFailed) throw diffOpFailed(74, EMPTY_STREAM_IMPORT_STDERR);
      const { ret, stderr } = rbdFailureText(err);
      throw diffOpFailed(ret, stderr);
    }
  }

  async backup(
    backup: Backup,
    volume: Volume,
    volumeDriver: VolumeDriver,
    parent?: Backup,
  ): Promise<BackupResult> {
    const container = backup.container || this.defaultContainer;
    const length = volume.size * GiB;
    if (volume.size === 0) throw new BackupDriverError("Need non-zero volume size", "Other");
    let result: BackupResult = { serviceMetadata: null, container };
    await this.#requirePool(container);
    const withContainer = { ...backup, container };
    try {
      if (backup.snapshotId) {
        await this.#fullBackup(withContainer, volume, volumeDriver, legacyBaseName(volume.id), length);
      } else if (this.#release === "pike") {
        result = await this.#pikeBackupRbd(withContainer, volume, volumeDriver, length);
      } else {
        result = await this.#backupRbd(withContainer, volume, volumeDriver, length, parent);
      }
      await this.#backupMetadata(withContainer, volume);
    } catch (err) {
      // backup() cleans up with delete_backup() and re-raises
      if (err instanceof BackupDriverError && err.kind !== "Other" && err.kind !== "ObjectNotFound") {
        await this.deleteBackup({ ...withContainer, serviceMetadata: result.serviceMetadata }, parent).catch(
          () => undefined,
        );
      }
      throw err;
    }
    return result;
  }

  async #fullBackup(
    backup: Backup & { container: string },
    volume: Volume,
    volumeDriver: VolumeDriver,
    baseName: string,
    length: number,
  ): Promise<void> {
    const base = this.#ref(backup.container, baseName);
    try {
      await this.#rbd.createImage(base, { size: length, features: BASE_IMAGE_FEATURES });
    } catch (err) {
      // two snapshot backups of one volume collide on the legacy name (rbd.ImageExists)
      if ((err as { code?: unknown }).code === "EEXIST") {
        throw new BackupDriverError("[errno 17] RBD image already exists (error creating image)", "Other");
      }
      throw err;
    }
    // chunked copy of the device's bytes (for a snapshot, Cinder copies a temporary volume made
    // from it: the snapshot's data); the allocated extents are enough, the base is sparse
    const src: SnapRef = backup.snapshotId
      ? { ...volumeDriver.imageRef(volume.id), snap: snapshotName(backup.snapshotId) }
      : volumeDriver.imageRef(volume.id);
    for (const extent of await volumeDriver.rbd.diff(src)) {
      if (!extent.exists) continue;
      for (let off = extent.offset; off < extent.offset + extent.length; off += COPY_PIECE) {
        const len = Math.min(COPY_PIECE, extent.offset + extent.length - off, length - off);
        if (len <= 0) break;
        await this.#rbd.writeImage(base, off, await volumeDriver.rbd.readImage(src, off, len));
      }
    }
  }

  async #backupRbd(
    backup: Backup & { container: string },
    volume: Volume,
    volumeDriver: VolumeDriver,
    length: number,
    parent?: Backup,
  ): Promise<BackupResult> {
    const baseName = zedBaseName(volume.id, backup, parent);
    const base = this.#ref(backup.container, baseName);
    let fromSnap: string | undefined;
    let imageCreated = false;
    if (backup.parentId === null) {
      await this.#rbd.createImage(base, { size: length, features: BASE_IMAGE_FEATURES });
      imageCreated = true;
    } else {
      fromSnap = await this.#backupSnapName(base, backup.parentId).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
      if (fromSnap === undefined) {
        throw new BackupDriverError(
          `Can't find snapshot from parent ${backup.parentId} and base name image ${baseName}.`,
          "BackupRBDOperationFailed",
        );
      }
    }
    const src = volumeDriver.imageRef(volume.id);
    const newSnap = this.#newSnapName(backup.id);
    await volumeDriver.rbd.createSnap(src, newSnap);
    try {
      await this.#diffTransfer(volumeDriver.rbd, { ...src, snap: newSnap }, this.#rbd, base, fromSnap);
    } catch (err) {
      if (imageCreated) await this.#tryDeleteBaseImage(backup, baseName).catch(() => undefined);
      await volumeDriver.rbd.removeSnap(src, newSnap).catch(() => undefined);
      throw err;
    }
    return { serviceMetadata: serviceMetadataFor(baseName), container: backup.container };
  }

  /** Pike (11.x) `_backup_rbd`: one base per volume, diffs from the newest common snapshot. */
  async #pikeBackupRbd(
    backup: Backup & { container: string },
    volume: Volume,
    volumeDriver: VolumeDriver,
    length: number,
  ): Promise<BackupResult> {
    const baseName = legacyBaseName(volume.id);
    const base = this.#ref(backup.container, baseName);
    const src = volumeDriver.imageRef(volume.id);
    let fromSnap: string | undefined;
    let imageCreated = false;
    if (!(await this.#imageExists(backup.container, baseName))) {
      // stale source snapshots from an earlier base are dropped, then a full diff
      for (const s of await this.#backupSnaps(src, volumeDriver.rbd))
        await volumeDriver.rbd.removeSnap(src, s.name);
      await this.#rbd.createImage(base, { size: length, features: BASE_IMAGE_FEATURES });
      imageCreated = true;
    } else {
      const onBase = new Set((await this.#rbd.listSnaps(base)).map((s) => s.name));
      // newest first, by the timestamp text (as Pike sorts)
      const srcSnaps = (await this.#backupSnaps(src, volumeDriver.rbd)).sort((a, b) =>
        a.timestamp < b.timestamp ? 1 : -1,
      );
      for (const s of srcSnaps) {
        if (onBase.has(s.name)) {
          fromSnap = s.name;
          break;
        }
        await volumeDriver.rbd.removeSnap(src, s.name);
      }
    }
    const newSnap = this.#newSnapName(backup.id);
    await volumeDriver.rbd.createSnap(src, newSnap);
    try {
      await this.#diffTransfer(volumeDriver.rbd, { ...src, snap: newSnap }, this.#rbd, base, fromSnap);
    } catch (err) {
      if (imageCreated) await this.#tryDeleteBaseImage(backup, baseName).catch(() => undefined);
      await volumeDriver.rbd.removeSnap(src, newSnap).catch(() => undefined);
      throw err;
    }
    // Pike records the backup it diffed from as the parent and sets no service_metadata
    const parentId = fromSnap ? (fromSnap.split(".")[1] ?? null) : null;
    return { serviceMetadata: null, container: backup.container, parentId };
  }

  /** BackupMetadataAPI.get (version 2), written once as `backup.<bid>.meta` */
  async #backupMetadata(backup: Backup & { container: string }, volume: Volume): Promise<void> {
    const meta: SavedVolumeMetadata = { version: 2, "volume-base-metadata": volumeBaseMetadata(volume) };
    if (Object.keys(volume.metadata).length > 0) meta["volume-metadata"] = { ...volume.metadata };
    if (Object.keys(volume.glanceMetadata).length > 0)
      meta["volume-glance-metadata"] = { ...volume.glanceMetadata };
    const name = metaObjectName(backup.id);
    // BackupMetadataAPI.get: jsonutils.dumps, i.e. Python json.dumps defaults
    if (!this.#objects.create(backup.container, name, pythonJsonDumps(meta))) {
      throw new BackupDriverError(
        `Failed to backup volume metadata - Metadata backup object '${name}' already exists`,
        "BackupOperationError",
      );
    }
  }

  async restore(
    backup: Backup,
    target: Volume,
    volumeDriver: VolumeDriver,
    parent?: Backup,
  ): Promise<SavedVolumeMetadata | undefined> {
    const container = backup.container || this.defaultContainer;
    const length = target.size * GiB;
    const pike = this.#release === "pike";
    const baseName =
      pike || !backup.serviceMetadata ? legacyBaseName(backup.volumeId) : this.baseName(backup, parent);

    let restorePoint: string | undefined;
    let diffAllowed = false;
    if (await this.#imageExists(container, baseName)) {
      // quirk: the restore point is looked up in backup_ceph_pool, not in backup.container
      restorePoint = await this.#backupSnapName(this.#ref(this.defaultContainer, baseName), backup.id);
      if (restorePoint && target.id !== backup.volumeId) {
        diffAllowed = !(await this.#hasExtents(volumeDriver, target));
      }
    }

    let full = true;
    if (diffAllowed && restorePoint) {
      try {
        await this.#diffRestore(backup, target, volumeDriver, restorePoint, length, parent);
        full = false;
      } catch (err) {
        if (!(err instanceof BackupDriverError && err.kind === "BackupRBDOperationFailed")) throw err;
        // "Differential restore failed, trying full restore"
      }
    }
    if (full) await this.#fullRestore(backup, target, volumeDriver, container, length, restorePoint, parent);

    // _restore_metadata reads the object from the default pool (backup_ceph_pool)
    const json = this.#objects.get(this.defaultContainer, metaObjectName(backup.id));
    if (json === undefined) return undefined;
    const meta = JSON.parse(json) as SavedVolumeMetadata;
    if (meta.version !== 2) {
      throw new BackupDriverError(
        "Metadata restore failed due to incompatible version",
        "BackupOperationError",
      );
    }
    return meta;
  }

  async #hasExtents(volumeDriver: VolumeDriver, volume: Volume): Promise<boolean> {
    return (await volumeDriver.rbd.diff(volumeDriver.imageRef(volume.id))).some((e) => e.exists);
  }

  async #diffRestore(
    backup: Backup,
    target: Volume,
    volumeDriver: VolumeDriver,
    restorePoint: string,
    length: number,
    parent?: Backup,
  ): Promise<void> {
    const container = backup.container || this.defaultContainer;
    const baseName = this.baseName(backup, parent);
    const dest = volumeDriver.imageRef(target.id);
    const src = this.#ref(container, baseName, restorePoint);
    await this.#diffTransfer(this.#rbd, src, volumeDriver.rbd, dest);
    // import-diff resizes the target to the base size; put it back (_check_restore_vol_size)
    const baseSize = (await this.#rbd.imageInfo(this.#ref(container, baseName))).size;
    if (length !== baseSize) await volumeDriver.rbd.resizeImage(dest, length, { allowShrink: true });
  }

  async #fullRestore(
    backup: Backup,
    target: Volume,
    volumeDriver: VolumeDriver,
    container: string,
    length: number,
    restorePoint: string | undefined,
    parent?: Backup,
  ): Promise<void> {
    // with a restore point the base is diff format; without one Zed opens the legacy name
    // (bug 1895035) and Pike the per-backup name
    const name = restorePoint
      ? this.baseName(backup, parent)
      : this.#release === "pike"
        ? newBaseName(backup.volumeId, backup.id)
        : legacyBaseName(backup.volumeId);
    const src = this.#ref(container, name, restorePoint);
    let srcSize: number;
    try {
      srcSize = (await this.#rbd.imageInfo(src)).size;
    } catch (err) {
      if (isNotFound(err)) {
        throw new BackupDriverError(
          `[errno 2] RBD image not found (error opening image b'${name}' at snapshot ${restorePoint ? `b'${restorePoint}'` : "None"})`,
          "ImageNotFound",
        );
      }
      throw err;
    }
    const dest = volumeDriver.imageRef(target.id);
    const copyLength = Math.min(srcSize, length);
    // every byte of the source range is written; what the source lacks is discarded
    for (let off = 0; off < length; off += DISCARD_LIMIT) {
      await volumeDriver.rbd.discardImage(dest, off, Math.min(DISCARD_LIMIT, length - off));
    }
    for (const extent of await this.#rbd.diff(src)) {
      if (!extent.exists) continue;
      const end = Math.min(extent.offset + extent.length, copyLength);
      for (let off = extent.offset; off < end; off += COPY_PIECE) {
        const len = Math.min(COPY_PIECE, end - off);
        await volumeDriver.rbd.writeImage(dest, off, await this.#rbd.readImage(src, off, len));
      }
    }
  }

  async deleteBackup(backup: Backup, parent?: Backup): Promise<void> {
    const container = backup.container || this.defaultContainer;
    const pools = await this.#rbd.listPools(this.#cluster);
    // a missing pool is logged and skipped (rados ObjectNotFound)
    if (!pools.includes(container)) return;
    try {
      await this.#tryDeleteBaseImage({ ...backup, container }, undefined, parent);
    } catch (err) {
      // ImageNotFound is only logged: the backup is deleted anyway
      if (!(err instanceof BackupDriverError && err.kind === "ImageNotFound")) throw err;
    }
    this.#objects.remove(container, metaObjectName(backup.id));
  }

  /** `_try_delete_base_image`: drop this backup's snapshot; drop the base once no backup snapshot is left */
  async #tryDeleteBaseImage(
    backup: Backup & { container: string },
    baseNameGiven?: string,
    parent?: Backup,
  ): Promise<void> {
    let baseName =
      baseNameGiven ??
      (this.#release === "pike"
        ? newBaseName(backup.volumeId, backup.id)
        : zedBaseName(backup.volumeId, backup, parent));
    const images = await this.#rbd.listImages(backup.container, this.#cluster);
    if (!images.includes(baseName)) {
      if (baseNameGiven !== undefined) {
        throw new BackupDriverError(`image ${baseName} not found`, "ImageNotFound");
      }
      baseName = legacyBaseName(backup.volumeId);
      if (!images.includes(baseName))
        throw new BackupDriverError(`image ${baseName} not found`, "ImageNotFound");
    }
    const base = this.#ref(backup.container, baseName);
    const snap = await this.#backupSnapName(base, backup.id);
    if (snap) await this.#rbd.removeSnap(base, snap);
    const remaining = await this.#backupSnaps(base);
    if (remaining.length > 0) return;
    let retries = 3;
    for (;;) {
      try {
        await this.#rbd.removeImage(base);
        break;
      } catch (err) {
        const busy = typeof err === "object" && err !== null && (err as { code?: unknown }).code === "EBUSY";
        if (!busy || retries <= 0) throw err;
        retries -= 1;
      }
    }
    // the driver looks for the source snapshot on an image named `<volume_id>` in the backup
    // pool, which never exists, so source snapshots are left for the volume driver's delete
    if (snap && images.includes(backup.volumeId)) {
      await this.#rbd.removeSnap(this.#ref(backup.container, backup.volumeId), snap).catch(() => undefined);
    }
  }

  exportRecord(_backup: Backup): Record<string, unknown> {
    return {};
  }

  async importRecord(_backup: Backup, _driverInfo: unknown): Promise<void> {}
}

/** the volume's DB columns as BackupMetadataAPI saves them (Cinder column names) */
function volumeBaseMetadata(volume: Volume): Record<string, unknown> {
  // jsonutils.to_primitive: datetimes as PERFECT_TIME_FORMAT (%Y-%m-%dT%H:%M:%S.%f)
  const iso = (d: Date | null): string | null => (d ? `${d.toISOString().slice(0, 23)}000` : null);
  return {
    created_at: iso(volume.createdAt),
    updated_at: iso(volume.updatedAt),
    deleted_at: iso(volume.deletedAt),
    deleted: volume.deleted,
    id: volume.id,
    _name_id: volume.nameId,
    ec2_id: null,
    user_id: volume.userId,
    project_id: volume.projectId,
    snapshot_id: volume.snapshotId,
    cluster_name: volume.clusterName,
    host: volume.host,
    size: volume.size,
    availability_zone: volume.availabilityZone,
    status: volume.status,
    attach_status: volume.attachStatus,
    migration_status: volume.migrationStatus,
    scheduled_at: iso(volume.createdAt),
    launched_at: iso(volume.launchedAt),
    terminated_at: iso(volume.terminatedAt),
    display_name: volume.name,
    display_description: volume.description,
    provider_location: volume.providerLocation,
    provider_auth: null,
    provider_geometry: null,
    provider_id: volume.providerId,
    volume_type_id: volume.volumeTypeId,
    source_volid: volume.sourceVolid,
    encryption_key_id: volume.encryptionKeyId,
    consistencygroup_id: volume.consistencygroupId,
    group_id: volume.groupId,
    bootable: volume.bootable,
    multiattach: volume.multiattach,
    replication_status: volume.replicationStatus,
    replication_extended_status: null,
    replication_driver_data: null,
    previous_status: volume.previousStatus,
    service_uuid: volume.serviceUuid,
    shared_targets: volume.sharedTargets,
    use_quota: volume.consumesQuota,
  };
}
