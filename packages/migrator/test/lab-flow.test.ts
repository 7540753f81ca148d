// The migrator as an operator runs it (a separate process, openrc files, fake-rbd through
// a ceph.conf per cluster) against the fake lab: the full flow with verified bytes,
// incremental, cleanup, and the one-line errors for bad input.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DiffParser } from "../src/ceph/diff-parser.js";
import { ImageHasher } from "../src/ceph/digest.js";
import { type EmbeddedLab, pattern, seedVolume, startEmbeddedLab, writeVolume } from "../src/lab/embedded.js";
import type { MigrationReport } from "../src/report/report.js";
import { cli } from "./support/cli.js";

const MiB = 1024 * 1024;
let lab: EmbeddedLab;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cm-flow-"));
  lab = await startEmbeddedLab(dir, { delayMs: 30 });
});
afterAll(async () => lab?.close());

/** Digest of A's source image read straight from the fake Ceph: independent of the migrator's comparison. */
async function sourceDigest(volumeId: string, size: number): Promise<string> {
  const a = lab.lab.cluster("a");
  const stream = await lab.lab.rbd.exportDiff({
    cluster: a.rbdCluster,
    pool: a.volumePool,
    image: `volume-${volumeId}`,
  });
  const parser = new DiffParser();
  const hasher = new ImageHasher(size * 1024 ** 3);
  for await (const chunk of stream) parser.push(chunk as Buffer, (e) => hasher.event(e));
  parser.finish();
  return hasher.result().sha256;
}

const report = (runId: string) =>
  JSON.parse(readFileSync(join(dir, `${runId}.report.json`), "utf8")) as MigrationReport;

describe("cinder-migrate against the fake lab", () => {
  it("migrates volumes of mixed sizes with data patterns; every checksum equals the source's", async () => {
    const vols = [
      await seedVolume(lab, "a", {
        name: "flow-1",
        size: 1,
        metadata: { tier: "gold" },
        writes: [{ offset: 0, data: pattern(1, 2 * MiB) }],
      }),
      await seedVolume(lab, "a", {
        name: "flow-2",
        size: 2,
        writes: [{ offset: 1024 * MiB + 5, data: pattern(2, MiB) }],
      }),
      await seedVolume(lab, "a", { name: "flow-3", size: 1, writes: [] }),
    ];
    const r = await cli([
      "run",
      ...lab.args,
      "--state-dir",
      dir,
      "--run-id",
      "flow",
      "--parallel",
      "3",
      "--poll-min",
      "50",
      "--output",
      "json",
      ...vols.map((v) => v.id),
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const rep = report("flow");
    expect(rep.ok).toBe(true);
    for (const v of vols) {
      const vr = rep.volumes.find((x) => x.sourceVolumeId === v.id);
      expect(vr?.outcome).toBe("migrated");
      expect(vr?.verified).toBe(true);
      expect(vr?.checksums?.target).toBe(await sourceDigest(v.id, v.size));
      expect(vr?.ids.b.backup).toBe(vr?.ids.a.backup);
    }
    // JSON lines on stdout: events, then the report
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.event === "outcome")).toHaveLength(3);
    expect(lines.at(-1).event).toBe("report");
    // the target carries the source's name and metadata
    const b = lab.lab.cluster("b");
    const ctx = { projectId: b.projectId, userId: b.admin.id, isAdmin: true };
    const target = b.cloud.getVolume(ctx, rep.volumes[0]?.ids.b.volume ?? "");
    expect(target.name).toBe("flow-1");
    expect(target.metadata).toMatchObject({ tier: "gold" });
    // no password or token in the journal, the reports or the output
    const password = /OS_PASSWORD='([^']+)'/.exec(readFileSync(lab.openrc.a, "utf8"))?.[1] ?? "";
    expect(password.length).toBeGreaterThan(5);
    for (const text of [
      readFileSync(join(dir, "flow.jsonl"), "utf8"),
      readFileSync(join(dir, "flow.report.md"), "utf8"),
      r.stdout,
      r.stderr,
    ]) {
      expect(text).not.toContain(password);
      expect(text).not.toMatch(/x-auth-token|x-subject-token/i);
    }
    // status reads the same journal
    const s = await cli(["status", "flow", "--state-dir", dir]);
    expect(s.code).toBe(0);
    expect(s.stdout).toContain("**All volumes migrated**: 3/3 migrated");
  });

  it("does an incremental migration after a data change and restores the latest bytes, then cleans up both sides", async () => {
    const v = await seedVolume(lab, "a", {
      name: "inc",
      size: 1,
      writes: [{ offset: 0, data: pattern(7, MiB) }],
    });
    const common = [...lab.args, "--state-dir", dir, "--poll-min", "50", "--output", "json"];
    expect((await cli(["run", ...common, "--run-id", "inc-full", v.id])).code).toBe(0);
    await writeVolume(lab, "a", v.id, [{ offset: 512 * 1024, data: pattern(8, MiB) }]);
    const r = await cli(["run", ...common, "--run-id", "inc-2", "--incremental", "--cleanup", v.id]);
    expect(r.code, r.stderr).toBe(0);
    const vr = report("inc-2").volumes[0];
    expect(vr?.verified).toBe(true);
    expect(vr?.checksums?.target).toBe(await sourceDigest(v.id, 1));
    expect(vr?.checksums?.target).not.toBe(report("inc-full").volumes[0]?.checksums?.target);
    expect(report("inc-2").leftBehind).toEqual([]);
  });

  it("plans without changing anything and names what blocks", async () => {
    const v = await seedVolume(lab, "a", { name: "plan-me", size: 1, writes: [] });
    const r = await cli(["plan", ...lab.args, "--output", "json", "--type-map", "__DEFAULT__=gold", v.id]);
    expect(r.code).toBe(1);
    const plan = JSON.parse(r.stdout);
    // The flows above left backups on both sides, so each side's export record names its driver.
    expect(plan.backupDrivers).toEqual({
      a: "cinder.backup.drivers.ceph.CephBackupDriver",
      b: "cinder.backup.drivers.ceph.CephBackupDriver",
    });
    expect(plan.volumes[0].blockers).toEqual([
      `volume type "gold" does not exist in ${lab.openrc.b} (map it with --type-map __DEFAULT__=<type>)`,
    ]);
    const ok = await cli(["plan", ...lab.args, v.id]);
    expect(ok.stdout).toContain("Nothing blocks this migration.");
    expect(ok.code).toBe(0);
  });

  it("does the procedure step by step: backup, export to a file, import, restore, verify", async () => {
    const v = await seedVolume(lab, "a", {
      name: "manual",
      size: 1,
      writes: [{ offset: 8 * MiB, data: pattern(5, 3000) }],
    });
    const from = ["--from-openrc", lab.openrc.a];
    const to = ["--to-openrc", lab.openrc.b];
    const backup = await cli(["backup", ...from, "--wait", v.id]);
    expect(backup.code, backup.stderr).toBe(0);
    const bid = backup.stdout.trim();
    const file = join(dir, "record.json");
    expect((await cli(["export", ...from, bid, "--file", file])).code).toBe(0);
    const imported = await cli(["import", ...to, "--file", file, "--wait"]);
    expect(imported.stdout.trim()).toBe(bid);
    const restored = await cli(["restore", ...to, bid, "--wait"]);
    expect(restored.code, restored.stderr).toBe(0);
    const target = restored.stdout.trim();
    const ceph = lab.args.slice(lab.args.indexOf("--rbd-bin"));
    const verify = await cli([
      "verify",
      bid,
      "--source-volume",
      v.id,
      "--target-volume",
      target,
      "--size",
      "1",
      ...ceph,
    ]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/^EQUAL/);
  });

  it("says one clear line for bad input", async () => {
    const bad = join(dir, "bad-record.json");
    writeFileSync(bad, '{"backup_service": "x"}');
    const cases: [string[], RegExp][] = [
      [
        ["run", "--from-cloud", "nope", "--to-openrc", lab.openrc.b, "v"],
        /^cinder-migrate: unknown cloud "nope"/,
      ],
      [
        ["run", ...lab.args, "no-such-volume"],
        /^cinder-migrate: no volume with a name or id of "no-such-volume" in .*a-admin.openrc\n$/,
      ],
      [
        ["import", "--to-openrc", lab.openrc.b, "--file", bad],
        /^cinder-migrate: .*bad-record.json is not a backup record: backup_url/,
      ],
      [["resume", "nothing-here", "--state-dir", dir], /^cinder-migrate: no run "nothing-here"/],
      [
        ["run", "--from-openrc", lab.openrc.a, "--to-openrc", lab.openrc.a.replace("admin", "member"), "v"],
        /needs the admin role/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(" ")).toBeGreaterThan(0);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
