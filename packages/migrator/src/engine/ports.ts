// What the engine needs from the world, in the domain's words. The HTTP Cinder client,
// the rbd runner and the journal file implement these; tests use in-memory versions.

export interface VolumeView {
  id: string;
  name: string | null;
  description: string | null;
  size: number;
  status: string;
  volumeType: string | null;
  availabilityZone: string | null;
  metadata: Record<string, string>;
  bootable: boolean;
  attachments: number;
  projectId?: string | undefined;
}

export interface BackupView {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  volumeId: string;
  size: number;
  isIncremental: boolean;
  failReason: string | null;
  container: string | null;
  createdAt: string;
}

/** Cinder's export_record: {backup_service, backup_url}; not a secret, but the only way to import. */
export interface BackupRecord {
  backupService: string;
  backupUrl: string;
}

export interface NewVolume {
  size: number;
  name: string;
  description: string | null;
  volumeType: string | null;
  availabilityZone: string | null;
  metadata: Record<string, string>;
}

export interface Limits {
  maxTotalVolumes: number;
  maxTotalVolumeGigabytes: number;
  maxTotalBackups: number;
  maxTotalBackupGigabytes: number;
  totalVolumesUsed: number;
  totalGigabytesUsed: number;
  totalBackupsUsed: number;
  totalBackupGigabytesUsed: number;
}

export interface ServiceView {
  binary: string;
  host: string;
  status: string;
  state: string;
  zone: string;
}

/** One Cinder deployment (A or B). */
export interface BlockStorage {
  readonly label: string;
  readonly projectId: string;
  readonly isAdmin: boolean;
  getVolume(id: string): Promise<VolumeView | undefined>;
  findVolumes(filter: { name?: string; allProjects?: boolean }): Promise<VolumeView[]>;
  createVolume(spec: NewVolume): Promise<VolumeView>;
  /** PUT /volumes/{id}; metadata given here replaces the volume's metadata */
  updateVolume(
    id: string,
    patch: { name?: string; description?: string | null; metadata?: Record<string, string> },
  ): Promise<void>;
  setBootable(id: string, bootable: boolean): Promise<void>;
  getBackup(id: string): Promise<BackupView | undefined>;
  findBackups(filter: { name?: string; volumeId?: string }): Promise<BackupView[]>;
  createBackup(spec: {
    volumeId: string;
    name: string;
    description: string;
    incremental: boolean;
    force: boolean;
  }): Promise<{ id: string }>;
  deleteBackup(id: string): Promise<void>;
  exportRecord(backupId: string): Promise<BackupRecord>;
  importRecord(record: BackupRecord): Promise<{ id: string }>;
  restoreBackup(backupId: string, volumeId: string): Promise<void>;
  /** the auth key is a credential: it is used at once and never stored */
  createTransfer(volumeId: string, name: string): Promise<{ id: string; authKey: string }>;
  acceptTransfer(transferId: string, authKey: string): Promise<void>;
  listTransfers(volumeId: string): Promise<{ id: string; volumeId: string }[]>;
  deleteTransfer(transferId: string): Promise<void>;
  limits(): Promise<Limits>;
  listServices(binary?: string): Promise<ServiceView[]>;
  /**
   * The backup driver class path this cloud's backups were made with, read from the export
   * record of an existing backup (the backup detail view has no driver field);
   * undefined when the admin sees no exportable backup.
   */
  sampleBackupDriver(): Promise<string | undefined>;
  volumeTypes(): Promise<string[]>;
  availabilityZones(): Promise<string[]>;
}

export interface RbdLocation {
  pool: string;
  image: string;
  snap?: string;
}

export interface Digest {
  sha256: string;
  /** "full" = every byte; "sample:N%" = only the sampled chunks were hashed */
  method: string;
  bytes: number;
  allocatedBytes: number;
}

/** Read access to one Ceph cluster through the rbd CLI. */
export interface CephCluster {
  readonly label: string;
  listImages(pool: string): Promise<string[]>;
  listSnapshots(pool: string, image: string): Promise<string[]>;
  /** sha256 over `size` bytes of the image (holes read as zeros); sample = fraction of 4 MiB chunks. */
  digest(location: RbdLocation, size: number, sample?: { percent: number; seed: string }): Promise<Digest>;
}

export interface CephAccess {
  /** the shared backup Ceph (pool holding volume-<vid>.backup.<bid>) */
  backup?: { cluster: CephCluster; pool: string };
  /** B's volume pool (images volume-<vid>) */
  target?: { cluster: CephCluster; pool: string };
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
