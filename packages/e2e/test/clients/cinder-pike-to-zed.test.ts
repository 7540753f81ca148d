// The migration older operator guides describe: cluster A still runs the pre-Train
// ceph backup driver (Pike: every backup of a volume on `volume-<vid>.backup.base`,
// no service_metadata, backup_service `cinder.backup.drivers.ceph`), cluster B runs
// Zed. The real `cinder` CLI moves two backups of one volume; B restores the later
// one from the legacy base and the bytes must match.
import { Buffer } from "node:buffer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeLab } from "../../src/harness/lab.js";
import { patternBytes, sha256OfVolume, writeVolumeBytes } from "../../src/harness/volume-data.js";
import { CinderCli } from "./cinder-cli.js";

const MiB = 1024 ** 2;

describe("real cinder CLI: from a Pike-profile cluster A to a Zed cluster B", () => {
  let lab: FakeLab;
  let a: CinderCli;
  let b: CinderCli;

  beforeAll(async () => {
    lab = await FakeLab.start({ extraArgs: ["--release-a", "pike", "--release-b", "zed"] });
    a = new CinderCli(lab.openrc("a", "admin"), "cluster A (pike)");
    b = new CinderCli(lab.openrc("b", "admin"), "cluster B (zed)");
  });
  afterAll(async () => {
    await lab?.close();
  });

  it("restores in B from the legacy base image, with the same bytes", { timeout: 180_000 }, async () => {
    const vid = (await a.props("create", "--name", "old-src", "1")).id ?? "";
    await lab.waitStatus("a", "volume", vid, "available");
    const rbd = await lab.rbd();
    const source = lab.volumeImage("a", vid);
    await writeVolumeBytes(rbd, source, [{ offset: 8 * MiB, data: patternBytes(MiB, 11) }]);
    const first = (await a.props("backup-create", "--name", "old-1", vid)).id ?? "";
    await lab.waitStatus("a", "backup", first, "available");
    await lab.waitStatus("a", "volume", vid, "available");

    await writeVolumeBytes(rbd, source, [{ offset: 900 * MiB, data: patternBytes(MiB, 12) }]);
    const sourceSha = sha256OfVolume(rbd, source);
    sourceSha.catch(() => undefined);
    const second = (await a.props("backup-create", "--name", "old-2", vid)).id ?? "";
    await lab.waitStatus("a", "backup", second, "available");

    // Pike keeps every backup of the volume on one base image
    const images = await rbd.listImages(lab.description.backupPool, lab.description.backupCluster);
    expect(images.filter((name) => name.startsWith(`volume-${vid}.`))).toEqual([`volume-${vid}.backup.base`]);

    const records = [];
    for (const id of [first, second]) {
      const r = await a.props("backup-export", id);
      expect(r.backup_service).toBe("cinder.backup.drivers.ceph");
      const decoded = JSON.parse(Buffer.from(r.backup_url ?? "", "base64").toString("utf8")) as Record<
        string,
        unknown
      >;
      expect(decoded).toMatchObject({ id, volume_id: vid, service_metadata: null });
      records.push({ service: r.backup_service ?? "", url: r.backup_url ?? "" });
    }

    // Zed's import matches the service by prefix, so the Pike record is accepted
    for (const r of records) await b.ok("backup-import", r.service, r.url);
    await lab.waitStatus("b", "backup", first, "available");
    const imported = await lab.waitStatus("b", "backup", second, "available");
    expect(imported.volume_id).toBe(vid);

    const target = (await b.props("create", "--name", "new-target", "1")).id ?? "";
    await lab.waitStatus("b", "volume", target, "available");
    await b.ok("backup-restore", "--volume", target, second);
    await lab.waitStatus("b", "volume", target, "available", { abortOn: ["error", "error_restoring"] });
    expect(await sha256OfVolume(rbd, lab.volumeImage("b", target))).toBe(await sourceSha);
  });
});
