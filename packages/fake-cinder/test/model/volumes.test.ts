import { beforeEach, describe, expect, it } from "vitest";
import type { CinderCloud } from "../../src/model/cloud.js";
import { fault } from "./fault.js";
import { ADMIN, GiB, type Lab, MEMBER, makeLab, OTHER } from "./lab.js";

describe("volumes", () => {
  let lab: Lab;
  let a: CinderCloud;
  beforeEach(async () => {
    lab = await makeLab();
    a = lab.a;
  });

  it("creates in creating, becomes available after the create delay, with an RBD image volume-<id>", async () => {
    const v = a.createVolume(MEMBER, { size: 1, name: "src" });
    expect(v.status).toBe("creating");
    expect(v.volumeTypeId).toBe(a.listVolumeTypes(MEMBER)[0]?.id);
    expect(a.listVolumeTypes(MEMBER)[0]?.name).toBe("__DEFAULT__");
    expect(v.availabilityZone).toBe("nova");
    // unplaced until the scheduler's save, which sets host and updated_at together
    expect([v.host, v.updatedAt]).toEqual([null, null]);
    lab.clock.advance(199);
    await a.settled();
    expect(a.getVolume(MEMBER, v.id).status).toBe("creating");
    lab.clock.advance(1);
    await a.settled();
    expect(a.getVolume(MEMBER, v.id)).toMatchObject({
      status: "available",
      host: expect.stringMatching(/.+@.+#.+/),
      replicationStatus: null,
      sharedTargets: false,
      serviceUuid: a.listServices(ADMIN, { binary: "cinder-volume" })[0]?.uuid,
    });
    const info = await lab.rbdA.imageInfo({ pool: "volumes-a", image: `volume-${v.id}` });
    expect(info.size).toBe(GiB);
  });

  it("hides other projects' volumes behind 404 with Cinder's text", () => {
    const v = a.createVolume(MEMBER, { size: 1 });
    const f = fault(() => a.getVolume(OTHER, v.id));
    expect([f.status, f.faultName, f.message]).toEqual([
      404,
      "itemNotFound",
      `Volume ${v.id} could not be found.`,
    ]);
    expect(a.getVolume(ADMIN, v.id).id).toBe(v.id);
  });

  it("refuses bad sizes, unknown types and zones with Cinder's texts", () => {
    expect(fault(() => a.createVolume(MEMBER, { size: 0 })).message).toBe(
      "Invalid input received: Invalid volume size provided for create request: 0 (size argument must be an integer (or string representation of an integer) and greater than zero).",
    );
    expect(fault(() => a.createVolume(MEMBER, { size: 1, volumeType: "gold" })).message).toBe(
      "Volume type with name gold could not be found.",
    );
    expect(
      fault(() => a.createVolume(MEMBER, { size: 1, volumeType: "0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f" }))
        .message,
    ).toBe("Volume type 0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f could not be found.");
    expect(fault(() => a.createVolume(MEMBER, { size: 1, availabilityZone: "mars" })).message).toBe(
      "Availability zone 'mars' is invalid.",
    );
  });

  it("enforces the volumes and gigabytes quotas with 413 texts", async () => {
    const q = await makeLab({ a: { quotas: { volumes: 2, gigabytes: 5 } } });
    q.a.createVolume(MEMBER, { size: 2 });
    const big = fault(() => q.a.createVolume(MEMBER, { size: 4 }));
    expect([big.status, big.faultName, big.message]).toEqual([
      413,
      "overLimit",
      "VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested 4G, quota is 5G and 2G has been consumed.",
    ]);
    expect(big.toBody()).toEqual({ overLimit: { code: 413, message: big.message, retryAfter: "0" } });
    q.a.createVolume(MEMBER, { size: 1 });
    expect(fault(() => q.a.createVolume(MEMBER, { size: 1 })).message).toBe(
      "VolumeLimitExceeded: Maximum number of volumes allowed (2) exceeded for quota 'volumes'.",
    );
    expect(q.a.limits(MEMBER)).toEqual({
      maxTotalVolumes: 2,
      maxTotalSnapshots: 10,
      maxTotalVolumeGigabytes: 5,
      maxTotalBackups: 10,
      maxTotalBackupGigabytes: 1000,
      totalVolumesUsed: 2,
      totalSnapshotsUsed: 0,
      totalGigabytesUsed: 3,
      totalBackupsUsed: 0,
      totalBackupGigabytesUsed: 0,
    });
  });

  it("enforces the snapshots quota", async () => {
    const q = await makeLab({ a: { quotas: { snapshots: 1 } } });
    const v = q.a.createVolume(MEMBER, { size: 1 });
    await q.idle();
    q.a.createSnapshot(MEMBER, { volumeId: v.id });
    const f = fault(() => q.a.createSnapshot(MEMBER, { volumeId: v.id }));
    expect([f.status, f.message]).toEqual([
      413,
      "SnapshotLimitExceeded: Maximum number of snapshots allowed (1) exceeded",
    ]);
  });

  it("deletes only from the deletable statuses, then the image is gone", async () => {
    const v = a.createVolume(MEMBER, { size: 1 });
    const creating = fault(() => a.deleteVolume(MEMBER, v.id));
    expect(creating.message).toBe(
      "Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.",
    );
    await lab.idle();
    a.deleteVolume(MEMBER, v.id);
    expect(a.getVolume(MEMBER, v.id).status).toBe("deleting");
    await lab.idle();
    expect(fault(() => a.getVolume(MEMBER, v.id)).status).toBe(404);
    expect(await lab.rbdA.listImages("volumes-a")).toEqual([]);
  });

  it("snapshots as protected RBD snapshots; new volumes from them hold the snapshot's bytes", async () => {
    const v = a.createVolume(MEMBER, { size: 1 });
    await lab.idle();
    const ref = a.volumeImageRef(v.id);
    await lab.rbdA.writeImage(ref, 0, new Uint8Array(4096).fill(7));
    const s = a.createSnapshot(MEMBER, { volumeId: v.id });
    await lab.idle();
    expect(a.getSnapshot(MEMBER, s.id)).toMatchObject({
      status: "available",
      progress: "100%",
      volumeSize: 1,
    });
    await lab.rbdA.writeImage(ref, 0, new Uint8Array(4096).fill(9));
    const nv = a.createVolume(MEMBER, { snapshotId: s.id });
    expect(nv.size).toBe(1);
    await lab.idle();
    const nref = a.volumeImageRef(nv.id);
    expect((await lab.rbdA.readImage(nref, 0, 4096)).every((b) => b === 7)).toBe(true);
    expect(await lab.rbdA.listSnaps(nref)).toEqual([]);
    const s2 = a.createSnapshot(MEMBER, { volumeId: v.id });
    await lab.idle();
    a.deleteSnapshot(MEMBER, s2.id);
    expect(a.getSnapshot(MEMBER, s2.id).status).toBe("deleting");
    await lab.idle();
    expect((await lab.rbdA.listSnaps(ref)).map((x) => x.name)).toEqual([`snapshot-${s.id}`]);
    // a volume with snapshots needs cascade; cascade removes the RBD snapshots too
    expect(fault(() => a.deleteVolume(MEMBER, v.id)).status).toBe(400);
    a.deleteVolume(MEMBER, v.id, { cascade: true });
    expect(a.getSnapshot(MEMBER, s.id).status).toBe("deleting");
    await lab.idle();
    expect(fault(() => a.getSnapshot(MEMBER, s.id)).status).toBe(404);
    expect(await lab.rbdA.listImages("volumes-a")).toEqual([`volume-${nv.id}`]);
  });

  it("extends available volumes only, with Cinder's texts", async () => {
    const v = a.createVolume(MEMBER, { size: 1 });
    await lab.idle();
    expect(fault(() => a.extendVolume(MEMBER, v.id, 1)).message).toBe(
      "Invalid input received: New size for extend must be greater than current size. (current: 1, extended: 1).",
    );
    a.extendVolume(MEMBER, v.id, 3);
    expect(a.getVolume(MEMBER, v.id).status).toBe("extending");
    expect(fault(() => a.extendVolume(MEMBER, v.id, 4)).message).toBe(
      `Invalid volume: Volume ${v.id} status must be '{'status': 'available'}' to extend, currently extending.`,
    );
    await lab.idle();
    expect(a.getVolume(MEMBER, v.id)).toMatchObject({ status: "available", size: 3 });
    expect((await lab.rbdA.imageInfo({ pool: "volumes-a", image: `volume-${v.id}` })).size).toBe(3 * GiB);
  });

  it("derives in-use from attachments (attachments API and os-attach)", async () => {
    const v = a.createVolume(MEMBER, { size: 1 });
    await lab.idle();
    const att = a.createAttachment(MEMBER, {
      volumeId: v.id,
      instanceUuid: "11111111-2222-4333-8444-555555555555",
    });
    expect(a.getVolume(MEMBER, v.id).status).toBe("reserved");
    a.updateAttachment(MEMBER, att.id, { host: "compute-1", initiator: "iqn.x" });
    expect(a.getVolume(MEMBER, v.id).status).toBe("attaching");
    a.completeAttachment(MEMBER, att.id);
    expect(a.getVolume(MEMBER, v.id)).toMatchObject({ status: "in-use", attachStatus: "attached" });
    expect(fault(() => a.deleteVolume(MEMBER, v.id)).status).toBe(400);
    a.deleteAttachment(MEMBER, att.id);
    expect(a.getVolume(MEMBER, v.id)).toMatchObject({ status: "available", attachStatus: "detached" });

    a.osAttach(MEMBER, v.id, {
      instanceUuid: "11111111-2222-4333-8444-555555555555",
      mountpoint: "/dev/vdb",
    });
    expect(a.getVolume(MEMBER, v.id).status).toBe("in-use");
    a.beginDetaching(MEMBER, v.id);
    expect(a.getVolume(MEMBER, v.id).status).toBe("detaching");
    a.osDetach(MEMBER, v.id, null);
    expect(a.getVolume(MEMBER, v.id).status).toBe("available");
    expect(fault(() => a.beginDetaching(MEMBER, v.id)).message).toBe(
      "Invalid volume: Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.",
    );
  });

  it("force-detaches as admin only", async () => {
    const v = a.createVolume(MEMBER, { size: 1 });
    await lab.idle();
    a.osAttach(MEMBER, v.id, {
      instanceUuid: "11111111-2222-4333-8444-555555555555",
      mountpoint: "/dev/vdb",
    });
    expect(fault(() => a.forceDetach(MEMBER, v.id)).message).toBe(
      "Policy doesn't allow volume_extension:volume_admin_actions:force_detach to be performed.",
    );
    a.forceDetach(ADMIN, v.id);
    expect(a.getVolume(MEMBER, v.id)).toMatchObject({
      status: "available",
      attachStatus: "detached",
      attachments: [],
    });
  });

  it("resets status as admin only, with Cinder's checks", async () => {
    const v = a.createVolume(MEMBER, { size: 1 });
    await lab.idle();
    const policy = fault(() => a.resetVolumeStatus(MEMBER, v.id, { status: "error" }));
    expect([policy.status, policy.message]).toEqual([
      403,
      "Policy doesn't allow volume_extension:volume_admin_actions:reset_status to be performed.",
    ]);
    expect(fault(() => a.resetVolumeStatus(ADMIN, v.id, {})).message).toBe(
      "Must specify 'status', 'attach_status' or 'migration_status' for update.",
    );
    expect(fault(() => a.resetVolumeStatus(ADMIN, v.id, { status: "deleting" })).message).toBe(
      "Cannot reset-state to deleting",
    );
    expect(fault(() => a.resetVolumeStatus(ADMIN, v.id, { status: "in-use" })).message).toBe(
      "Cannot reset-state to in-use because volume does not have any attachments.",
    );
    expect(fault(() => a.resetVolumeStatus(ADMIN, v.id, { status: "bogus" })).message).toMatch(
      /^Volume status: bogus is invalid, valid statuses are: \('creating', 'available', .*'extending'\)\.$/,
    );
    // Cinder's string-concatenation bug lets error_deleting through
    a.resetVolumeStatus(ADMIN, v.id, { status: "error_deleting" });
    expect(a.getVolume(ADMIN, v.id).status).toBe("error_deleting");
    a.resetVolumeStatus(ADMIN, v.id, { status: "ERROR" });
    expect(a.getVolume(ADMIN, v.id).status).toBe("error");
  });

  it("transfers a volume between projects with the auth key", async () => {
    const v = a.createVolume(MEMBER, { size: 1 });
    await lab.idle();
    const { transfer, authKey } = a.createTransfer(MEMBER, v.id, "move");
    expect(a.getVolume(MEMBER, v.id).status).toBe("awaiting-transfer");
    expect(fault(() => a.acceptTransfer(OTHER, transfer.id, "wrong")).message).toBe(
      `Invalid auth key: Attempt to transfer ${transfer.id} with invalid auth key.`,
    );
    a.acceptTransfer(OTHER, transfer.id, authKey);
    expect(a.getVolume(OTHER, v.id)).toMatchObject({ status: "available", projectId: OTHER.projectId });
    expect(fault(() => a.getVolume(MEMBER, v.id)).status).toBe(404);
  });

  it("updates and deletes volume metadata with Cinder's texts", async () => {
    const v = a.createVolume(MEMBER, { size: 1, metadata: { a: "1" } });
    expect(a.updateVolumeMetadata(MEMBER, v.id, { b: "2" })).toEqual({ a: "1", b: "2" });
    expect(a.updateVolumeMetadata(MEMBER, v.id, { c: "3" }, { replace: true })).toEqual({ c: "3" });
    a.deleteVolumeMetadata(MEMBER, v.id, "c");
    const missing = fault(() => a.deleteVolumeMetadata(MEMBER, v.id, "c"));
    expect([missing.status, missing.message]).toEqual([404, `Volume ${v.id} has no metadata with key c.`]);
    a.resetVolumeStatus(ADMIN, v.id, { status: "maintenance" });
    expect(fault(() => a.updateVolumeMetadata(MEMBER, v.id, { d: "4" })).message).toBe(
      "Invalid volume: Updating volume metadata is not allowed for volumes in maintenance status.",
    );
  });

  it("lists newest first with marker, limit and filters", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push(a.createVolume(MEMBER, { size: 1, name: `v${i}` }).id);
      lab.clock.advance(1000);
    }
    await lab.idle();
    expect(a.listVolumes(MEMBER).map((v) => v.name)).toEqual(["v3", "v2", "v1", "v0"]);
    expect(a.listVolumes(MEMBER, { limit: 2, marker: ids[3] }).map((v) => v.name)).toEqual(["v2", "v1"]);
    expect(a.listVolumes(MEMBER, { filters: { name: "v1" } }).map((v) => v.id)).toEqual([ids[1]]);
    expect(a.listVolumes(OTHER)).toEqual([]);
    expect(a.listVolumes(ADMIN, { allTenants: true })).toHaveLength(4);
    expect(fault(() => a.listVolumes(MEMBER, { marker: "nope" })).message).toBe(
      "Marker nope could not be found.",
    );
  });
});
