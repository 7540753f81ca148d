// Each exercise played in a lab in this process: the planted fault is there, a right recovery
// passes the check and a wrong one fails it with the problem named. Recoveries go through the
// model with an admin context, as the cinder CLI would through the API.
import { afterEach, describe, expect, it } from "vitest";
import {
  adminContext,
  collectLabState,
  EXERCISES,
  findExercise,
  labIdle,
  runSetup,
  type SetupResult,
  SOURCE_VOLUME_NAME,
} from "../../src/exercises/index.js";
import { type Lab, startLab } from "../../src/lab.js";

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

async function plant(name: string): Promise<{ lab: Lab; made: SetupResult }> {
  lab = await startLab({ serveRbd: false, delayMs: 2 });
  const made = await runSetup(lab, findExercise(name).setup);
  return { lab, made };
}

async function check(name: string, l: Lab): Promise<string[]> {
  return findExercise(name).check(await collectLabState(l));
}

/** The operator's moves, through the model as the API would make them. */
function operator(l: Lab) {
  const a = l.cluster("a");
  const b = l.cluster("b");
  const ctxA = adminContext(a);
  const ctxB = adminContext(b);
  const sourceId = () => {
    const v = a.cloud.listVolumes(ctxA).find((x) => x.name === SOURCE_VOLUME_NAME);
    if (!v) throw new Error("no source volume");
    return v.id;
  };
  const op = {
    a,
    b,
    ctxA,
    ctxB,
    sourceId,
    idle: () => labIdle(l),
    async backup(force = false) {
      const id = a.cloud.createBackup(ctxA, { volumeId: sourceId(), force }).id;
      await op.idle();
      return id;
    },
    async importIntoB(backupId: string) {
      const record = a.cloud.exportRecord(ctxA, backupId);
      b.cloud.importRecord(ctxB, record.backupService, record.backupUrl);
      await op.idle();
    },
    async restoreIntoNew(backupId: string, sizeGiB = 1) {
      const target = b.cloud.createVolume(ctxB, { size: sizeGiB, name: "pg-data-restored-2" });
      await op.idle();
      b.cloud.restoreBackup(ctxB, backupId, { volumeId: target.id });
      await op.idle();
      return target.id;
    },
    async migrate(sizeGiB = 1, force = false) {
      const id = await op.backup(force);
      await op.importIntoB(id);
      await op.restoreIntoNew(id, sizeGiB);
    },
  };
  return op;
}

describe("every exercise", () => {
  it.each(EXERCISES.map((e) => e.name))("%s: the planted state fails the check", async (name) => {
    const { lab: l } = await plant(name);
    expect(await check(name, l)).not.toEqual([]);
  });

  it("a migration run without faults passes the same check", async () => {
    lab = await startLab({ serveRbd: false, delayMs: 2 });
    await runSetup(lab, [{ kind: "source", sizeGiB: 1 }]);
    await operator(lab).migrate();
    expect(await check("restore-error", lab)).toEqual([]);
  });
});

describe("restore-error", () => {
  it("right: delete the failed target, restore again into a new volume", async () => {
    const { lab: l, made } = await plant("restore-error");
    const op = operator(l);
    expect(op.b.cloud.getVolume(op.ctxB, made.targetId ?? "").status).toBe("error_restoring");
    op.b.cloud.deleteVolume(op.ctxB, made.targetId ?? "");
    await op.idle();
    await op.restoreIntoNew(made.backupId ?? "");
    expect(await check("restore-error", l)).toEqual([]);
  });

  it("wrong: reset the target to available and call it done", async () => {
    const { lab: l, made } = await plant("restore-error");
    const op = operator(l);
    op.b.cloud.resetVolumeStatus(op.ctxB, made.targetId ?? "", { status: "available" });
    await op.idle();
    expect(await check("restore-error", l)).toEqual([
      "no available volume in B holds the data of pg-data",
      `volume ${made.targetId} (pg-data-restored) in B does not hold the data of pg-data: restore into it or delete it`,
    ]);
  });
});

describe("imported-twice", () => {
  it("right: the first import is the backup to restore", async () => {
    const { lab: l, made } = await plant("imported-twice");
    const op = operator(l);
    await expect(op.importIntoB(made.backupId ?? "")).rejects.toThrow("Backup already exists in database.");
    await op.restoreIntoNew(made.backupId ?? "");
    expect(await check("imported-twice", l)).toEqual([]);
  });

  it("wrong: delete the import in B and import again (the shared data goes with it)", async () => {
    const { lab: l, made } = await plant("imported-twice");
    const op = operator(l);
    op.b.cloud.deleteBackup(op.ctxB, made.backupId ?? "");
    await op.idle();
    await op.importIntoB(made.backupId ?? "");
    await op.restoreIntoNew(made.backupId ?? "");
    const problems = await check("imported-twice", l);
    expect(problems).toContainEqual(expect.stringMatching(/in B is error_restoring/));
    expect(problems).toContainEqual("A has no available backup of pg-data whose data is in pool backups");
  });
});

describe("target-too-small", () => {
  it("right: extend the target to the backup's size and restore", async () => {
    const { lab: l, made } = await plant("target-too-small");
    const op = operator(l);
    expect(() =>
      op.b.cloud.restoreBackup(op.ctxB, made.backupId ?? "", { volumeId: made.targetId ?? "" }),
    ).toThrow("volume size 1 is too small to restore backup of size 2.");
    op.b.cloud.extendVolume(op.ctxB, made.targetId ?? "", 2);
    await op.idle();
    op.b.cloud.restoreBackup(op.ctxB, made.backupId ?? "", { volumeId: made.targetId ?? "" });
    await op.idle();
    expect(await check("target-too-small", l)).toEqual([]);
  });

  it("wrong: restore into a new volume and leave the small one behind", async () => {
    const { lab: l, made } = await plant("target-too-small");
    const op = operator(l);
    await op.restoreIntoNew(made.backupId ?? "", 2);
    expect(await check("target-too-small", l)).toEqual([
      `volume ${made.targetId} (pg-data-restored) in B does not hold the data of pg-data: restore into it or delete it`,
    ]);
  });
});

describe("in-use-source", () => {
  it("right: detach, then migrate", async () => {
    const { lab: l, made } = await plant("in-use-source");
    const op = operator(l);
    await expect(op.backup()).rejects.toThrow("Backing up an in-use volume must use the force flag.");
    op.a.cloud.deleteAttachment(op.ctxA, made.attachmentId ?? "");
    await op.migrate();
    expect(await check("in-use-source", l)).toEqual([]);
  });

  it("wrong: reset the source to available without detaching", async () => {
    const { lab: l } = await plant("in-use-source");
    const op = operator(l);
    op.a.cloud.resetVolumeStatus(op.ctxA, op.sourceId(), { status: "available" });
    await op.migrate();
    expect(await check("in-use-source", l)).toEqual([
      expect.stringMatching(/\(pg-data\) in A says available but is still attached to server/),
    ]);
  });

  it("wrong: force the backup of the attached volume", async () => {
    const { lab: l } = await plant("in-use-source");
    await operator(l).migrate(1, true);
    expect(await check("in-use-source", l)).toEqual([
      expect.stringMatching(/\(pg-data\) in A is still attached: the procedure backs up a detached volume/),
    ]);
  });
});

describe("backup-service-down-b", () => {
  it("right: start B's backup service, then import and restore", async () => {
    const { lab: l, made } = await plant("backup-service-down-b");
    const op = operator(l);
    await expect(op.importIntoB(made.backupId ?? "")).rejects.toThrow("could not be found");
    op.b.cloud.setServiceState("cinder-backup", undefined, { up: true });
    await op.importIntoB(made.backupId ?? "");
    await op.restoreIntoNew(made.backupId ?? "");
    expect(await check("backup-service-down-b", l)).toEqual([]);
  });

  it("wrong: enable the service (it is enabled, but down) and give up on B", async () => {
    const { lab: l, made } = await plant("backup-service-down-b");
    const op = operator(l);
    op.b.cloud.setServiceState("cinder-backup", undefined, { enabled: true });
    await expect(op.importIntoB(made.backupId ?? "")).rejects.toThrow("could not be found");
    expect(await check("backup-service-down-b", l)).toEqual([
      "cinder-backup on b-controller (B) is down/enabled",
      "no available volume in B holds the data of pg-data",
    ]);
  });
});

describe("deleted-imported-backup", () => {
  it("right: drop A's emptied backup, take a new one and migrate it", async () => {
    const { lab: l, made } = await plant("deleted-imported-backup");
    const op = operator(l);
    op.a.cloud.deleteBackup(op.ctxA, made.backupId ?? "");
    await op.idle();
    await op.migrate();
    expect(await check("deleted-imported-backup", l)).toEqual([]);
  });

  it("wrong: import the old record again and restore it", async () => {
    const { lab: l, made } = await plant("deleted-imported-backup");
    const op = operator(l);
    await op.importIntoB(made.backupId ?? "");
    await op.restoreIntoNew(made.backupId ?? "");
    const problems = await check("deleted-imported-backup", l);
    expect(problems).toContainEqual(expect.stringMatching(/in B is error_restoring/));
    expect(problems).toContainEqual(
      expect.stringMatching(`backup ${made.backupId} in B is listed as available but its data is gone`),
    );
  });
});
