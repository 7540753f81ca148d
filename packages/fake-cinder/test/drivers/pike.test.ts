// The "pike" release profile: the ceph driver before Train put every backup of a volume on
// volume-<vid>.backup.base, diffing from the newest backup snapshot both sides share.
import { describe, expect, it } from "vitest";
import { decodeRecord } from "../../src/model/record.js";
import { ADMIN, imageSha256, MEMBER, MiB, makeLab, pattern } from "../model/lab.js";

describe("pike profile", () => {
  it("puts full and later backups on volume-<vid>.backup.base, without service_metadata", async () => {
    const lab = await makeLab({ releaseA: "pike" });
    const { a } = lab;
    const v = a.createVolume(MEMBER, { size: 1 });
    await lab.idle();
    await lab.rbdA.writeImage(a.volumeImageRef(v.id), 0, pattern(MiB, 1));
    const first = a.createBackup(MEMBER, { volumeId: v.id });
    await lab.idle();
    const base = `volume-${v.id}.backup.base`;
    expect(await lab.backupRbd.listImages("backups")).toEqual([base]);
    expect(a.getBackup(MEMBER, first.id)).toMatchObject({
      status: "available",
      serviceMetadata: null,
      parentId: null,
      service: "cinder.backup.drivers.ceph",
    });
    lab.clock.advance(60_000);
    await lab.rbdA.writeImage(a.volumeImageRef(v.id), 2 * MiB, pattern(MiB, 2));
    const second = a.createBackup(MEMBER, { volumeId: v.id });
    await lab.idle();
    expect(await lab.backupRbd.listImages("backups")).toEqual([base]);
    // Pike records the snapshot it diffed from as the parent
    expect(a.getBackup(MEMBER, second.id)).toMatchObject({ status: "available", parentId: first.id });
    expect(a.getBackup(MEMBER, first.id).numDependentBackups).toBe(1);
    const snaps = (await lab.backupRbd.listSnaps({ pool: "backups", image: base })).map(
      (s) => s.name.split(".")[1],
    );
    expect(snaps).toEqual([first.id, second.id]);
  });

  it("exports Pike's record shape; Zed B imports and restores the incremental, not the first full", async () => {
    const lab = await makeLab({ releaseA: "pike" });
    const { a, b } = lab;
    const v = a.createVolume(MEMBER, { size: 1, name: "old" });
    await lab.idle();
    const ref = a.volumeImageRef(v.id);
    await lab.rbdA.writeImage(ref, 0, pattern(MiB, 3));
    const first = a.createBackup(MEMBER, { volumeId: v.id });
    await lab.idle();
    lab.clock.advance(60_000);
    await lab.rbdA.writeImage(ref, 4 * MiB, pattern(MiB, 4));
    const second = a.createBackup(MEMBER, { volumeId: v.id });
    await lab.idle();
    const sha = await imageSha256(lab.rbdA, ref, 8 * MiB);

    const recs = [a.exportRecord(ADMIN, first.id), a.exportRecord(ADMIN, second.id)];
    const decoded = decodeRecord(recs[0]?.backupUrl) as Record<string, unknown>;
    expect(recs[0]?.backupService).toBe("cinder.backup.drivers.ceph");
    expect(decoded).not.toHaveProperty("encryption_key_id");
    expect(decoded.service_metadata).toBeNull();
    for (const r of recs) b.importRecord(ADMIN, r?.backupService ?? "", r?.backupUrl ?? "");
    await lab.idle();
    expect(b.getBackup(ADMIN, second.id)).toMatchObject({
      status: "available",
      parentId: first.id,
      serviceMetadata: null,
    });

    // the incremental: base from its parent (no service_metadata) = the legacy base → works
    const t2 = b.createVolume(ADMIN, { size: 1 });
    await lab.idle();
    b.restoreBackup(ADMIN, second.id, { volumeId: t2.id });
    await lab.idle();
    expect(b.getVolume(ADMIN, t2.id).status).toBe("available");
    expect(await imageSha256(lab.rbdB, b.volumeImageRef(t2.id), 8 * MiB)).toBe(sha);

    // the first (full) one: Zed's _diff_restore_rbd and _full_restore look for
    // volume-<vid>.backup.<bid> because it has neither service_metadata nor a parent
    const t1 = b.createVolume(ADMIN, { size: 1 });
    await lab.idle();
    b.restoreBackup(ADMIN, first.id, { volumeId: t1.id });
    await lab.idle();
    expect(b.getVolume(ADMIN, t1.id).status).toBe("error_restoring");
    expect(b.getBackup(ADMIN, first.id).status).toBe("available");
    expect(String(b.stepErrors.at(-1))).toContain(`volume-${v.id}.backup.${first.id}`);
  });

  it("restores a pike backup within the pike cluster from the legacy base", async () => {
    const lab = await makeLab({ releaseA: "pike" });
    const { a } = lab;
    const v = a.createVolume(MEMBER, { size: 1 });
    await lab.idle();
    await lab.rbdA.writeImage(a.volumeImageRef(v.id), MiB, pattern(4096, 5));
    const bk = a.createBackup(MEMBER, { volumeId: v.id });
    await lab.idle();
    const t = a.createVolume(MEMBER, { size: 1 });
    await lab.idle();
    a.restoreBackup(MEMBER, bk.id, { volumeId: t.id });
    await lab.idle();
    expect(a.getVolume(MEMBER, t.id).status).toBe("available");
    const bytes = await lab.rbdA.readImage(a.volumeImageRef(t.id), MiB, 4096);
    expect(Buffer.from(bytes).equals(Buffer.from(pattern(4096, 5)))).toBe(true);
    // deleting the only backup removes the legacy base
    a.deleteBackup(MEMBER, bk.id);
    await lab.idle();
    expect(await lab.backupRbd.listImages("backups")).toEqual([]);
  });
});
