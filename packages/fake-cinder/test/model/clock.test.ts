import { LocalRbd } from "@cinderlab/fake-rbd";
import { describe, expect, it } from "vitest";
import { ManualClock, pythonFloatRepr, RealClock } from "../../src/clock/index.js";
import { CinderCloud } from "../../src/model/cloud.js";

describe("ManualClock", () => {
  it("runs due tasks in time order, ties in scheduling order, including tasks scheduled by tasks", () => {
    const clock = new ManualClock(1000);
    const ran: string[] = [];
    clock.schedule(20, () => ran.push("b@20"));
    clock.schedule(10, () => {
      ran.push("a@10");
      clock.schedule(5, () => ran.push("c@15"));
      clock.schedule(50, () => ran.push("late"));
    });
    clock.schedule(20, () => ran.push("b2@20"));
    const cancelled = clock.schedule(1, () => ran.push("cancelled"));
    cancelled.cancel();
    clock.advance(30);
    expect(ran).toEqual(["a@10", "c@15", "b@20", "b2@20"]);
    expect(clock.now().getTime()).toBe(1030);
    expect(clock.nextDueIn()).toBe(30);
    expect(clock.pending).toBe(1);
    clock.cancelAll();
    expect(clock.pending).toBe(0);
  });

  it("gives epoch seconds as time.time() would", () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 0, 0, 0, 250));
    expect(pythonFloatRepr(clock.epochSeconds())).toBe("1767225600.25");
    expect(pythonFloatRepr(1767225600)).toBe("1767225600.0");
    expect(pythonFloatRepr(1795610317.8496566)).toBe("1795610317.8496566");
  });
});

describe("RealClock", () => {
  it("runs tasks after their delay and cancels the rest", async () => {
    const clock = new RealClock();
    const done = new Promise<number>((resolve) => clock.schedule(5, () => resolve(Date.now())));
    let cancelledRan = false;
    clock.schedule(10_000, () => {
      cancelledRan = true;
    });
    const start = Date.now();
    expect(await done).toBeGreaterThanOrEqual(start);
    clock.cancelAll();
    expect(cancelledRan).toBe(false);
    expect(clock.epochSeconds()).toBeCloseTo(Date.now() / 1000, 0);
  });
});

describe("CinderCloud on a RealClock", () => {
  it("moves statuses after the configured delays; idle() resolves when nothing is pending", async () => {
    const rbd = new LocalRbd();
    await rbd.createPool("volumes");
    await rbd.createPool("backups");
    const ctx = { projectId: "p", userId: "u", isAdmin: false };
    const cloud = new CinderCloud({
      name: "real",
      clock: new RealClock(),
      rbd,
      volumePool: "volumes",
      backupRbd: rbd,
      backupPool: "backups",
      delays: { volumeCreate: 5, backupCreate: 5 },
    });
    const v = cloud.createVolume(ctx, { size: 1 });
    await cloud.idle();
    expect(cloud.getVolume(ctx, v.id).status).toBe("available");
    const b = cloud.createBackup(ctx, { volumeId: v.id });
    expect(cloud.pendingSteps).toBe(1);
    await cloud.idle();
    expect(cloud.getBackup(ctx, b.id).status).toBe("available");
    cloud.createVolume(ctx, { size: 1 });
    cloud.close();
    expect(cloud.pendingSteps).toBe(0);
    await cloud.idle();
  });
});
