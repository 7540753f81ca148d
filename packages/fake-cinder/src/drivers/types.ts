// Ports between CinderCloud (the orchestrator) and the storage adapters. CinderCloud calls
// these from its clock-driven async steps; the implementations talk to an RbdBackend.
import type { ImageRef, RbdBackend } from "@cinderlab/fake-rbd";
import type { Backup, Volume } from "../model/types.js";

export interface VolumeDriver {
  /** the Ceph holding the volume pool */
  readonly rbd: RbdBackend;
  /** where the volume's bytes live, e.g. {pool: "volumes", image: "volume-<id>"} */
  imageRef(volumeId: string): ImageRef;
  createVolume(volume: Pick<Volume, "id" | "size">): Promise<void>;
  extendVolume(volume: Pick<Volume, "id">, newSizeGiB: number): Promise<void>;
  /** removes backup snapshots first, as Cinder's RBD volume driver does; a missing image is fine */
  deleteVolume(volume: Pick<Volume, "id">): Promise<void>;
}

/** What the backup driver saved of the volume (the `backup.<bid>.meta` object, version 2). */
export interface SavedVolumeMetadata {
  version: number;
  "volume-base-metadata"?: Record<string, unknown>;
  "volume-metadata"?: Record<string, string>;
  "volume-glance-metadata"?: Record<string, string>;
}

export interface BackupResult {
  /** the exact string stored on the backup (null when the driver sets none) */
  serviceMetadata: string | null;
  container: string;
  /** the pike driver re-parents every backup onto the newest snapshot it diffed from */
  parentId?: string | null;
}

export interface BackupDriver {
  /** the driver's class path, reported as backup.service and backup_service */
  readonly serviceName: string;
  readonly defaultContainer: string;
  /** `parent` is backup.parent (the OVO lazy-loads it from parent_id) */
  backup(backup: Backup, volume: Volume, volumeDriver: VolumeDriver, parent?: Backup): Promise<BackupResult>;
  /** restores the data; returns the saved volume metadata to apply, if any */
  restore(
    backup: Backup,
    target: Volume,
    volumeDriver: VolumeDriver,
    parent?: Backup,
  ): Promise<SavedVolumeMetadata | undefined>;
  deleteBackup(backup: Backup, parent?: Backup): Promise<void>;
  /** driver_info of the export record ({} for ceph) */
  exportRecord(backup: Backup): Record<string, unknown>;
  importRecord(backup: Backup, driverInfo: unknown): Promise<void>;
}
