import { describe, expect, it } from "vitest";
import { startRun } from "./support/engine.js";
import { MemoryLab, pattern } from "./support/memory-lab.js";

function threeVolumes(lab: MemoryLab) {
  return [1, 2, 3].map((i) => lab.a.addVolume({ size: 1, name: `v${i}` }, pattern(i, 3000)));
}

async function runWith(setup: (lab: MemoryLab) => void, options = {}) {
  const lab = new MemoryLab();
  const vols = threeVolumes(lab);
  const before = vols.map((v) => ({ status: v.status, data: Buffer.from(v.data) }));
  setup(lab);
  const { migration } = startRun(
    lab,
    vols.map((v) => v.id),
    { parallel: 1, waitTimeoutMs: 120_000, ...options },
  );
  const state = await migration.run();
  // whatever happened, the sources are untouched
  vols.forEach((v, i) => {
    expect(lab.a.volumes.get(v.id)?.status).toBe(before[i]?.status);
    expect(lab.a.volumes.get(v.id)?.data.equals(before[i]?.data ?? Buffer.alloc(0))).toBe(true);
  });
  const outcomes = vols.map((v) => state.volumes.get(v.id));
  return { lab, outcomes };
}

describe("failures injected in the clouds", () => {
  it("a backup ending in error stops that volume with Cinder's fail_reason; the others go on", async () => {
    const { outcomes } = await runWith((lab) =>
      lab.a.faults.push({ op: "backup", kind: "error", reason: "An unknown exception occurred." }),
    );
    expect(outcomes[0]?.outcome).toBe("failed");
    expect(outcomes[0]?.reason).toMatch(
      /^wait-backup: backup .* failed in A: An unknown exception occurred\.$/,
    );
    expect(outcomes.slice(1).map((o) => o?.outcome)).toEqual(["migrated", "migrated"]);
  });

  it("a restore ending in error_restoring stops that volume", async () => {
    const { outcomes } = await runWith((lab) => lab.b.faults.push({ op: "restore", kind: "error" }));
    expect(outcomes[0]?.reason).toMatch(
      /^wait-restore: restore of backup .* failed in B \(volume error_restoring\)$/,
    );
    expect(outcomes.slice(1).every((o) => o?.outcome === "migrated")).toBe(true);
  });

  it("an import refused by B's backup service stops that volume with the reason", async () => {
    const { outcomes } = await runWith((lab) => lab.b.faults.push({ op: "import", kind: "error" }));
    expect(outcomes[0]?.reason).toMatch(/cannot find backup service to perform the import/);
  });

  it("a backup id that already exists in B is a collision, not a success", async () => {
    const { outcomes } = await runWith((lab) =>
      lab.b.faults.push({
        op: "import",
        kind: "http",
        status: 400,
        count: 1,
        message: "Invalid backup: Backup already exists in database.",
      }),
    );
    expect(outcomes[0]?.outcome).toBe("failed");
    expect(outcomes[0]?.reason).toMatch(/already exists in B/);
  });

  it("a status that never moves times out that volume", async () => {
    const { outcomes } = await runWith((lab) => lab.b.faults.push({ op: "restore", kind: "stall" }));
    expect(outcomes[0]?.reason).toMatch(
      /^wait-restore: restore into volume .* in B did not finish within 120 s \(last status restoring-backup\)$/,
    );
    expect(outcomes.slice(1).every((o) => o?.outcome === "migrated")).toBe(true);
  });

  it("503 bursts are retried with backoff and the run completes", async () => {
    const { lab, outcomes } = await runWith((lab) => {
      lab.a.faults.push({ op: "create-backup", kind: "http", status: 503, count: 3 });
      lab.b.faults.push({ op: "import", kind: "http", status: 503, count: 2 });
      lab.b.faults.push({ op: "get-volume", kind: "http", status: 500, count: 2 });
    });
    expect(outcomes.map((o) => o?.outcome)).toEqual(["migrated", "migrated", "migrated"]);
    // a lost POST is looked up before it is repeated: no duplicate backups
    expect(lab.a.backups.size).toBe(3);
  });

  it("quota exhausted in B stops the volumes that do not fit, with the quota message", async () => {
    const { lab, outcomes } = await runWith(
      (lab) => {
        lab.b.volumeQuota = 2;
      },
      { retries: 1 },
    );
    expect(outcomes.map((o) => o?.outcome)).toEqual(["migrated", "migrated", "failed"]);
    expect(outcomes[2]?.reason).toMatch(/VolumeLimitExceeded: Maximum number of volumes allowed \(2\)/);
    expect(lab.b.volumes.size).toBe(2);
    // the target is made first, so nothing was created in A for the volume that did not fit
    expect(lab.a.backups.size).toBe(2);
  });
});
