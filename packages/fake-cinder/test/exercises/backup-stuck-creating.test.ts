// backup-stuck-creating: A's backup of pg-data never leaves `creating`. The way out on Cinder 21 is
// restarting cinder-backup (its startup cleanup errors the backup and frees the volume), then
// deleting the errored backup and backing up again; resetting statuses by hand leaves it stuck.
import { afterEach, describe, expect, it } from "vitest";
import {
  adminContext,
  briefing,
  collectLabState,
  findExercise,
  labIdle,
  runSetup,
  type SetupResult,
  SOURCE_VOLUME_NAME,
} from "../../src/exercises/index.js";
import { type Lab, startLab } from "../../src/lab.js";

const NAME = "backup-stuck-creating";

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

async function plant(): Promise<{ l: Lab; made: SetupResult }> {
  lab = await startLab({ serveRbd: false, delayMs: 2 });
  return { l: lab, made: await runSetup(lab, findExercise(NAME).setup) };
}

const check = async (l: Lab) => findExercise(NAME).check(await collectLabState(l));

/** the rest of the procedure, through the model as the cinder CLI would go through the API */
async function migrate(l: Lab, sourceId: string): Promise<void> {
  const a = l.cluster("a");
  const b = l.cluster("b");
  const ctxA = adminContext(a);
  const ctxB = adminContext(b);
  const backupId = a.cloud.createBackup(ctxA, { volumeId: sourceId }).id;
  await labIdle(l);
  const record = a.cloud.exportRecord(ctxA, backupId);
  b.cloud.importRecord(ctxB, record.backupService, record.backupUrl);
  await labIdle(l);
  const target = b.cloud.createVolume(ctxB, { size: 1, name: "pg-data-restored" });
  await labIdle(l);
  b.cloud.restoreBackup(ctxB, backupId, { volumeId: target.id });
  await labIdle(l);
}

describe(NAME, () => {
  it("plants a backup in creating and pg-data in backing-up, which the check names", async () => {
    const { l, made } = await plant();
    const a = l.cluster("a");
    const ctxA = adminContext(a);
    expect(a.cloud.getBackup(ctxA, made.backupId ?? "").status).toBe("creating");
    expect(a.cloud.getVolume(ctxA, made.sourceId ?? "")).toMatchObject({
      name: SOURCE_VOLUME_NAME,
      status: "backing-up",
    });
    expect(() => a.cloud.deleteBackup(ctxA, made.backupId ?? "")).toThrow(
      "Invalid backup: Backup status must be available or error",
    );
    expect(await check(l)).toContainEqual(`backup ${made.backupId} in A is creating`);
  });

  it("right: restart cinder-backup on A (as the briefing shows), delete the errored backup, migrate", async () => {
    const { l, made } = await plant();
    const a = l.cluster("a");
    const ctxA = adminContext(a);
    const lines = briefing(findExercise(NAME), { noauth: { a: a.noauthUrl, b: l.cluster("b").noauthUrl } });
    expect(lines).toContain(
      `#   A: curl -s -X POST ${a.noauthUrl}/_fake/services/restart -H 'Content-Type: application/json' -d '{"binary":"cinder-backup"}'`,
    );
    const res = await fetch(`${a.noauthUrl}/_fake/services/restart`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ binary: "cinder-backup" }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      cleaned: [{ backupId: made.backupId, from: "creating", to: "error", problem: null }],
    });
    expect(a.cloud.getBackup(ctxA, made.backupId ?? "").failReason).toBe(
      "incomplete backup reset on manager restart",
    );
    expect(a.cloud.getVolume(ctxA, made.sourceId ?? "").status).toBe("available");
    a.cloud.deleteBackup(ctxA, made.backupId ?? "");
    await labIdle(l);
    await migrate(l, made.sourceId ?? "");
    expect(await check(l)).toEqual([]);
  });

  it("wrong: restart, but keep the errored backup next to the new one", async () => {
    const { l, made } = await plant();
    l.cluster("a").cloud.restartService("cinder-backup");
    await migrate(l, made.sourceId ?? "");
    expect(await check(l)).toEqual([
      `backup ${made.backupId} in A is error (fail_reason: incomplete backup reset on manager restart)`,
    ]);
  });

  it("wrong: backup-reset-state only (the manager never took the backup, so it stays creating)", async () => {
    const { l, made } = await plant();
    const a = l.cluster("a");
    const ctxA = adminContext(a);
    a.cloud.resetBackupStatus(ctxA, made.backupId ?? "", "error");
    await labIdle(l);
    const problems = await check(l);
    expect(problems).toContainEqual(`backup ${made.backupId} in A is creating`);
    expect(problems).toContainEqual(`volume ${made.sourceId} (pg-data) in A is backing-up`);
  });

  it("wrong: reset pg-data to available, migrate, and leave the stuck backup", async () => {
    const { l, made } = await plant();
    const a = l.cluster("a");
    a.cloud.resetVolumeStatus(adminContext(a), made.sourceId ?? "", { status: "available" });
    await labIdle(l);
    await migrate(l, made.sourceId ?? "");
    expect(await check(l)).toEqual([`backup ${made.backupId} in A is creating`]);
  });
});
