// Export record codec and import rules (cinder/objects/backup.py, cinder/backup/api.py and
// manager.py import_record, Cinder 21.3.1).
import { describe, expect, it } from "vitest";
import { decodeRecord, encodeRawRecord, pythonJsonDumps } from "../../src/model/record.js";
import { fault } from "./fault.js";
import { ADMIN, type Lab, MEMBER, makeLab } from "./lab.js";

async function exported(lab: Lab) {
  const v = lab.a.createVolume(MEMBER, { size: 1, name: "src" });
  await lab.idle();
  const bk = lab.a.createBackup(MEMBER, { volumeId: v.id, name: "bk" });
  await lab.idle();
  return { v, bk, rec: lab.a.exportRecord(ADMIN, bk.id) };
}

/** a record as Pike (11.x) wrote it: no encryption_key_id, module-path service, no service_metadata */
function pikeRecord(
  id: string,
  volumeId: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    driver_info: {},
    id,
    user_id: "0f1d9c5a8e7b4c3d2e1f0a9b8c7d6e5f",
    project_id: "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d",
    volume_id: volumeId,
    host: "controller",
    availability_zone: "nova",
    container: "sata-00",
    parent_id: null,
    status: "available",
    fail_reason: null,
    size: 10,
    display_name: null,
    display_description: null,
    service_metadata: null,
    service: "cinder.backup.drivers.ceph",
    object_count: 0,
    temp_volume_id: null,
    temp_snapshot_id: null,
    num_dependent_backups: 0,
    snapshot_id: null,
    data_timestamp: "2017-09-23T06:22:21Z",
    restore_volume_id: null,
    metadata: {},
    created_at: "2017-09-23T06:22:21Z",
    updated_at: "2017-09-23T06:22:52Z",
    deleted_at: null,
    deleted: false,
    ...extra,
  };
}

describe("export record codec", () => {
  it("dumps like Python json.dumps: ', ' and ': ' separators, non-ASCII escaped", () => {
    expect(pythonJsonDumps({ a: 1, b: [true, null], c: { d: "é" } })).toBe(
      '{"a": 1, "b": [true, null], "c": {"d": "\\u00e9"}}',
    );
  });

  it("refuses undecodable urls with Cinder's text", () => {
    for (const bad of ["not base64!!", "e30", Buffer.from("{not json").toString("base64"), "//79"]) {
      const f = fault(() => decodeRecord(bad));
      expect([f.status, f.message]).toEqual([400, "Invalid input received: Can't parse backup record."]);
    }
    expect(fault(() => decodeRecord(42)).message).toBe("Invalid input received: Can't decode backup record.");
    // Python's b64decode drops characters outside the alphabet before decoding
    expect(
      decodeRecord(
        `${Buffer.from('{"id": 1}').toString("base64").slice(0, 4)}\n${Buffer.from('{"id": 1}').toString("base64").slice(4)}`,
      ),
    ).toEqual({ id: 1 });
  });
});

describe("import rules", () => {
  it("keeps the exported id; a second import of the same record is refused", async () => {
    const lab = await makeLab();
    const { bk, rec } = await exported(lab);
    const imp = lab.b.importRecord(ADMIN, rec.backupService, rec.backupUrl);
    expect(imp.id).toBe(bk.id);
    expect(imp.name).toBeNull();
    const again = fault(() => lab.b.importRecord(ADMIN, rec.backupService, rec.backupUrl));
    expect([again.status, again.message]).toEqual([
      400,
      "Invalid backup: Backup already exists in database.",
    ]);
    // the same record back into the cluster that made it
    expect(fault(() => lab.a.importRecord(ADMIN, rec.backupService, rec.backupUrl)).message).toBe(
      "Invalid backup: Backup already exists in database.",
    );
  });

  it("needs id and size in the record", async () => {
    const lab = await makeLab();
    expect(fault(() => lab.b.importRecord(ADMIN, "", encodeRawRecord({ size: 1 }))).message).toBe(
      "Invalid input received: Provided backup record is missing an id",
    );
    expect(fault(() => lab.b.importRecord(ADMIN, "", encodeRawRecord({ id: "x" }))).message).toBe(
      "Invalid input received: Provided backup record is missing size attribute",
    );
    expect(fault(() => lab.b.importRecord(ADMIN, "", "@@@")).message).toBe(
      "Invalid input received: Can't parse backup record.",
    );
  });

  it("an unknown backup service: 201, then error with the real fail_reason, zeros volume id, size 0", async () => {
    const lab = await makeLab();
    const { bk, rec } = await exported(lab);
    lab.b.importRecord(ADMIN, "cinder.backup.drivers.swift", rec.backupUrl);
    await lab.idle();
    expect(lab.b.getBackup(ADMIN, bk.id)).toMatchObject({
      status: "error",
      failReason:
        "Import record failed, cannot find backup service to perform the import. Request service cinder.backup.drivers.swift.",
      volumeId: "00000000-0000-0000-0000-000000000000",
      size: 0,
      service: null,
    });
    expect(fault(() => lab.b.importRecord(ADMIN, rec.backupService, rec.backupUrl)).message).toBe(
      "Invalid backup: Backup already exists in database.",
    );
    // the manager ignores reset-status for a backup without a service
    lab.b.resetBackupStatus(ADMIN, bk.id, "available");
    await lab.idle();
    expect(lab.b.getBackup(ADMIN, bk.id).status).toBe("error");
  });

  it("matches the service by prefix: '' and 'cinder.backup.drivers' are ours", async () => {
    for (const svc of ["", "cinder.backup.drivers", "cinder.backup.drivers.ceph"]) {
      const lab = await makeLab();
      const { bk, rec } = await exported(lab);
      lab.b.importRecord(ADMIN, svc, rec.backupUrl);
      await lab.idle();
      expect(lab.b.getBackup(ADMIN, bk.id).status).toBe("available");
    }
  });

  it("revives a soft-deleted backup with the same id", async () => {
    const lab = await makeLab();
    const { bk, rec } = await exported(lab);
    lab.b.importRecord(ADMIN, rec.backupService, rec.backupUrl);
    await lab.idle();
    // delete in B only drops B's row if the base image stays; recreate A's data afterwards
    lab.b.resetBackupStatus(ADMIN, bk.id, "error");
    await lab.idle();
    lab.b.deleteBackup(ADMIN, bk.id);
    await lab.idle();
    expect(fault(() => lab.b.getBackup(ADMIN, bk.id)).status).toBe(404);
    const revived = lab.b.importRecord(ADMIN, rec.backupService, rec.backupUrl);
    expect(revived.id).toBe(bk.id);
    await lab.idle();
    expect(lab.b.getBackup(ADMIN, bk.id).status).toBe("available");
  });

  it("reports missing record fields and a mismatching id as the manager does", async () => {
    const lab = await makeLab();
    const url = encodeRawRecord({ id: "11111111-1111-4111-8111-111111111111", size: 1 });
    lab.b.importRecord(ADMIN, "", url);
    await lab.idle();
    const failReason = lab.b.getBackup(ADMIN, "11111111-1111-4111-8111-111111111111").failReason ?? "";
    expect(failReason).toMatch(
      /^Driver successfully decoded imported backup data, but there are missing fields \(.+\)\.$/,
    );
    for (const k of [
      "display_name",
      "display_description",
      "container",
      "service_metadata",
      "object_count",
    ]) {
      expect(failReason).toContain(k);
    }
  });

  it("imports a Pike-era record (display_name, deleted, service_metadata null) as Zed would", async () => {
    const lab = await makeLab();
    const id = "46fc9fc6-d783-4dd3-8096-839e21c49c68";
    const volumeId = "0c7006e8-4c01-4bdb-b4b2-6be5336263d0";
    const url = encodeRawRecord(pikeRecord(id, volumeId, { display_name: "pike-backup", deleted: false }));
    const imp = lab.b.importRecord(ADMIN, "cinder.backup.drivers.ceph", url);
    expect(imp).toMatchObject({ id, status: "creating", projectId: ADMIN.projectId });
    await lab.idle();
    const b = lab.b.getBackup(ADMIN, id);
    expect(b).toMatchObject({
      status: "available",
      volumeId,
      size: 10,
      name: "pike-backup",
      container: "sata-00",
      serviceMetadata: null,
      service: "cinder.backup.drivers.ceph.CephBackupDriver",
      availabilityZone: "nova",
      host: "b-controller",
      encryptionKeyId: null,
      projectId: ADMIN.projectId,
      userId: ADMIN.userId,
    });
    expect(b.createdAt.toISOString()).toBe("2017-09-23T06:22:21.000Z");
    expect(b.dataTimestamp?.toISOString()).toBe("2017-09-23T06:22:21.000Z");
    expect(lab.b.quotaUsage(ADMIN).usage).toMatchObject({ backups: 1, backupGigabytes: 10 });
  });

  it("counts an import against the backups quota (413)", async () => {
    const lab = await makeLab({ b: { quotas: { backupGigabytes: 5 } } });
    const url = encodeRawRecord(
      pikeRecord("46fc9fc6-d783-4dd3-8096-839e21c49c68", "0c7006e8-4c01-4bdb-b4b2-6be5336263d0"),
    );
    const f = fault(() => lab.b.importRecord(ADMIN, "", url));
    expect([f.status, f.message]).toEqual([
      413,
      "VolumeBackupSizeExceedsAvailableQuota: Requested backup exceeds allowed Backup gigabytes quota. Requested 10G, quota is 5G and 0G has been consumed.",
    ]);
  });
});
