import { describe, expect, it } from "vitest";
import { FaultPlan } from "../../src/faults/index.js";
import { fault } from "./fault.js";
import { ADMIN, type Lab, MEMBER, makeLab } from "./lab.js";

async function volume(lab: Lab) {
  const v = lab.a.createVolume(MEMBER, { size: 1 });
  await lab.idle();
  return v;
}

describe("FaultPlan", () => {
  it("matches by operation and target, counts down, and resets", () => {
    const plan = new FaultPlan();
    plan.add({ operation: "backup.create", volumeId: "v1", count: 2, action: { kind: "stall" } });
    plan.add({ operation: "backup.create", action: { kind: "latency", ms: 5 } });
    expect(plan.take("backup.create", { volumeId: "v2" }, ["stall"])).toBeUndefined();
    expect(plan.take("backup.delete", { volumeId: "v1" }, ["stall"])).toBeUndefined();
    expect(plan.take("backup.create", { volumeId: "v1" }, ["stall"])).toEqual({ kind: "stall" });
    expect(plan.take("backup.create", { volumeId: "v1" }, ["stall"])).toEqual({ kind: "stall" });
    expect(plan.take("backup.create", { volumeId: "v1" }, ["stall"])).toBeUndefined();
    // no count: applies until reset
    for (let i = 0; i < 3; i++)
      expect(plan.take("backup.create", {}, ["latency"])).toEqual({ kind: "latency", ms: 5 });
    plan.reset();
    expect(plan.list()).toEqual([]);
  });

  it("rejects malformed rules", () => {
    const plan = new FaultPlan();
    expect(() => plan.add({ operation: "backup.create", action: { kind: "http", status: 200 } })).toThrow();
    expect(() => plan.add({ operation: "nope" as "backup.create", action: { kind: "stall" } })).toThrow();
    expect(plan.add({ operation: "backup.create", action: { kind: "fail" } }).action).toEqual({
      kind: "fail",
      failReason: "An unknown exception occurred.",
    });
  });
});

describe("faults in the cloud", () => {
  it("fail: the next backup ends in error with the fail_reason, the one after works", async () => {
    const lab = await makeLab();
    const v = await volume(lab);
    lab.a.faults.add({
      operation: "backup.create",
      count: 1,
      action: { kind: "fail", failReason: "disk on fire" },
    });
    const b1 = lab.a.createBackup(MEMBER, { volumeId: v.id });
    await lab.idle();
    expect(lab.a.getBackup(MEMBER, b1.id)).toMatchObject({ status: "error", failReason: "disk on fire" });
    expect(lab.a.getVolume(MEMBER, v.id)).toMatchObject({
      status: "available",
      previousStatus: "error_backing-up",
    });
    expect(await lab.backupRbd.listImages("backups")).toEqual([]);
    const b2 = lab.a.createBackup(MEMBER, { volumeId: v.id });
    await lab.idle();
    expect(lab.a.getBackup(MEMBER, b2.id).status).toBe("available");
  });

  it("stall: the operation stays in its transitional status until reset", async () => {
    const lab = await makeLab();
    const v = await volume(lab);
    lab.a.faults.add({ operation: "backup.create", action: { kind: "stall" } });
    const b = lab.a.createBackup(MEMBER, { volumeId: v.id });
    await lab.idle();
    lab.clock.advance(3_600_000);
    await lab.idle();
    expect(lab.a.getBackup(MEMBER, b.id).status).toBe("creating");
    expect(lab.a.getVolume(MEMBER, v.id).status).toBe("backing-up");
    lab.a.reset();
    expect(lab.a.faults.list()).toEqual([]);
    expect(lab.a.listVolumes(ADMIN, { allTenants: true })).toEqual([]);
    expect(lab.a.pendingSteps).toBe(0);
  });

  it("http: the call is refused with the status and Cinder's fault name", async () => {
    const lab = await makeLab();
    const v = await volume(lab);
    lab.a.faults.add({ operation: "backup.create", count: 1, action: { kind: "http", status: 503 } });
    const f = fault(() => lab.a.createBackup(MEMBER, { volumeId: v.id }));
    expect([f.status, f.faultName]).toEqual([503, "serviceUnavailable"]);
    expect(lab.a.getVolume(MEMBER, v.id).status).toBe("available");
    lab.a.faults.add({
      operation: "volume.create",
      count: 1,
      action: { kind: "http", status: 500, message: "boom" },
    });
    const g = fault(() => lab.a.createVolume(MEMBER, { size: 1 }));
    expect(g.toBody()).toEqual({ computeFault: { code: 500, message: "boom" } });
    lab.a.faults.add({ operation: "backup.create", count: 1, action: { kind: "http", status: 413 } });
    expect(fault(() => lab.a.createBackup(MEMBER, { volumeId: v.id })).toBody()).toMatchObject({
      overLimit: { code: 413, retryAfter: "0" },
    });
  });

  it("latency: the step completes that much later", async () => {
    const lab = await makeLab({ a: { delays: { backupCreate: 100 } } });
    const v = await volume(lab);
    lab.a.faults.add({ operation: "backup.create", count: 1, action: { kind: "latency", ms: 5000 } });
    const b = lab.a.createBackup(MEMBER, { volumeId: v.id });
    lab.clock.advance(5099);
    await lab.a.settled();
    expect(lab.a.getBackup(MEMBER, b.id).status).toBe("creating");
    lab.clock.advance(1);
    await lab.a.settled();
    expect(lab.a.getBackup(MEMBER, b.id).status).toBe("available");
  });

  it("serviceDown on import: 503 as Cinder answers with no backup host", async () => {
    const lab = await makeLab();
    lab.b.faults.add({ operation: "backup.import", count: 1, action: { kind: "serviceDown" } });
    const f = fault(() => lab.b.importRecord(ADMIN, "cinder.backup.drivers.ceph", "e30="));
    expect([f.status, f.message]).toEqual([503, "Service cinder.backup.drivers.ceph could not be found."]);
  });

  it("fail on restore: the volume ends in error_restoring, the backup back to available", async () => {
    const lab = await makeLab();
    const v = await volume(lab);
    const b = lab.a.createBackup(MEMBER, { volumeId: v.id });
    await lab.idle();
    lab.a.faults.add({ operation: "backup.restore", backupId: b.id, count: 1, action: { kind: "fail" } });
    lab.a.restoreBackup(MEMBER, b.id, { volumeId: v.id });
    await lab.idle();
    expect(lab.a.getVolume(MEMBER, v.id).status).toBe("error_restoring");
    expect(lab.a.getBackup(MEMBER, b.id).status).toBe("available");
  });

  it("fail on volume create and delete: error and error_deleting", async () => {
    const lab = await makeLab();
    lab.a.faults.add({ operation: "volume.create", count: 1, action: { kind: "fail" } });
    const v = lab.a.createVolume(MEMBER, { size: 1 });
    await lab.idle();
    expect(lab.a.getVolume(MEMBER, v.id).status).toBe("error");
    lab.a.faults.add({ operation: "volume.delete", cluster: "a", count: 1, action: { kind: "fail" } });
    lab.a.deleteVolume(MEMBER, v.id);
    await lab.idle();
    expect(lab.a.getVolume(MEMBER, v.id).status).toBe("error_deleting");
    // a rule for another cluster does not match
    lab.b.faults.add({ operation: "volume.create", cluster: "a", action: { kind: "fail" } });
    const w = lab.b.createVolume(MEMBER, { size: 1 });
    await lab.idle();
    expect(lab.b.getVolume(MEMBER, w.id).status).toBe("available");
  });
});
