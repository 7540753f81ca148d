// CinderCloud: one fake Cinder 21 deployment (api + scheduler + volume + backup services).
// The synchronous methods are the API half: they check Cinder's rules, change state and
// schedule the manager half on the clock. The manager half (driver calls on RbdBackend)
// runs when its step fires; `settled()` awaits it. No method sleeps.
import type { RbdBackend } from "@cinderlab/fake-rbd";
import type { Clock, Delays } from "../clock/index.js";
import type { FaultPlan } from "../faults/index.js";
import type {
  AbsoluteLimits,
  Attachment,
  AvailabilityZone,
  Backup,
  BackupStatus,
  ListOptions,
  QuotaSet,
  QuotaUsage,
  ReleaseProfile,
  RequestContext,
  Service,
  ServiceBinary,
  Snapshot,
  Transfer,
  Volume,
  VolumeType,
} from "./types.js";

export type IdGenerator = () => string;

export interface CinderCloudOptions {
  /** the cluster's name ("a", "b"); used in fault matching and events */
  name: string;
  clock: Clock;
  /** the cluster's own Ceph, holding the volume pool */
  rbd: RbdBackend;
  volumePool: string;
  /** Ceph cluster name of the volume pool on rbd (default "ceph") */
  volumeCluster?: string;
  /** the shared backup Ceph */
  backupRbd: RbdBackend;
  /** backup_ceph_pool (Cinder's default "backups") */
  backupPool: string;
  /** Ceph cluster name of the backup pool on backupRbd (default "ceph") */
  backupCluster?: string;
  /** "zed" (default) or "pike" (every backup of a volume on volume-<vid>.backup.base) */
  release?: ReleaseProfile;
  ids?: IdGenerator;
  faults?: FaultPlan;
  delays?: Partial<Delays>;
  /** default quotas for every project */
  quotas?: Partial<QuotaSet>;
  /** service host name (default "<name>-controller") */
  host?: string;
  availabilityZones?: string[];
  /** extra volume types besides __DEFAULT__ */
  volumeTypes?: Array<Pick<VolumeType, "name"> & Partial<VolumeType>>;
  /** store for RADOS objects (backup.<bid>.meta) of the backup pool; shared per backupRbd by default */
  backupObjects?: RadosObjectStore;
}

/** RADOS objects of a Ceph cluster (not images): the ceph backup driver's `.meta` objects. */
export interface RadosObjectStore {
  get(pool: string, name: string): string | undefined;
  /** false when the object already exists (exclusive create) */
  create(pool: string, name: string, data: string): boolean;
  remove(pool: string, name: string): boolean;
  list(pool: string): string[];
}

export interface CreateVolumeRequest {
  size?: number | null;
  name?: string | null;
  description?: string | null;
  /** a type name or id */
  volumeType?: string | null;
  availabilityZone?: string | null;
  metadata?: Record<string, string> | null;
  bootable?: boolean;
  backupId?: string | null;
  snapshotId?: string | null;
  sourceVolid?: string | null;
}

export interface UpdateVolumeRequest {
  name?: string | null;
  description?: string | null;
  metadata?: Record<string, string>;
}

export interface ResetVolumeStatusRequest {
  status?: string;
  attachStatus?: string;
  migrationStatus?: string;
}

export interface CreateAttachmentRequest {
  volumeId: string;
  instanceUuid?: string | null;
  connector?: Record<string, unknown> | null;
  mode?: "rw" | "ro";
}

export interface OsAttachRequest {
  instanceUuid?: string | null;
  hostName?: string | null;
  mountpoint: string;
  mode?: "rw" | "ro";
}

export interface CreateBackupRequest {
  volumeId: string;
  name?: string | null;
  description?: string | null;
  incremental?: boolean;
  force?: boolean;
  snapshotId?: string | null;
  container?: string | null;
  metadata?: Record<string, string> | null;
  availabilityZone?: string | null;
}

export interface UpdateBackupRequest {
  name?: string | null;
  description?: string | null;
  metadata?: Record<string, string>;
}

export interface RestoreBackupRequest {
  volumeId?: string | null;
  name?: string | null;
}

export interface RestoreResult {
  backupId: string;
  volumeId: string;
  /** the target's display name before the restore (a string, never null) */
  volumeName: string;
}

export interface BackupRecord {
  backupService: string;
  backupUrl: string;
}

export interface CreateSnapshotRequest {
  volumeId: string;
  name?: string | null;
  description?: string | null;
  force?: boolean;
  metadata?: Record<string, string> | null;
}

export type CloudEvent =
  | { kind: "volume"; id: string; from: string | null; to: string | null; at: Date }
  | { kind: "backup"; id: string; from: string | null; to: string | null; at: Date }
  | { kind: "snapshot"; id: string; from: string | null; to: string | null; at: Date }
  | { kind: "service"; id: string; from: string | null; to: string | null; at: Date };

export interface CloudDump {
  name: string;
  release: ReleaseProfile;
  volumes: Volume[];
  backups: Backup[];
  snapshots: Snapshot[];
  transfers: Transfer[];
  services: Service[];
}

export class CinderCloud {
  constructor(_options: CinderCloudOptions) {
    throw new Error("not yet");
  }

  get name(): string {
    throw new Error("not yet");
  }
  get release(): ReleaseProfile {
    throw new Error("not yet");
  }
  get faults(): FaultPlan {
    throw new Error("not yet");
  }
  get clock(): Clock {
    throw new Error("not yet");
  }
  /** the backup driver's class path (backup_service in export records) */
  get backupServiceName(): string {
    throw new Error("not yet");
  }
  /** `volume-<id>` image of a volume, for tests and the lab to read or write its bytes */
  volumeImageRef(_volumeId: string): { cluster?: string; pool: string; image: string } {
    throw new Error("not yet");
  }

  /** back to a clean state: no volumes, backups, faults; services up; pending steps cancelled */
  reset(): void {
    throw new Error("not yet");
  }
  /** resolves once no driver work is in flight (steps already due have finished) */
  async settled(): Promise<void> {
    throw new Error("not yet");
  }
  on(_event: "change", _listener: (event: CloudEvent) => void): () => void {
    throw new Error("not yet");
  }
  dump(): CloudDump {
    throw new Error("not yet");
  }

  // volumes
  createVolume(_ctx: RequestContext, _req: CreateVolumeRequest): Volume {
    throw new Error("not yet");
  }
  getVolume(_ctx: RequestContext, _id: string): Volume {
    throw new Error("not yet");
  }
  listVolumes(_ctx: RequestContext, _opts?: ListOptions): Volume[] {
    throw new Error("not yet");
  }
  countVolumes(_ctx: RequestContext, _opts?: ListOptions): number {
    throw new Error("not yet");
  }
  updateVolume(_ctx: RequestContext, _id: string, _patch: UpdateVolumeRequest): Volume {
    throw new Error("not yet");
  }
  deleteVolume(_ctx: RequestContext, _id: string, _opts?: { cascade?: boolean; force?: boolean }): void {
    throw new Error("not yet");
  }
  extendVolume(_ctx: RequestContext, _id: string, _newSize: number): void {
    throw new Error("not yet");
  }
  resetVolumeStatus(_ctx: RequestContext, _id: string, _req: ResetVolumeStatusRequest): void {
    throw new Error("not yet");
  }
  forceDeleteVolume(_ctx: RequestContext, _id: string): void {
    throw new Error("not yet");
  }
  setBootable(_ctx: RequestContext, _id: string, _bootable: boolean): void {
    throw new Error("not yet");
  }

  // attachments (3.27+ API) and the legacy actions
  createAttachment(_ctx: RequestContext, _req: CreateAttachmentRequest): Attachment {
    throw new Error("not yet");
  }
  updateAttachment(
    _ctx: RequestContext,
    _attachmentId: string,
    _connector: Record<string, unknown>,
  ): Attachment {
    throw new Error("not yet");
  }
  completeAttachment(_ctx: RequestContext, _attachmentId: string): void {
    throw new Error("not yet");
  }
  deleteAttachment(_ctx: RequestContext, _attachmentId: string): void {
    throw new Error("not yet");
  }
  getAttachment(_ctx: RequestContext, _attachmentId: string): Attachment {
    throw new Error("not yet");
  }
  listAttachments(_ctx: RequestContext, _opts?: ListOptions): Attachment[] {
    throw new Error("not yet");
  }
  reserveVolume(_ctx: RequestContext, _volumeId: string): void {
    throw new Error("not yet");
  }
  unreserveVolume(_ctx: RequestContext, _volumeId: string): void {
    throw new Error("not yet");
  }
  osAttach(_ctx: RequestContext, _volumeId: string, _req: OsAttachRequest): Attachment {
    throw new Error("not yet");
  }
  beginDetaching(_ctx: RequestContext, _volumeId: string): void {
    throw new Error("not yet");
  }
  rollDetaching(_ctx: RequestContext, _volumeId: string): void {
    throw new Error("not yet");
  }
  osDetach(_ctx: RequestContext, _volumeId: string, _attachmentId?: string | null): void {
    throw new Error("not yet");
  }

  // transfers
  createTransfer(
    _ctx: RequestContext,
    _volumeId: string,
    _name?: string | null,
    _opts?: { noSnapshots?: boolean },
  ): { transfer: Transfer; authKey: string } {
    throw new Error("not yet");
  }
  getTransfer(_ctx: RequestContext, _id: string): Transfer {
    throw new Error("not yet");
  }
  listTransfers(_ctx: RequestContext, _opts?: ListOptions): Transfer[] {
    throw new Error("not yet");
  }
  acceptTransfer(_ctx: RequestContext, _id: string, _authKey: string): Transfer {
    throw new Error("not yet");
  }
  deleteTransfer(_ctx: RequestContext, _id: string): void {
    throw new Error("not yet");
  }

  // snapshots (enough for backups from a snapshot)
  createSnapshot(_ctx: RequestContext, _req: CreateSnapshotRequest): Snapshot {
    throw new Error("not yet");
  }
  getSnapshot(_ctx: RequestContext, _id: string): Snapshot {
    throw new Error("not yet");
  }
  listSnapshots(_ctx: RequestContext, _opts?: ListOptions): Snapshot[] {
    throw new Error("not yet");
  }
  deleteSnapshot(_ctx: RequestContext, _id: string): void {
    throw new Error("not yet");
  }

  // backups
  createBackup(_ctx: RequestContext, _req: CreateBackupRequest): Backup {
    throw new Error("not yet");
  }
  getBackup(_ctx: RequestContext, _id: string): Backup {
    throw new Error("not yet");
  }
  listBackups(_ctx: RequestContext, _opts?: ListOptions): Backup[] {
    throw new Error("not yet");
  }
  countBackups(_ctx: RequestContext, _opts?: ListOptions): number {
    throw new Error("not yet");
  }
  updateBackup(_ctx: RequestContext, _id: string, _patch: UpdateBackupRequest): Backup {
    throw new Error("not yet");
  }
  deleteBackup(_ctx: RequestContext, _id: string, _opts?: { force?: boolean }): void {
    throw new Error("not yet");
  }
  restoreBackup(_ctx: RequestContext, _id: string, _req?: RestoreBackupRequest): RestoreResult {
    throw new Error("not yet");
  }
  exportRecord(_ctx: RequestContext, _id: string): BackupRecord {
    throw new Error("not yet");
  }
  importRecord(_ctx: RequestContext, _backupService: string, _backupUrl: string): Backup {
    throw new Error("not yet");
  }
  resetBackupStatus(_ctx: RequestContext, _id: string, _status: string): void {
    throw new Error("not yet");
  }

  // services, quotas, limits, types, availability zones
  listServices(_ctx: RequestContext, _filter?: { binary?: string; host?: string }): Service[] {
    throw new Error("not yet");
  }
  /** "stop the backup service": state down, or disabled */
  setServiceState(
    _binary: ServiceBinary,
    _host: string | undefined,
    _state: { up?: boolean; enabled?: boolean; disabledReason?: string | null },
  ): void {
    throw new Error("not yet");
  }
  quotaUsage(_ctx: RequestContext, _projectId?: string): { limits: QuotaSet; usage: QuotaUsage } {
    throw new Error("not yet");
  }
  setQuotas(_ctx: RequestContext, _projectId: string, _quotas: Partial<QuotaSet>): QuotaSet {
    throw new Error("not yet");
  }
  limits(_ctx: RequestContext): AbsoluteLimits {
    throw new Error("not yet");
  }
  listVolumeTypes(_ctx: RequestContext): VolumeType[] {
    throw new Error("not yet");
  }
  getVolumeType(_ctx: RequestContext, _idOrName: string): VolumeType {
    throw new Error("not yet");
  }
  listAvailabilityZones(_ctx: RequestContext): AvailabilityZone[] {
    throw new Error("not yet");
  }
}

export type { BackupStatus };
