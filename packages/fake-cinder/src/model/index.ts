export * from "../clock/index.js";
export {
  BackupDriverError,
  CEPH_BACKUP_SERVICE,
  legacyBaseName,
  metaObjectName,
  newBaseName,
  PIKE_CEPH_BACKUP_SERVICE,
  serviceMetadataFor,
} from "../drivers/ceph-backup.js";
export { InMemoryRadosObjects, radosObjectsFor } from "../drivers/rados.js";
export { BACKUP_SNAP_PATTERN, snapshotName } from "../drivers/rbd-volume.js";
export type { BackupDriver, SavedVolumeMetadata, VolumeDriver } from "../drivers/types.js";
export * from "../faults/index.js";
export * from "./cloud.js";
export * from "./errors.js";
export { DEFAULT_QUOTAS } from "./quotas.js";
export {
  decodeRecord,
  encodeRawRecord,
  encodeRecord,
  RECORD_FIELDS,
  REQUIRED_IMPORT_FIELDS,
} from "./record.js";
export { TRANSITIONS, type TransitionName } from "./transitions.js";
export * from "./types.js";
