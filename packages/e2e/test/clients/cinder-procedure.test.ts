// The cross-cluster procedure with the real `cinder` CLI (python-cinderclient 9.1.0),
// password auth through each cluster's fake Keystone, exactly as an operator runs it
// against two Cinder 21 deployments sharing one backup Ceph: back up in A, export the
// record, import it in B, restore into a new volume, and compare the bytes.
import { Buffer } from "node:buffer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeLab } from "../../src/harness/lab.js";
import { patternBytes, sha256OfVolume, writeVolumeBytes } from "../../src/harness/volume-data.js";
import { CinderCli, UUID } from "./cinder-cli.js";

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

describe("real cinder CLI: cross-cluster backup, export, import, restore (Keystone password auth)", () => {
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

  it("the openrc is a Keystone v3 password openrc the CLI can use as is", () => {
    const env = lab.openrc("a", "admin");
    expect(env.OS_AUTH_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v3\/?$/);
    expect(env.OS_USERNAME).toBeTruthy();
    expect(env.OS_PASSWORD).toBeTruthy();
    expect(env.OS_AUTH_TYPE ?? "password").toBe("password");
  });

  it("moves a volume's bytes from A to B and they hash the same", { timeout: 180_000 }, async () => {
    const created = await a.props("create", "--name", "src-1g", "--description", "cross-cluster source", "1");
    const vid = created.id ?? "";
    expect(vid).toMatch(UUID);
    expect(created.name).toBe("src-1g");
    expect(created.size).toBe("1");
    expect(["creating", "available"]).toContain(created.status);
    await lab.waitStatus("a", "volume", vid, "available");

    const writes = [
      { offset: 0, data: patternBytes(1 * MiB, 42) },
      { offset: 300 * MiB + 4096, data: patternBytes(64 * 1024, 43) },
      { offset: GiB - 4096, data: patternBytes(4096, 44) },
    ];
    const rbd = await lab.rbd();
    const source = lab.volumeImage("a", vid);
    await writeVolumeBytes(rbd, source, writes);
    for (const w of writes) {
      expect(Buffer.from(await rbd.readImage(source, w.offset, w.data.length)).equals(w.data)).toBe(true);
    }
    // hashing a whole GiB takes seconds: let it run while the CLI steps go on
    const sourceSha = sha256OfVolume(rbd, source);
    sourceSha.catch(() => undefined);

    const backup = await a.props("backup-create", "--name", "bk-src-1g", vid);
    const bid = backup.id ?? "";
    expect(bid).toMatch(UUID);
    expect(backup.volume_id).toBe(vid);
    expect(backup.name).toBe("bk-src-1g");

    const available = await a.waitStatus("backup-show", bid, "available");
    expect(available).toMatchObject({
      id: bid,
      name: "bk-src-1g",
      volume_id: vid,
      size: "1",
      object_count: "0",
      container: lab.description.backupPool,
      is_incremental: "False",
      has_dependent_backups: "False",
      fail_reason: "None",
    });
    // the volume is back to available once its backup is done
    await lab.waitStatus("a", "volume", vid, "available");
    const listed = await a.list("backup-list");
    expect(listed.find((row) => row.ID === bid)).toMatchObject({ "Volume ID": vid, Status: "available" });

    const record = await a.props("backup-export", bid);
    expect(record.backup_service).toBe("cinder.backup.drivers.ceph.CephBackupDriver");
    const url = record.backup_url ?? "";
    const decoded = JSON.parse(Buffer.from(url, "base64").toString("utf8")) as Record<string, unknown>;
    expect(decoded).toMatchObject({
      id: bid,
      volume_id: vid,
      size: 1,
      display_name: "bk-src-1g",
      status: "available",
      container: lab.description.backupPool,
      // written by Python's json.dumps: ", " and ": " separators
      service_metadata: `{"base": "volume-${vid}.backup.${bid}"}`,
      driver_info: {},
      deleted: false,
    });
    expect(decoded.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const imported = await b.props("backup-import", record.backup_service ?? "", url);
    expect(imported).toEqual({ id: bid, name: "None" });
    const inB = await b.waitStatus("backup-show", bid, "available");
    expect(inB).toMatchObject({ id: bid, volume_id: vid, size: "1", name: "bk-src-1g", status: "available" });

    const target = await b.props("create", "--name", "restore-target-1g", "1");
    const tvid = target.id ?? "";
    expect(tvid).toMatch(UUID);
    await lab.waitStatus("b", "volume", tvid, "available");

    const restore = await b.props("backup-restore", "--volume", tvid, bid);
    expect(restore).toEqual({ backup_id: bid, volume_id: tvid, volume_name: "restore-target-1g" });
    const restored = await b.waitStatus("show", tvid, "available", ["error", "error_restoring"]);
    expect(restored.size).toBe("1");
    await lab.waitStatus("b", "backup", bid, "available");

    const targetSha = await sha256OfVolume(rbd, lab.volumeImage("b", tvid));
    expect(targetSha).toBe(await sourceSha);

    // Without --volume Cinder creates `restore_backup_<bid>` of the backup's size, and
    // the restore renames it after the source volume (its name is in the backup's metadata).
    const fresh = await b.props("backup-restore", bid);
    expect(fresh.backup_id).toBe(bid);
    expect(fresh.volume_id).toMatch(UUID);
    expect(fresh.volume_name).toBe(`restore_backup_${bid}`);
    await lab.waitStatus("b", "volume", fresh.volume_id ?? "", "available", {
      abortOn: ["error", "error_restoring"],
    });
    expect(await b.props("show", fresh.volume_id ?? "")).toMatchObject({
      name: "src-1g",
      description: "cross-cluster source",
      size: "1",
      status: "available",
    });
    expect(await sha256OfVolume(rbd, lab.volumeImage("b", fresh.volume_id ?? ""))).toBe(await sourceSha);
  });
});
