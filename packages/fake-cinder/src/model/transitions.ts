// The asynchronous half of each operation, declared as data: which status the API left the
// resource in (`from`), and where the manager moves it on success or failure. CinderCloud
// schedules a step on the clock and, when it fires, checks the resource is still in `from`
// (Cinder's managers abort on an unexpected status too) before applying the outcome.
import type { BackupStatus, VolumeStatus } from "./types.js";

/** `previous` = the volume's saved previous_status; null = the row is (soft-)deleted. */
type VolumeTarget = VolumeStatus | "previous" | null;

export interface AsyncTransition {
  volume?: { from: VolumeStatus; ok: VolumeTarget; fail: VolumeTarget };
  backup?: { from: BackupStatus; ok: BackupStatus | null; fail: BackupStatus };
}

export const TRANSITIONS = {
  "volume.create": { volume: { from: "creating", ok: "available", fail: "error" } },
  "volume.delete": { volume: { from: "deleting", ok: null, fail: "error_deleting" } },
  "volume.extend": { volume: { from: "extending", ok: "previous", fail: "error_extending" } },
  /** create from a backup (3.47): the backup is `restoring` meanwhile */
  "volume.create_from_backup": {
    volume: { from: "creating", ok: "available", fail: "error" },
    backup: { from: "restoring", ok: "available", fail: "available" },
  },
  /** the volume goes back to previous_status either way (previous_status records the outcome) */
  "backup.create": {
    volume: { from: "backing-up", ok: "previous", fail: "previous" },
    backup: { from: "creating", ok: "available", fail: "error" },
  },
  /** a restore failure leaves the backup available and the volume error_restoring */
  "backup.restore": {
    volume: { from: "restoring-backup", ok: "available", fail: "error_restoring" },
    backup: { from: "restoring", ok: "available", fail: "available" },
  },
  "backup.delete": { backup: { from: "deleting", ok: null, fail: "error" } },
  "backup.import": { backup: { from: "creating", ok: "available", fail: "error" } },
} as const satisfies Record<string, AsyncTransition>;

export type TransitionName = keyof typeof TRANSITIONS;

/** Statuses in which a volume may be deleted without force (cinder/volume/api.py delete). */
export const VOLUME_DELETABLE: readonly VolumeStatus[] = [
  "available",
  "error",
  "error_restoring",
  "error_extending",
  "error_managing",
];

/** Statuses a volume can be backed up from (cinder/backup/api.py create). */
export const VOLUME_BACKUPABLE: readonly VolumeStatus[] = ["available", "in-use"];

/** Backup statuses that allow delete without force. */
export const BACKUP_DELETABLE: readonly BackupStatus[] = ["available", "error"];

/** The only statuses os-reset_status accepts for a backup. */
export const BACKUP_RESETTABLE: readonly BackupStatus[] = ["available", "error"];
