import { beforeEach, describe, expect, it } from "vitest";
import type { CinderCloud } from "../../src/model/cloud.js";
import type { Volume } from "../../src/model/types.js";
import { fault } from "./fault.js";
import { ADMIN, type Lab, MEMBER, makeLab, OTHER } from "./lab.js";

describe("backup rules (Cinder 21 texts)", () => {
  let lab: Lab;
  let a: CinderCloud;
  let vol: Volume;
  beforeEach(async () => {
    lab = await makeLab();
    a = lab.a;
    vol = a.createVolume(MEMBER, { size: 1, name: "src" });
    await lab.idle();
  });

  it("moves backup creating→available and the volume backing-up→available", async () => {
    const seen: string[] = [];
    a.on("change", (e) => seen.push(`${e.kind}:${e.from}->${e.to}`));
    const b = a.createBackup(MEMBER, { volumeId: vol.id, name: "bk" });
    expect(b).toMatchObject({ status: "creating", container: null, size: 1, parentId: null, objectCount: 0 });
    expect(a.getVolume(MEMBER, vol.id)).toMatchObject({ status: "backing-up", previousStatus: "available" });
    expect(fault(() => a.deleteVolume(MEMBER, vol.id)).status).toBe(400);
    await lab.idle();
    const done = a.getBackup(MEMBER, b.id);
    expect(done).toMatchObject({
      status: "available",
      container: "backups",
      availabilityZone: null,
      service: "cinder.backup.drivers.ceph.CephBackupDriver",
      host: "a-controller",
      failReason: null,
      objectCount: 0,
      numDependentBackups: 0,
    });
    expect(done.dataTimestamp).toEqual(done.createdAt);
    expect(a.getVolume(MEMBER, vol.id)).toMatchObject({ status: "available", previousStatus: "backing-up" });
    expect(seen).toEqual([
      "volume:available->backing-up",
      "backup:null->creating",
      "volume:backing-up->available",
      "backup:creating->available",
    ]);
  });

  it("aborts a backup whose volume left backing-up before the manager ran", async () => {
    const b = a.createBackup(MEMBER, { volumeId: vol.id });
    a.resetVolumeStatus(ADMIN, vol.id, { status: "available" });
    await lab.idle();
    expect(a.getBackup(MEMBER, b.id)).toMatchObject({
      status: "error",
      failReason: "Create backup aborted, expected volume status backing-up but got available.",
    });
    expect(await lab.backupRbd.listImages("backups")).toEqual([]);
  });

  it("aborts a delete whose backup was reset meanwhile", async () => {
    const b = a.createBackup(MEMBER, { volumeId: vol.id });
    await lab.idle();
    a.deleteBackup(MEMBER, b.id);
    a.resetBackupStatus(ADMIN, b.id, "available");
    await lab.idle();
    expect(a.getBackup(MEMBER, b.id)).toMatchObject({
      status: "error",
      failReason: "Delete_backup aborted, expected backup status deleting but got available.",
    });
  });

  it("refuses volumes in the wrong status, and in-use without force", async () => {
    a.resetVolumeStatus(ADMIN, vol.id, { status: "error" });
    expect(fault(() => a.createBackup(MEMBER, { volumeId: vol.id })).message).toBe(
      'Invalid volume: Volume to be backed up must be available or in-use, but the current status is "error".',
    );
    a.resetVolumeStatus(ADMIN, vol.id, { status: "available" });
    a.osAttach(MEMBER, vol.id, {
      instanceUuid: "11111111-2222-4333-8444-555555555555",
      mountpoint: "/dev/vdb",
    });
    const inUse = fault(() => a.createBackup(MEMBER, { volumeId: vol.id }));
    expect([inUse.status, inUse.faultName, inUse.message]).toEqual([
      400,
      "badRequest",
      "Invalid volume: Backing up an in-use volume must use the force flag.",
    ]);
    const b = a.createBackup(MEMBER, { volumeId: vol.id, force: true });
    expect(a.getVolume(MEMBER, vol.id).status).toBe("backing-up");
    await lab.idle();
    expect(a.getBackup(MEMBER, b.id).status).toBe("available");
    expect(a.getVolume(MEMBER, vol.id).status).toBe("in-use");
    expect(fault(() => a.createBackup(MEMBER, { volumeId: "nope" })).message).toBe(
      "Volume nope could not be found.",
    );
  });

  it("picks the incremental parent per project and needs it available (Zed)", async () => {
    expect(fault(() => a.createBackup(MEMBER, { volumeId: vol.id, incremental: true })).message).toBe(
      "Invalid backup: No backups available to do an incremental backup.",
    );
    const full = a.createBackup(MEMBER, { volumeId: vol.id });
    expect(fault(() => a.createBackup(MEMBER, { volumeId: vol.id, incremental: true })).status).toBe(400);
    await lab.idle();
    // admin has no backup of its own of this volume
    expect(fault(() => a.createBackup(ADMIN, { volumeId: vol.id, incremental: true })).message).toBe(
      "Invalid backup: No backups available to do an incremental backup.",
    );
    lab.clock.advance(1000);
    const inc = a.createBackup(MEMBER, { volumeId: vol.id, incremental: true });
    expect(inc.parentId).toBe(full.id);
    await lab.idle();
    expect(a.getBackup(MEMBER, full.id).numDependentBackups).toBe(1);
    a.resetBackupStatus(ADMIN, inc.id, "error");
    await lab.idle();
    lab.clock.advance(1000);
    expect(fault(() => a.createBackup(MEMBER, { volumeId: vol.id, incremental: true })).message).toBe(
      "Invalid backup: The parent backup must be available for incremental backup.",
    );
    expect(fault(() => a.deleteBackup(MEMBER, full.id)).message).toBe(
      "Invalid backup: Incremental backups exist for this backup.",
    );
    a.deleteBackup(MEMBER, inc.id);
    await lab.idle();
    expect(a.getBackup(MEMBER, full.id).numDependentBackups).toBe(0);
  });

  it("deletes only available or error backups; force delete is 405 on ceph", async () => {
    const b = a.createBackup(MEMBER, { volumeId: vol.id });
    const creating = fault(() => a.deleteBackup(MEMBER, b.id));
    expect(creating.message).toBe("Invalid backup: Backup status must be available or error");
    await lab.idle();
    const force = fault(() => a.deleteBackup(ADMIN, b.id, { force: true }));
    expect([force.status, force.faultName, force.message]).toEqual([
      405,
      "badMethod",
      "Operation not supported: force delete.",
    ]);
    a.deleteBackup(MEMBER, b.id);
    expect(a.getBackup(MEMBER, b.id).status).toBe("deleting");
    await lab.idle();
    expect(fault(() => a.getBackup(MEMBER, b.id)).message).toBe(`Backup ${b.id} could not be found.`);
    expect(a.quotaUsage(MEMBER).usage).toMatchObject({ backups: 0, backupGigabytes: 0 });
  });

  it("restores only available backups into available, big enough volumes", async () => {
    const big = a.createVolume(MEMBER, { size: 2 });
    await lab.idle();
    const b2 = a.createBackup(MEMBER, { volumeId: big.id });
    expect(fault(() => a.restoreBackup(MEMBER, b2.id, { volumeId: vol.id })).message).toBe(
      "Invalid backup: Backup status must be available",
    );
    await lab.idle();
    expect(fault(() => a.restoreBackup(MEMBER, b2.id, { volumeId: vol.id })).message).toBe(
      "Invalid volume: volume size 1 is too small to restore backup of size 2.",
    );
    a.osAttach(MEMBER, vol.id, {
      instanceUuid: "11111111-2222-4333-8444-555555555555",
      mountpoint: "/dev/vdb",
    });
    expect(fault(() => a.restoreBackup(MEMBER, b2.id, { volumeId: vol.id })).message).toBe(
      "Invalid volume: Volume to be restored to must be available",
    );
  });

  it("restore answers the target's display_name before the restore, null when unnamed", async () => {
    const b = a.createBackup(MEMBER, { volumeId: vol.id });
    await lab.idle();
    const unnamed = a.createVolume(MEMBER, { size: 1 });
    await lab.idle();
    expect(a.restoreBackup(MEMBER, b.id, { volumeId: unnamed.id })).toEqual({
      backupId: b.id,
      volumeId: unnamed.id,
      volumeName: null,
    });
    await lab.idle();
    // an unnamed target takes the source volume's name from the saved metadata
    expect(a.getVolume(MEMBER, unnamed.id)).toMatchObject({ status: "available", name: "src" });
    expect(a.getVolume(MEMBER, unnamed.id).metadata).toEqual({ src_backup_id: b.id });
  });

  it("an unnamed source leaves restore_backup_<id> as the restored volume's name", async () => {
    const unnamed = a.createVolume(MEMBER, { size: 1, description: "kept?" });
    await lab.idle();
    const b = a.createBackup(MEMBER, { volumeId: unnamed.id });
    await lab.idle();
    const res = a.restoreBackup(MEMBER, b.id, {});
    await lab.idle();
    expect(a.getVolume(MEMBER, res.volumeId)).toMatchObject({
      status: "available",
      name: `restore_backup_${b.id}`,
      description: "auto-created_from_restore_from_backup",
    });
  });

  it("restore quota errors come without the class prefix", async () => {
    const q = await makeLab({ a: { quotas: { volumes: 1 } } });
    const v = q.a.createVolume(MEMBER, { size: 1 });
    await q.idle();
    const b = q.a.createBackup(MEMBER, { volumeId: v.id });
    await q.idle();
    const f = fault(() => q.a.restoreBackup(MEMBER, b.id, {}));
    expect([f.status, f.message]).toEqual([
      413,
      "Maximum number of volumes allowed (1) exceeded for quota 'volumes'.",
    ]);
  });

  it("enforces backup quotas with 413 texts", async () => {
    const q = await makeLab({ a: { quotas: { backups: 1, backupGigabytes: 3 } } });
    const v = q.a.createVolume(MEMBER, { size: 2 });
    await q.idle();
    q.a.createBackup(MEMBER, { volumeId: v.id });
    await q.idle();
    expect(fault(() => q.a.createBackup(MEMBER, { volumeId: v.id })).message).toBe(
      "BackupLimitExceeded: Maximum number of backups allowed (1) exceeded",
    );
    q.a.setQuotas(ADMIN, MEMBER.projectId, { backups: 5 });
    const f = fault(() => q.a.createBackup(MEMBER, { volumeId: v.id }));
    expect([f.status, f.faultName, f.message]).toEqual([
      413,
      "overLimit",
      "VolumeBackupSizeExceedsAvailableQuota: Requested backup exceeds allowed Backup gigabytes quota. Requested 2G, quota is 3G and 2G has been consumed.",
    ]);
    // the refused backup left the volume alone
    expect(q.a.getVolume(MEMBER, v.id).status).toBe("available");
  });

  it("exports only available backups, admin only", async () => {
    const b = a.createBackup(MEMBER, { volumeId: vol.id });
    expect(fault(() => a.exportRecord(ADMIN, b.id)).message).toBe(
      "Invalid backup: Backup status must be available and not creating.",
    );
    await lab.idle();
    const policy = fault(() => a.exportRecord(MEMBER, b.id));
    expect([policy.status, policy.faultName, policy.message]).toEqual([
      403,
      "forbidden",
      "Policy doesn't allow backup:export-import to be performed.",
    ]);
    expect(fault(() => a.importRecord(MEMBER, "x", "eyJ9")).message).toBe(
      "Policy doesn't allow backup:backup-import to be performed.",
    );
    const rec = a.exportRecord(ADMIN, b.id);
    expect(rec.backupService).toBe("cinder.backup.drivers.ceph.CephBackupDriver");
  });

  it("resets backup status asynchronously, to available or error only", async () => {
    const b = a.createBackup(MEMBER, { volumeId: vol.id });
    await lab.idle();
    expect(fault(() => a.resetBackupStatus(ADMIN, b.id, "restoring")).message).toBe(
      "Backup status: restoring is invalid, valid statuses are: ['available', 'error'].",
    );
    expect(fault(() => a.resetBackupStatus(MEMBER, b.id, "error")).status).toBe(403);
    a.resetBackupStatus(ADMIN, b.id, "Error");
    expect(a.getBackup(MEMBER, b.id).status).toBe("available");
    await lab.idle();
    expect(a.getBackup(MEMBER, b.id).status).toBe("error");
  });

  it("with the backup service down: create ends in error, delete/restore/export 404, import 503", async () => {
    const b = a.createBackup(MEMBER, { volumeId: vol.id });
    await lab.idle();
    a.setServiceState("cinder-backup", undefined, { up: false });
    const other = a.createBackup(MEMBER, { volumeId: vol.id });
    await lab.idle();
    expect(a.getBackup(MEMBER, other.id)).toMatchObject({
      status: "error",
      failReason: "Service not found for creating backup.",
    });
    expect(a.getVolume(MEMBER, vol.id)).toMatchObject({
      status: "available",
      previousStatus: "backing-up",
    });
    for (const call of [
      () => a.deleteBackup(MEMBER, b.id),
      () => a.restoreBackup(MEMBER, b.id, { volumeId: vol.id }),
      () => a.exportRecord(ADMIN, b.id),
      () => a.resetBackupStatus(ADMIN, b.id, "error"),
    ]) {
      const f = fault(call);
      expect([f.status, f.message]).toEqual([404, "Service cinder-backup could not be found."]);
    }
    expect(a.getBackup(MEMBER, b.id).status).toBe("available");
    // restore to a new volume: the volume is made before the host lookup fails, and stays
    const before = a.countVolumes(MEMBER);
    expect(fault(() => a.restoreBackup(MEMBER, b.id, {})).status).toBe(404);
    expect(a.countVolumes(MEMBER)).toBe(before + 1);
    await lab.idle();
    const orphan = a.listVolumes(MEMBER)[0];
    expect(orphan?.name).toBe(`restore_backup_${b.id}`);
    expect(await lab.rbdA.listImages("volumes-a")).toContain(`volume-${orphan?.id}`);
    const imp = fault(() => a.importRecord(ADMIN, "cinder.backup.drivers.ceph", "eyJ9"));
    expect([imp.status, imp.faultName, imp.message]).toEqual([
      503,
      "serviceUnavailable",
      "Service cinder.backup.drivers.ceph could not be found.",
    ]);
  });

  it("lists backups per project, filters by volume_id and status", async () => {
    const b1 = a.createBackup(MEMBER, { volumeId: vol.id, name: "one" });
    await lab.idle();
    lab.clock.advance(10);
    const b2 = a.createBackup(MEMBER, { volumeId: vol.id, name: "two" });
    await lab.idle();
    expect(a.listBackups(MEMBER).map((b) => b.id)).toEqual([b2.id, b1.id]);
    expect(a.listBackups(MEMBER, { filters: { name: "one" } }).map((b) => b.id)).toEqual([b1.id]);
    expect(a.listBackups(OTHER)).toEqual([]);
    expect(a.countBackups(ADMIN, { allTenants: true })).toBe(2);
    expect(a.updateBackup(MEMBER, b1.id, { name: "renamed", metadata: { k: "v" } })).toMatchObject({
      name: "renamed",
      metadata: { k: "v" },
    });
  });
});
