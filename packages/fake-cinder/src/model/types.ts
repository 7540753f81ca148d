// Domain objects of a fake Cinder 21 (Zed). They hold every column Cinder stores for the
// resource, so the HTTP layer can render any microversion (which field appears at which
// microversion is the API's job; the model keeps all of them). Timestamps are Date (UTC).

/** cinder/objects/fields.py VolumeStatus.ALL, in Cinder's order. */
export const VOLUME_STATUSES = [
  "creating",
  "available",
  "deleting",
  "error",
  "error_deleting",
  "error_managing",
  "managing",
  "attaching",
  "in-use",
  "detaching",
  "maintenance",
  "restoring-backup",
  "error_restoring",
  "reserved",
  "awaiting-transfer",
  "backing-up",
  "error_backing-up",
  "error_extending",
  "downloading",
  "uploading",
  "retyping",
  "extending",
] as const;
export type VolumeStatus = (typeof VOLUME_STATUSES)[number];

/** cinder/objects/fields.py VolumeAttachStatus.ALL. */
export const ATTACH_STATUSES = [
  "attached",
  "attaching",
  "detached",
  "reserved",
  "error_attaching",
  "error_detaching",
  "deleted",
] as const;
export type AttachStatus = (typeof ATTACH_STATUSES)[number];

/** cinder/objects/fields.py BackupStatus.ALL (no "error_restoring" for backups). */
export const BACKUP_STATUSES = [
  "error",
  "error_deleting",
  "creating",
  "available",
  "deleting",
  "deleted",
  "restoring",
] as const;
export type BackupStatus = (typeof BACKUP_STATUSES)[number];

/** cinder/objects/fields.py SnapshotStatus.ALL. */
export const SNAPSHOT_STATUSES = [
  "error",
  "available",
  "creating",
  "deleting",
  "deleted",
  "updating",
  "error_deleting",
  "unmanaging",
  "backing-up",
  "restoring",
] as const;
export type SnapshotStatus = (typeof SNAPSHOT_STATUSES)[number];

export type ReleaseProfile = "zed" | "pike";

export interface RequestContext {
  projectId: string;
  userId: string;
  isAdmin: boolean;
}

export interface Attachment {
  id: string;
  volumeId: string;
  /** server_id in the API */
  instanceUuid: string | null;
  attachedHost: string | null;
  mountpoint: string | null;
  attachMode: "rw" | "ro";
  attachStatus: AttachStatus;
  attachTime: Date | null;
  detachTime: Date | null;
  connector: Record<string, unknown> | null;
  connectionInfo: Record<string, unknown> | null;
  createdAt: Date;
  updatedAt: Date | null;
}

export interface Volume {
  id: string;
  projectId: string;
  userId: string;
  name: string | null;
  description: string | null;
  size: number;
  status: VolumeStatus;
  attachStatus: AttachStatus;
  /** saved when a backup starts, restored when it ends (error_backing-up after a failure) */
  previousStatus: string | null;
  migrationStatus: string | null;
  availabilityZone: string;
  volumeTypeId: string;
  /** `host@backend#pool`, null until scheduled */
  host: string | null;
  bootable: boolean;
  encrypted: boolean;
  encryptionKeyId: string | null;
  multiattach: boolean;
  replicationStatus: string | null;
  consistencygroupId: string | null;
  groupId: string | null;
  snapshotId: string | null;
  sourceVolid: string | null;
  /** volume created from a backup (3.47+) */
  backupId: string | null;
  providerId: string | null;
  providerLocation: string | null;
  sharedTargets: boolean | null;
  serviceUuid: string | null;
  clusterName: string | null;
  consumesQuota: boolean;
  /** os-vol-mig-status-attr:name_id */
  nameId: string | null;
  metadata: Record<string, string>;
  adminMetadata: Record<string, string>;
  /** volume_image_metadata; non-empty makes the API show it */
  glanceMetadata: Record<string, string>;
  /** every attachment row of the volume (the API lists only attach_status "attached" ones) */
  attachments: Attachment[];
  createdAt: Date;
  updatedAt: Date | null;
  launchedAt: Date | null;
  terminatedAt: Date | null;
  deletedAt: Date | null;
  deleted: boolean;
}

export interface Snapshot {
  id: string;
  volumeId: string;
  projectId: string;
  userId: string;
  name: string | null;
  description: string | null;
  volumeSize: number;
  status: SnapshotStatus;
  progress: string | null;
  metadata: Record<string, string>;
  createdAt: Date;
  updatedAt: Date | null;
  deleted: boolean;
}

export interface Backup {
  id: string;
  projectId: string;
  userId: string;
  volumeId: string;
  host: string | null;
  /** null for created backups in Zed (bug fixed in 22.2.0); the service's AZ for imports */
  availabilityZone: string | null;
  container: string | null;
  parentId: string | null;
  status: BackupStatus;
  failReason: string | null;
  size: number;
  /** display_name */
  name: string | null;
  /** display_description */
  description: string | null;
  /** the exact string the driver returned, e.g. `{"base": "volume-<vid>.backup.<bid>"}` */
  serviceMetadata: string | null;
  /** driver class path, e.g. cinder.backup.drivers.ceph.CephBackupDriver */
  service: string | null;
  objectCount: number;
  tempVolumeId: string | null;
  tempSnapshotId: string | null;
  numDependentBackups: number;
  snapshotId: string | null;
  /** null on an imported backup until its import succeeds (the record brings it) */
  dataTimestamp: Date | null;
  restoreVolumeId: string | null;
  metadata: Record<string, string>;
  encryptionKeyId: string | null;
  createdAt: Date;
  updatedAt: Date | null;
  deletedAt: Date | null;
  deleted: boolean;
}

export const isIncremental = (backup: Pick<Backup, "parentId">): boolean => backup.parentId !== null;
export const hasDependentBackups = (backup: Pick<Backup, "numDependentBackups">): boolean =>
  backup.numDependentBackups > 0;

export interface Transfer {
  id: string;
  volumeId: string;
  name: string | null;
  /** the project giving the volume away */
  sourceProjectId: string;
  destinationProjectId: string | null;
  salt: string;
  cryptHash: string;
  noSnapshots: boolean;
  accepted: boolean;
  createdAt: Date;
  updatedAt: Date | null;
  deleted: boolean;
}

export type ServiceBinary = "cinder-volume" | "cinder-backup" | "cinder-scheduler";

export interface Service {
  id: number;
  /** services.uuid; a volume records its cinder-volume's uuid as service_uuid */
  uuid: string;
  binary: ServiceBinary;
  /** cinder-volume's host is `host@backend`, the others plain `host` */
  host: string;
  zone: string;
  status: "enabled" | "disabled";
  /** derived from heartbeats in Cinder; set directly here */
  state: "up" | "down";
  disabledReason: string | null;
  updatedAt: Date;
  clusterName: string | null;
  replicationStatus: string;
  activeBackendId: string | null;
  frozen: boolean;
}

export interface VolumeType {
  id: string;
  name: string;
  description: string | null;
  isPublic: boolean;
  extraSpecs: Record<string, string>;
  qosSpecsId: string | null;
}

export interface AvailabilityZone {
  name: string;
  available: boolean;
}

/** Quota limits; -1 means unlimited, as in Cinder. */
export interface QuotaSet {
  volumes: number;
  gigabytes: number;
  snapshots: number;
  backups: number;
  backupGigabytes: number;
  groups: number;
  perVolumeGigabytes: number;
}

export interface QuotaUsage {
  volumes: number;
  gigabytes: number;
  snapshots: number;
  backups: number;
  backupGigabytes: number;
  groups: number;
}

/** The 10 keys of GET /limits "absolute", in the model's names. */
export interface AbsoluteLimits {
  maxTotalVolumes: number;
  maxTotalSnapshots: number;
  maxTotalVolumeGigabytes: number;
  maxTotalBackups: number;
  maxTotalBackupGigabytes: number;
  totalVolumesUsed: number;
  totalSnapshotsUsed: number;
  totalGigabytesUsed: number;
  totalBackupsUsed: number;
  totalBackupGigabytesUsed: number;
}

export interface SortKey {
  key: string;
  dir: "asc" | "desc";
}

export interface ListOptions {
  /** exact-match filters on API field names (name, status, volume_id, metadata, ...) */
  filters?: Record<string, unknown>;
  marker?: string;
  limit?: number;
  offset?: number;
  /** default created_at:desc then id:desc, as Cinder */
  sort?: SortKey[];
  /** admin only; ignored for members (Cinder silently drops it) */
  allTenants?: boolean;
}
