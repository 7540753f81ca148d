import { describe, expect, it } from "vitest";
import { ManualClock, pythonFloatRepr, RealClock } from "../../src/clock/index.js";

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
