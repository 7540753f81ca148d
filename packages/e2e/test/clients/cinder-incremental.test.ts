// An incremental chain crossing clusters, with the real `cinder` CLI: a full backup,
// new bytes, an incremental on top (Cinder keeps it on the parent's base image in the
// shared backup pool); both records exported from A and imported into B, parent
// first; the incremental restored in B must hold the bytes of its point in time.
import { Buffer } from "node:buffer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeLab } from "../../src/harness/lab.js";
import { patternBytes, sha256OfVolume, writeVolumeBytes } from "../../src/harness/volume-data.js";
import { CinderCli, UUID } from "./cinder-cli.js";

const MiB = 1024 ** 2;

describe("real cinder CLI: an incremental backup chain moved from A to B", () => {
  let lab: FakeLab;
  let a: CinderCli;
  let b: CinderCli;

  beforeAll(async () => {
    lab = await FakeLab.start();
    a = new CinderCli(lab.openrc("a", "admin"), "cluster A");
    b = new CinderCli(lab.openrc("b", "admin"), "cluster B");
  });
  afterAll(async () => {
    await lab?.close();
  });

  it("restores the incremental's point in time in B", { timeout: 180_000 }, async () => {
    const vid = (await a.props("create", "--name", "chain-src", "1")).id ?? "";
    await lab.waitStatus("a", "volume", vid, "available");
    const rbd = await lab.rbd();
    const source = lab.volumeImage("a", vid);
    await writeVolumeBytes(rbd, source, [{ offset: 0, data: patternBytes(2 * MiB, 1) }]);

    const full = (await a.props("backup-create", "--name", "chain-full", vid)).id ?? "";
    await lab.waitStatus("a", "backup", full, "available");
    await lab.waitStatus("a", "volume", vid, "available");

    // the second point in time: one region overwritten, one added
    await writeVolumeBytes(rbd, source, [
      { offset: MiB, data: patternBytes(64 * 1024, 2) },
      { offset: 700 * MiB, data: patternBytes(MiB, 3) },
    ]);
    const sourceSha = sha256OfVolume(rbd, source);
    sourceSha.catch(() => undefined);

    const incr = (await a.props("backup-create", "--incremental", "--name", "chain-incr", vid)).id ?? "";
    expect(incr).toMatch(UUID);
    const incrShown = await a.waitStatus("backup-show", incr, "available");
    expect(incrShown).toMatchObject({ is_incremental: "True", has_dependent_backups: "False" });
    expect(await a.props("backup-show", full)).toMatchObject({
      is_incremental: "False",
      has_dependent_backups: "True",
    });

    const records = [];
    for (const id of [full, incr]) {
      const r = await a.props("backup-export", id);
      records.push({ service: r.backup_service ?? "", url: r.backup_url ?? "" });
    }
    const incrRecord = JSON.parse(Buffer.from(records[1]?.url ?? "", "base64").toString("utf8")) as Record<
      string,
      unknown
    >;
    expect(incrRecord).toMatchObject({ id: incr, parent_id: full, volume_id: vid });
    // both backups live on the full backup's base image
    expect(incrRecord.service_metadata).toBe(`{"base": "volume-${vid}.backup.${full}"}`);

    for (const r of records) await b.ok("backup-import", r.service, r.url);
    await lab.waitStatus("b", "backup", full, "available");
    await lab.waitStatus("b", "backup", incr, "available");
    expect(await b.props("backup-show", incr)).toMatchObject({ is_incremental: "True", volume_id: vid });

    const target = (await b.props("create", "--name", "chain-target", "1")).id ?? "";
    await lab.waitStatus("b", "volume", target, "available");
    await b.ok("backup-restore", "--volume", target, incr);
    await lab.waitStatus("b", "volume", target, "available", { abortOn: ["error", "error_restoring"] });
    expect(await sha256OfVolume(rbd, lab.volumeImage("b", target))).toBe(await sourceSha);
  });
});
