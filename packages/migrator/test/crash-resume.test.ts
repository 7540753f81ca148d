// Kill the migration at every point where the journal has just been written, and in the
// middle of every wait, then resume from the journal alone: exactly one backup, one
// imported record and one restored volume per source volume, equal checksums, nothing left.
import { describe, expect, it } from "vitest";
import { STEP_NAMES, type StepName } from "../src/engine/facts.js";
import type { MemoryJournal } from "../src/engine/journal.js";
import { type CrashPhase, Migration, SimulatedCrash } from "../src/engine/runner.js";
import { deps, startRun } from "./support/engine.js";
import { MemoryLab, pattern } from "./support/memory-lab.js";

type Point = `${StepName}:${CrashPhase}`;

function enumerateKillPoints(cleanup: boolean): Point[] {
  const lab = new MemoryLab();
  const v = lab.a.addVolume({ size: 1, name: "probe" }, pattern(9, 5000));
  const seen: Point[] = [];
  const extra = cleanup ? { toProject: "proj-2" } : {};
  const { migration } = startRun(
    lab,
    [v.id],
    { cleanup, ...extra },
    {
      receiver: lab.b.asProject("proj-2"),
      crashPoint: (_vol, step, phase) => {
        const p: Point = `${step}:${phase}`;
        if (!seen.includes(p)) seen.push(p);
      },
    },
  );
  return migration.run().then(() => seen) as unknown as Point[];
}

async function crashAndResume(point: Point, cleanup: boolean, pauseMs: number) {
  const lab = new MemoryLab();
  const data = pattern(11, 20000);
  const v = lab.a.addVolume({ size: 1, name: "victim", metadata: { k: "v" } }, data);
  let fired = false;
  const extra = cleanup ? { toProject: "proj-2" } : {};
  const { journal, migration } = startRun(
    lab,
    [v.id],
    { cleanup, ...extra },
    {
      receiver: lab.b.asProject("proj-2"),
      crashPoint: (_vol, step, phase) => {
        if (!fired && `${step}:${phase}` === point) {
          fired = true;
          throw new SimulatedCrash(point);
        }
      },
    },
  );
  await expect(migration.run()).rejects.toBeInstanceOf(SimulatedCrash);
  // the clouds go on while the migrator is dead
  await lab.clock.sleep(pauseMs);
  const resumed = Migration.resume(
    deps(lab, journal as MemoryJournal, { receiver: lab.b.asProject("proj-2") }),
    [...journal.records],
  );
  const state = await resumed.run();
  return { lab, v, data, state };
}

describe("crash and resume at every kill point", async () => {
  const points = await enumerateKillPoints(false);
  const cleanupPoints = await enumerateKillPoints(true);

  it("enumerates before and after for every step, and during for every wait", () => {
    for (const s of STEP_NAMES.filter((x) => x !== "cleanup" && x !== "transfer")) {
      expect(points).toContain(`${s}:before`);
      expect(points).toContain(`${s}:acted`);
      expect(points).toContain(`${s}:after`);
    }
    for (const s of ["wait-backup", "wait-import", "wait-volume", "wait-restore"])
      expect(points).toContain(`${s}:during`);
    expect(cleanupPoints).toContain("cleanup:during");
    for (const s of ["transfer", "cleanup"]) {
      for (const phase of ["before", "acted", "after"]) expect(cleanupPoints).toContain(`${s}:${phase}`);
    }
  });

  for (const pauseMs of [0, 60_000]) {
    it.each(points)(`%s (resume after ${pauseMs / 1000} s)`, async (point) => {
      const { lab, v, data, state } = await crashAndResume(point, false, pauseMs);
      const vs = state.volumes.get(v.id);
      expect(vs?.outcome, vs?.reason).toBe("migrated");
      expect(lab.a.backups.size).toBe(1);
      expect(lab.b.backups.size).toBe(1);
      expect([...lab.a.backups.keys()]).toEqual([...lab.b.backups.keys()]);
      const targets = [...lab.b.volumes.values()];
      expect(targets).toHaveLength(1);
      expect(targets[0]?.data.equals(data)).toBe(true);
      expect(targets[0]?.name).toBe("victim");
      expect(vs?.facts.sourceDigest?.sha256).toBe(vs?.facts.targetDigest?.sha256);
      expect(lab.a.volumes.get(v.id)?.status).toBe("available");
    });
  }

  it.each(cleanupPoints.filter((p) => /^(verify|transfer|cleanup):/.test(p)))(
    "with --to-project and --cleanup: %s leaves no backup anywhere and the volume in the project",
    async (point) => {
      const { lab, v, state } = await crashAndResume(point, true, 0);
      expect(state.volumes.get(v.id)?.outcome).toBe("migrated");
      expect(lab.a.backups.size + lab.b.backups.size).toBe(0);
      expect(lab.backupCeph.pool("backups").size).toBe(0);
      expect(lab.b.volumes.size).toBe(1);
      expect([...lab.b.volumes.values()][0]?.projectId).toBe("proj-2");
      expect(lab.b.transfers.size).toBe(0);
    },
  );
});
