// Restarting cinder-backup runs Cinder 21's startup cleanup (cinder/backup/manager.py
// _cleanup_incomplete_backup_operations): the statuses and fail_reason below are what it leaves.
import { beforeEach, describe, expect, it } from "vitest";
import type { CinderCloud } from "../../src/model/cloud.js";
import type { Volume } from "../../src/model/types.js";
import { makeCluster } from "../api/helpers.js";
import { fault } from "./fault.js";
import { ADMIN, type Lab, MEMBER, makeLab } from "./lab.js";

describe("cinder-backup restart cleanup", () => {
  let lab: Lab;
  let a: CinderCloud;
  let vol: Volume;
  beforeEach(async () => {
    lab = await makeLab();
    a = lab.a;
    vol = a.createVolume(MEMBER, { size: 1, name: "src" });
    await lab.idle();
  });

  it("a stalled create: backup error with Cinder's fail_reason, volume back to its previous status", async () => {
    a.faults.add({ operation: "backup.create", count: 1, action: { kind: "stall" } });
    const b = a.createBackup(MEMBER, { volumeId: vol.id });
    await lab.idle();
    expect(a.getBackup(MEMBER, b.id).status).toBe("creating");
    expect(a.getVolume(MEMBER, vol.id).status).toBe("backing-up");

    const seen: string[] = [];
    a.on("change", (e) => seen.push(`${e.kind}:${e.from}->${e.to}`));
    expect(a.restartService("cinder-backup")).toEqual([
      { backupId: b.id, from: "creating", to: "error", problem: null },
    ]);
    expect(a.getBackup(MEMBER, b.id)).toMatchObject({
      status: "error",
      failReason: "incomplete backup reset on manager restart",
    });
    // _cleanup_one_volume sets status only: previous_status keeps what the API stored
    expect(a.getVolume(MEMBER, vol.id)).toMatchObject({ status: "available", previousStatus: "available" });
    // the volume first, then the backup, as _cleanup_one_backup does; the service was up already
    expect(seen).toEqual(["volume:backing-up->available", "backup:creating->error"]);

    // the way on: delete the errored backup, a fresh one succeeds
    a.deleteBackup(MEMBER, b.id);
    await lab.idle();
    expect(fault(() => a.getBackup(MEMBER, b.id)).status).toBe(404);
    const again = a.createBackup(MEMBER, { volumeId: vol.id });
    await lab.idle();
    expect(a.getBackup(MEMBER, again.id).status).toBe("available");
  });

  it("an in-use volume goes back to in-use", async () => {
    const at = a.createAttachment(ADMIN, {
      volumeId: vol.id,
      instanceUuid: "5a0c3b8e-6f0d-4a57-9a7e-0d3f1f6c2b11",
      connector: { host: "compute-1", mountpoint: "/dev/vdb" },
    });
    a.completeAttachment(ADMIN, at.id);
    a.faults.add({ operation: "backup.create", count: 1, action: { kind: "stall" } });
    const b = a.createBackup(MEMBER, { volumeId: vol.id, force: true });
    a.restartService("cinder-backup");
    expect(a.getBackup(MEMBER, b.id).status).toBe("error");
    expect(a.getVolume(MEMBER, vol.id).status).toBe("in-use");
  });

  it("a pending create (not yet run) dies with the old process and is cleaned up the same way", async () => {
    const b = a.createBackup(MEMBER, { volumeId: vol.id });
    expect(a.pendingSteps).toBe(1);
    a.restartService("cinder-backup", "a-controller");
    expect(a.pendingSteps).toBe(0);
    await lab.idle();
    expect(a.getBackup(MEMBER, b.id)).toMatchObject({
      status: "error",
      failReason: "incomplete backup reset on manager restart",
    });
    expect(await lab.backupRbd.listImages("backups")).toEqual([]);
  });

  it("a stalled restore: backup available again, the target volume error_restoring", async () => {
    const b = a.createBackup(MEMBER, { volumeId: vol.id });
    await lab.idle();
    const target = a.createVolume(MEMBER, { size: 1, name: "target" });
    await lab.idle();
    a.faults.add({ operation: "backup.restore", count: 1, action: { kind: "stall" } });
    a.restoreBackup(MEMBER, b.id, { volumeId: target.id });
    await lab.idle();
    expect(a.getVolume(MEMBER, target.id).status).toBe("restoring-backup");
    expect(a.restartService("cinder-backup")).toEqual([
      { backupId: b.id, from: "restoring", to: "available", problem: null },
    ]);
    expect(a.getBackup(MEMBER, b.id)).toMatchObject({ status: "available", failReason: null });
    expect(a.getVolume(MEMBER, target.id).status).toBe("error_restoring");
  });

  it("a stalled delete is resumed and finishes", async () => {
    const b = a.createBackup(MEMBER, { volumeId: vol.id });
    await lab.idle();
    a.faults.add({ operation: "backup.delete", count: 1, action: { kind: "stall" } });
    a.deleteBackup(MEMBER, b.id);
    await lab.idle();
    expect(a.getBackup(MEMBER, b.id).status).toBe("deleting");
    expect(a.restartService("cinder-backup")).toEqual([]);
    await lab.idle();
    expect(fault(() => a.getBackup(MEMBER, b.id)).status).toBe(404);
    expect(await lab.backupRbd.listImages("backups")).toEqual([]);
  });

  it("settled backups are left alone and a stopped service comes up", async () => {
    const b = a.createBackup(MEMBER, { volumeId: vol.id });
    await lab.idle();
    a.setServiceState("cinder-backup", undefined, { up: false });
    expect(a.restartService("cinder-backup")).toEqual([]);
    expect(a.getBackup(MEMBER, b.id).status).toBe("available");
    expect(a.listServices(ADMIN, { binary: "cinder-backup" })[0]).toMatchObject({ state: "up" });
  });

  it("an unknown host is refused", () => {
    expect(fault(() => a.restartService("cinder-backup", "nowhere")).message).toBe(
      "Service cinder-backup on host nowhere could not be found.",
    );
  });
});

describe("POST /_fake/services/restart", () => {
  it("restarts cinder-backup and answers what its cleanup did; refuses other binaries", async () => {
    const c = await makeCluster();
    try {
      const created = await c.call({
        method: "POST",
        url: `${c.base}/volumes`,
        payload: { volume: { size: 1 } },
      });
      const vid = created.json().volume.id as string;
      await c.idle();
      c.cloud.faults.add({ operation: "backup.create", count: 1, action: { kind: "stall" } });
      const backup = await c.call({
        method: "POST",
        url: `${c.base}/backups`,
        payload: { backup: { volume_id: vid } },
      });
      const bid = backup.json().backup.id as string;
      await c.idle();
      const restarted = await c.app.inject({
        method: "POST",
        url: "/_fake/services/restart",
        payload: { binary: "cinder-backup" },
      });
      expect(restarted.statusCode).toBe(200);
      expect(restarted.json()).toEqual({
        cleaned: [{ backupId: bid, from: "creating", to: "error", problem: null }],
      });
      const shown = await c.call({ method: "GET", url: `${c.base}/backups/${bid}`, version: "3.0" });
      expect(shown.json().backup).toMatchObject({
        status: "error",
        fail_reason: "incomplete backup reset on manager restart",
      });
      const refused = await c.app.inject({
        method: "POST",
        url: "/_fake/services/restart",
        payload: { binary: "cinder-volume" },
      });
      expect(refused.statusCode).toBe(400);
    } finally {
      await c.close();
    }
  });
});
