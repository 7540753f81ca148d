// The export record (backup_url) as Cinder 21 writes and reads it: base64 (standard
// alphabet, padded, one line) of `jsonutils.dump_as_bytes(record)`, where the record is
// every Backup OVO field except `parent`, preceded by `driver_info`. jsonutils uses Python's
// json.dumps defaults, so the JSON has ", " and ": " separators and non-ASCII escaped;
// datetimes are oslo.versionedobjects isotime: `%Y-%m-%dT%H:%M:%SZ`.
import { InvalidInput } from "./errors.js";
import type { Backup, ReleaseProfile } from "./types.js";

/** Backup OVO field order in Cinder 21 (own fields, then the persistent ones). */
export const RECORD_FIELDS = [
  "id",
  "user_id",
  "project_id",
  "volume_id",
  "host",
  "availability_zone",
  "container",
  "parent_id",
  "status",
  "fail_reason",
  "size",
  "display_name",
  "display_description",
  "service_metadata",
  "service",
  "object_count",
  "temp_volume_id",
  "temp_snapshot_id",
  "num_dependent_backups",
  "snapshot_id",
  "data_timestamp",
  "restore_volume_id",
  "metadata",
  "encryption_key_id",
  "created_at",
  "updated_at",
  "deleted_at",
  "deleted",
] as const;

/** Keys the manager requires in an imported record (cinder/backup/manager.py import_record). */
export const REQUIRED_IMPORT_FIELDS = [
  "display_name",
  "display_description",
  "container",
  "size",
  "service_metadata",
  "object_count",
  "id",
] as const;

/** oslo.versionedobjects DateTimeField primitive. */
export function recordTime(date: Date | null): string | null {
  if (date === null) return null;
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** Python json.dumps with default separators and ensure_ascii=True. */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(value);
  if (typeof value === "string") {
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  }
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) => `${pythonJsonDumps(k)}: ${pythonJsonDumps(v)}`,
  );
  return `{${entries.join(", ")}}`;
}

/** The record's primitive fields for a backup, in Cinder's order. */
export function backupToRecord(backup: Backup): Record<string, unknown> {
  return {
    id: backup.id,
    user_id: backup.userId,
    project_id: backup.projectId,
    volume_id: backup.volumeId,
    host: backup.host,
    availability_zone: backup.availabilityZone,
    container: backup.container,
    parent_id: backup.parentId,
    status: backup.status,
    fail_reason: backup.failReason,
    size: backup.size,
    display_name: backup.name,
    display_description: backup.description,
    service_metadata: backup.serviceMetadata,
    service: backup.service,
    object_count: backup.objectCount,
    temp_volume_id: backup.tempVolumeId,
    temp_snapshot_id: backup.tempSnapshotId,
    num_dependent_backups: backup.numDependentBackups,
    snapshot_id: backup.snapshotId,
    data_timestamp: recordTime(backup.dataTimestamp),
    restore_volume_id: backup.restoreVolumeId,
    metadata: { ...backup.metadata },
    encryption_key_id: backup.encryptionKeyId,
    created_at: recordTime(backup.createdAt),
    updated_at: recordTime(backup.updatedAt),
    deleted_at: recordTime(backup.deletedAt),
    deleted: backup.deleted,
  };
}

/**
 * Backup.encode_record(driver_info=...): driver_info comes first (kwargs.update(record)).
 * The pike profile writes Pike's field set, which had no encryption_key_id yet.
 */
export function encodeRecord(
  backup: Backup,
  driverInfo: Record<string, unknown> = {},
  release: ReleaseProfile = "zed",
): string {
  const fields = backupToRecord(backup);
  if (release === "pike") delete fields.encryption_key_id;
  const record = { driver_info: driverInfo, ...fields };
  return Buffer.from(pythonJsonDumps(record), "utf8").toString("base64");
}

/** Encodes an arbitrary record object the way Cinder would (for hand-made or old records). */
export function encodeRawRecord(record: Record<string, unknown>): string {
  return Buffer.from(pythonJsonDumps(record), "utf8").toString("base64");
}

const B64_ALPHABET = /[^A-Za-z0-9+/=]/g;

/**
 * Backup.decode_record: Python's base64.b64decode (non-validating: characters outside the
 * alphabet are dropped; bad padding fails), UTF-8 decoding, then json.loads. Every failure
 * there is a ValueError in Python → "Can't parse backup record."
 */
export function decodeRecord(backupUrl: unknown): unknown {
  if (typeof backupUrl !== "string") throw new InvalidInput("Can't decode backup record.");
  const cleaned = backupUrl.replace(B64_ALPHABET, "");
  const unpadded = cleaned.replace(/=+$/, "");
  if (cleaned.length % 4 !== 0 || unpadded.includes("=") || unpadded.length % 4 === 1) {
    throw new InvalidInput("Can't parse backup record.");
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(cleaned, "base64"));
  } catch {
    throw new InvalidInput("Can't parse backup record.");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidInput("Can't parse backup record.");
  }
}

/** OVO DateTimeField coercion of a record value (ISO string, with or without zone). */
export function parseRecordTime(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "string") return null;
  const withZone = /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`;
  const date = new Date(withZone);
  return Number.isNaN(date.getTime()) ? null : date;
}
