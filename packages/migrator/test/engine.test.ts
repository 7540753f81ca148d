import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { STEP_NAMES } from "../src/engine/facts.js";
import { fold } from "../src/engine/journal.js";
import { Migration, SimulatedCrash } from "../src/engine/runner.js";
import { deps, startRun } from "./support/engine.js";
import { MemoryLab, pattern } from "./support/memory-lab.js";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("the step machine against in-memory clouds", () => {
  it("migrates volumes A→B with equal bytes, names, metadata and bootable, and leaves the source alone", async () => {
    const lab = new MemoryLab();
    const v1 = lab.a.addVolume(
      { size: 1, name: "db", description: "the db", metadata: { app: "pg" }, bootable: true },
      pattern(1, 65536),
    );
    const v2 = lab.a.addVolume({ size: 2, name: "logs" }, pattern(2, 4096));
    const v3 = lab.a.addVolume({ size: 1, name: "empty" }, Buffer.alloc(0));
    const snapshotA = () =>
      [...lab.a.volumes.values()].map((v) => ({ ...v, metadata: { ...v.metadata }, data: sha(v.data) }));
    const sourceBefore = snapshotA();
    const { journal, migration } = startRun(lab, [v1.id, v2.id, v3.id], { parallel: 2 });

    const state = await migration.run();

    for (const [src, expected] of [
      [v1, pattern(1, 65536)],
      [v2, pattern(2, 4096)],
      [v3, Buffer.alloc(0)],
    ] as const) {
      const vs = state.volumes.get(src.id);
      expect(vs?.outcome, vs?.reason).toBe("migrated");
      const target = lab.b.volumes.get(vs?.facts.targetVolumeId ?? "");
      expect(target?.data.equals(expected)).toBe(true);
      expect(target?.name).toBe(src.name);
      expect(target?.size).toBe(src.size);
      expect(vs?.facts.sourceDigest?.sha256).toBe(sha(expected));
      expect(vs?.facts.targetDigest?.sha256).toBe(sha(expected));
      // the imported backup in B keeps A's id
      expect(vs?.facts.importedBackupId).toBe(vs?.facts.backupId);
    }
    const db = lab.b.volumes.get(state.volumes.get(v1.id)?.facts.targetVolumeId ?? "");
    expect(db?.metadata).toMatchObject({ app: "pg" });
    expect(db?.bootable).toBe(true);
    expect(db?.description).toBe("the db");
    // the source volumes are exactly as they were (status, data, metadata)
    expect(snapshotA()).toEqual(sourceBefore);
    // every step of every volume is journalled before and after (cleanup is skipped: not asked)
    const recs = journal.records;
    for (const step of STEP_NAMES.filter((s) => s !== "cleanup" && s !== "transfer")) {
      expect(recs.filter((r) => r.t === "before" && r.step === step)).toHaveLength(3);
      expect(recs.filter((r) => r.t === "after" && r.step === step)).toHaveLength(3);
    }
    // folding the journal gives the same state
    expect(fold(recs).volumes.get(v1.id)?.facts).toEqual(state.volumes.get(v1.id)?.facts);
  });

  it("does an incremental migration on top of an earlier one and restores the latest bytes", async () => {
    const lab = new MemoryLab();
    const v = lab.a.addVolume({ size: 1, name: "inc" }, pattern(5, 8192));
    await startRun(lab, [v.id]).migration.run();
    lab.a.writeVolume(v.id, pattern(6, 8192));
    const { migration } = startRun(lab, [v.id], { incremental: true });
    // a second run id is needed so its tags differ
    (migration.state.header as { runId: string }).runId = "r2";
    const state = await migration.run();
    const vs = state.volumes.get(v.id);
    expect(vs?.outcome, vs?.reason).toBe("migrated");
    expect(vs?.facts.incremental).toBe(true);
    expect(lab.a.backups.get(vs?.facts.backupId ?? "")?.isIncremental).toBe(true);
    expect(lab.b.volumes.get(vs?.facts.targetVolumeId ?? "")?.data.equals(pattern(6, 8192))).toBe(true);
  });

  it("cleans up the migration backup on both sides only after verification, and only when asked", async () => {
    const lab = new MemoryLab();
    const v = lab.a.addVolume({ size: 1, name: "c" }, pattern(3, 1000));
    const kept = await startRun(lab, [v.id]).migration.run();
    const keptBackup = kept.volumes.get(v.id)?.facts.backupId ?? "";
    expect(lab.a.backups.has(keptBackup) && lab.b.backups.has(keptBackup)).toBe(true);

    const lab2 = new MemoryLab();
    const w = lab2.a.addVolume({ size: 1, name: "c" }, pattern(3, 1000));
    const state = await startRun(lab2, [w.id], { cleanup: true }).migration.run();
    const facts = state.volumes.get(w.id)?.facts;
    expect(facts?.cleanedUp).toBe(true);
    expect(lab2.a.backups.size + lab2.b.backups.size).toBe(0);
    expect(lab2.backupCeph.pool("backups").size).toBe(0);
    expect(lab2.a.volumes.get(w.id)?.status).toBe("available");

    const lab3 = new MemoryLab();
    const x = lab3.a.addVolume({ size: 1, name: "c" }, pattern(3, 1000));
    const unverified = await startRun(lab3, [x.id], { cleanup: true, verify: "none" }).migration.run();
    expect(unverified.volumes.get(x.id)?.outcome).toBe("migrated");
    expect(unverified.volumes.get(x.id)?.facts.cleanedUp).toBeUndefined();
    expect(lab3.a.backups.size).toBe(1);
  });
});

describe("the step order", () => {
  it("runs the steps in STEP_NAMES order", async () => {
    const { STEPS } = await import("../src/engine/steps/index.js");
    expect(STEPS.map((s) => s.name)).toEqual([...STEP_NAMES]);
  });
});

describe("concurrency", () => {
  it("never has more backups in flight in A than --max-backups, nor more volumes moving data than --parallel", async () => {
    const lab = new MemoryLab();
    const ids = Array.from(
      { length: 9 },
      (_, i) => lab.a.addVolume({ size: 1, name: `c${i}` }, pattern(i, 100)).id,
    );
    let maxCreating = 0;
    let maxMoving = 0;
    const { migration } = startRun(
      lab,
      ids,
      { parallel: 4, maxBackups: 2 },
      {
        onEvent: () => {
          const creating = [...lab.a.backups.values()].filter((b) => b.status === "creating").length;
          maxCreating = Math.max(maxCreating, creating);
          const moving = [...migration.state.volumes.values()].filter(
            (v) => v.done.has("backup") && !v.done.has("wait-restore") && v.outcome === undefined,
          ).length;
          maxMoving = Math.max(maxMoving, moving);
        },
      },
    );
    const state = await migration.run();
    expect([...state.volumes.values()].every((v) => v.outcome === "migrated")).toBe(true);
    expect(maxCreating).toBe(2);
    expect(maxMoving).toBeLessThanOrEqual(4);
    expect(maxMoving).toBeGreaterThan(1);
  });
});

describe("--to-project", () => {
  it("hands the restored volume over with a volume transfer, and never journals the auth key", async () => {
    const lab = new MemoryLab();
    const v = lab.a.addVolume({ size: 1, name: "t" }, pattern(4, 100));
    const receiver = lab.b.asProject("proj-2");
    const { journal, migration } = startRun(lab, [v.id], { toProject: "proj-2" }, { receiver });
    const state = await migration.run();
    const vs = state.volumes.get(v.id);
    expect(vs?.outcome, vs?.reason).toBe("migrated");
    expect(lab.b.volumes.get(vs?.facts.targetVolumeId ?? "")?.projectId).toBe("proj-2");
    expect(lab.b.volumes.get(vs?.facts.targetVolumeId ?? "")?.status).toBe("available");
    expect(JSON.stringify(journal.records)).not.toMatch(/auth_?key/i);
  });

  it("after a crash between creating and accepting, replaces the stale transfer", async () => {
    const lab = new MemoryLab();
    const v = lab.a.addVolume({ size: 1, name: "t" }, pattern(4, 100));
    const receiver = lab.b.asProject("proj-2");
    let crashed = false;
    const flaky = Object.create(receiver, {
      acceptTransfer: {
        value: async () => {
          crashed = true;
          throw new SimulatedCrash("between create and accept");
        },
      },
    });
    const { journal, migration } = startRun(lab, [v.id], { toProject: "proj-2" }, { receiver: flaky });
    await expect(migration.run()).rejects.toBeInstanceOf(SimulatedCrash);
    expect(crashed && lab.b.transfers.size === 1).toBe(true);
    const state = await Migration.resume(deps(lab, journal, { receiver }), [...journal.records]).run();
    expect(state.volumes.get(v.id)?.outcome).toBe("migrated");
    expect(lab.b.transfers.size).toBe(0);
    expect([...lab.b.volumes.values()][0]?.projectId).toBe("proj-2");
  });
});
