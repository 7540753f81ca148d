// Cinder's quota rules for the four resources the backup procedure touches. Usage is
// derived from live objects (non-deleted volumes and backups of the project), which is
// what Cinder's committed quota_usages converge to once reservations are committed.
import {
  BackupLimitExceeded,
  SnapshotLimitExceeded,
  VolumeBackupSizeExceedsAvailableQuota,
  VolumeLimitExceeded,
  VolumeSizeExceedsAvailableQuota,
} from "./errors.js";
import type { QuotaSet, QuotaUsage } from "./types.js";

/** Cinder's defaults (quota_volumes, quota_gigabytes, ...). */
export const DEFAULT_QUOTAS: QuotaSet = {
  volumes: 10,
  gigabytes: 1000,
  snapshots: 10,
  backups: 10,
  backupGigabytes: 1000,
  groups: 10,
  perVolumeGigabytes: -1,
};

const over = (limit: number, used: number, delta: number): boolean =>
  limit >= 0 && delta >= 0 && limit < used + delta;

/**
 * QUOTAS.reserve({'volumes': 1, 'gigabytes': size}) then process_reserve_over_quota: the
 * first over resource in reservation order decides the error. `prefixed` false gives the
 * plain message the backup restore controller answers with.
 */
export function checkVolumeQuota(
  limits: QuotaSet,
  usageOf: QuotaUsage | (() => QuotaUsage),
  size: number,
  opts: { prefixed?: boolean; count?: number } = {},
): void {
  if (limits.volumes < 0 && limits.gigabytes < 0) return;
  const usage = typeof usageOf === "function" ? usageOf() : usageOf;
  const prefixed = opts.prefixed ?? true;
  const count = opts.count ?? 1;
  if (over(limits.volumes, usage.volumes, count)) throw new VolumeLimitExceeded(limits.volumes, prefixed);
  if (over(limits.gigabytes, usage.gigabytes, size)) {
    throw new VolumeSizeExceedsAvailableQuota(size, limits.gigabytes, usage.gigabytes, prefixed);
  }
}

/** QUOTAS.reserve({'backups': 1, 'backup_gigabytes': size}) for backup create and import. */
export function checkBackupQuota(
  limits: QuotaSet,
  usageOf: QuotaUsage | (() => QuotaUsage),
  size: number,
): void {
  if (limits.backups < 0 && limits.backupGigabytes < 0) return;
  const usage = typeof usageOf === "function" ? usageOf() : usageOf;
  if (over(limits.backups, usage.backups, 1)) throw new BackupLimitExceeded(limits.backups);
  if (over(limits.backupGigabytes, usage.backupGigabytes, size)) {
    throw new VolumeBackupSizeExceedsAvailableQuota(size, limits.backupGigabytes, usage.backupGigabytes);
  }
}

/** Extend reserves only the increase in gigabytes. */
export function checkExtendQuota(limits: QuotaSet, usage: QuotaUsage, increase: number): void {
  if (over(limits.gigabytes, usage.gigabytes, increase)) {
    throw new VolumeSizeExceedsAvailableQuota(increase, limits.gigabytes, usage.gigabytes);
  }
}

/** QUOTAS.reserve({'snapshots': 1, 'gigabytes': volume size}) for snapshot create */
export function checkSnapshotQuota(
  limits: QuotaSet,
  usageOf: QuotaUsage | (() => QuotaUsage),
  size: number,
): void {
  if (limits.snapshots < 0 && limits.gigabytes < 0) return;
  const usage = typeof usageOf === "function" ? usageOf() : usageOf;
  if (over(limits.snapshots, usage.snapshots, 1)) throw new SnapshotLimitExceeded(limits.snapshots);
  if (over(limits.gigabytes, usage.gigabytes, size)) {
    throw new VolumeSizeExceedsAvailableQuota(size, limits.gigabytes, usage.gigabytes);
  }
}
