// Failures injected through the fake lab's own fault controls, seen through HTTP by the
// real CLI: each volume either recovers or stops with a clear reason while the others go
// on, and the source volumes are untouched. Tokens live 2 s, so the run re-authenticates.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbeddedLab, pattern, seedVolume, startEmbeddedLab } from "../src/lab/embedded.js";
import type { MigrationReport } from "../src/report/report.js";
import { cli } from "./support/cli.js";

let lab: EmbeddedLab;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cm-faults-"));
  lab = await startEmbeddedLab(dir, { delayMs: 300, tokenTtlMs: 2000 });
});
afterAll(async () => lab?.close());

describe("faults injected in the lab", () => {
  it("recovers from 503 bursts and token expiry; stops only the volumes whose backup, import or restore failed", async () => {
    const names = ["ok-1", "backup-fails", "restore-fails", "import-stalls", "ok-2"];
    const vols = [];
    for (const [i, name] of names.entries()) {
      vols.push(
        await seedVolume(lab, "a", { name, size: 1, writes: [{ offset: 0, data: pattern(i, 10_000) }] }),
      );
    }
    const [, backupFails, restoreFails, importStalls] = vols;
    const a = lab.lab.cluster("a");
    const b = lab.lab.cluster("b");
    a.faults.add({
      operation: "backup.create",
      volumeId: backupFails?.id,
      count: 1,
      action: { kind: "fail", failReason: "An unknown exception occurred." },
    });
    a.faults.add({ operation: "backup.create", count: 2, action: { kind: "http", status: 503 } });
    b.faults.add({ operation: "backup.import", count: 2, action: { kind: "http", status: 503 } });
    const sourceBefore = vols.map((v) => ({
      ...a.cloud.getVolume({ projectId: a.projectId, userId: a.admin.id, isAdmin: true }, v.id),
    }));
    // faults that need backup ids are added the moment those backups appear in A
    const ctxA = { projectId: a.projectId, userId: a.admin.id, isAdmin: true };
    const added = new Promise<void>((resolve) => {
      const off = a.cloud.on("change", () => {
        const backups = a.cloud.listBackups(ctxA, {});
        const r = backups.find((x) => x.volumeId === restoreFails?.id);
        const s = backups.find((x) => x.volumeId === importStalls?.id);
        if (!r || !s) return;
        off();
        b.faults.add({
          operation: "backup.restore",
          backupId: r.id,
          action: { kind: "fail", failReason: "restore failed" },
        });
        b.faults.add({ operation: "backup.import", backupId: s.id, action: { kind: "stall" } });
        resolve();
      });
    });
    const run = cli([
      "run",
      ...lab.args.slice(0, lab.args.indexOf("--rbd-bin")),
      "--state-dir",
      dir,
      "--run-id",
      "faults",
      "--parallel",
      "5",
      "--poll-min",
      "50",
      "--wait-timeout",
      "8",
      "--output",
      "json",
      ...vols.map((v) => v.id),
    ]);
    await added;
    const r = await run;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^cinder-migrate: 3 of 5 volumes did not migrate \(run faults\)/);
    const report = JSON.parse(readFileSync(join(dir, "faults.report.json"), "utf8")) as MigrationReport;
    const by = (name: string) => report.volumes.find((v) => v.name === name);
    expect(by("ok-1")?.outcome).toBe("migrated");
    expect(by("ok-2")?.outcome).toBe("migrated");
    expect(by("backup-fails")?.reason).toMatch(
      /^wait-backup: backup .* failed in .*a-admin.openrc: An unknown exception occurred\.$/,
    );
    expect(by("restore-fails")?.reason).toMatch(
      /^wait-restore: restore of backup .* failed in .*b-admin.openrc \(volume error_restoring\)$/,
    );
    expect(by("import-stalls")?.reason).toMatch(
      /^wait-import: imported backup .* did not finish within 8 s \(last status creating\)$/,
    );
    // what the failed volumes left behind is listed with its cleanup command
    expect(
      report.leftBehind
        .filter((o) => o.volume === restoreFails?.id)
        .map((o) => o.kind)
        .sort(),
    ).toEqual(["backup", "volume"]);
    // the sources are as they were
    vols.forEach((v, i) => {
      const now = a.cloud.getVolume(ctxA, v.id);
      expect(now.status).toBe(sourceBefore[i]?.status);
      expect(now.name).toBe(sourceBefore[i]?.name);
    });
    // the run outlived several 2 s tokens
    expect(Date.parse(report.finishedAt) - Date.parse(report.startedAt)).toBeGreaterThan(4000);
  });
});
