// RbdCliBackend against a live real Ceph 16.2 (scripts/ceph/local-up.sh): the RbdBackend
// contract over the real rbd CLI. Writes and reads at offsets, snapshots, the
// export-diff | import-diff pipe between two pools (as Cinder's backup driver runs it),
// errors with real rbd's stderr and errno, and a failed export failing the import.
// Skipped where the Ceph binaries are missing, except under CI=true.
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImageRef } from "../src/backend.js";
import { RbdError } from "../src/model/index.js";
import { RbdCliBackend } from "../src/rbd-cli.js";
import { cephUnavailableReason, type LocalCeph, startLocalCeph } from "./helpers/ceph.js";

const unavailable = cephUnavailableReason();
const MiB = 1024 * 1024;

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

if (unavailable !== undefined && process.env.CI === "true") {
  describe("RbdCliBackend", () => {
    it("needs the Ceph binaries in CI", () => {
      throw new Error(unavailable);
    });
  });
}

describe.skipIf(unavailable !== undefined)("RbdCliBackend on a real Ceph", () => {
  let ceph: LocalCeph;
  let rbd: RbdCliBackend;
  const src: ImageRef = { cluster: "a", pool: "vols", image: "volume-1" };
  const dst: ImageRef = { cluster: "backup", pool: "backups", image: "volume-1.backup.base" };

  beforeAll(async () => {
    ceph = await startLocalCeph({ pools: ["vols", "backups"] });
    // two cluster names, one real cluster: how a lab maps its roles onto one Ceph
    rbd = new RbdCliBackend({ clusters: { a: { conf: ceph.conf }, backup: { conf: ceph.conf } } });
  }, 120_000);

  afterAll(async () => {
    await ceph?.stop();
  });

  it("creates, writes at offsets, reads back, and reports info and diff as rbd does", async () => {
    await rbd.createImage(src, { size: 16 * MiB });
    const data = randomBytes(8192);
    await rbd.writeImage(src, 4 * MiB + 512, data);
    expect(Buffer.from(await rbd.readImage(src, 4 * MiB + 512, 8192))).toEqual(data);
    // zeros written over data replace it (a write is a write, not a sparse skip)
    await rbd.writeImage(src, 4 * MiB + 512, new Uint8Array(4096));
    const back = Buffer.from(await rbd.readImage(src, 4 * MiB + 512, 8192));
    expect(back.subarray(0, 4096)).toEqual(Buffer.alloc(4096));
    expect(back.subarray(4096)).toEqual(data.subarray(4096));

    const info = await rbd.imageInfo(src);
    expect(info).toMatchObject({
      name: "volume-1",
      size: 16 * MiB,
      order: 22,
      objectSize: 4 * MiB,
      format: 2,
    });
    expect(info.features).toContain("layering");
    expect(info.createTimestamp.getTime()).toBeGreaterThan(Date.now() - 10 * 60_000);
    expect(await rbd.listImages("vols", "a")).toEqual(["volume-1"]);
    const extents = await rbd.diff(src);
    expect(extents.every((e) => e.exists)).toBe(true);
    expect(extents.map((e) => e.offset)[0]).toBeLessThanOrEqual(4 * MiB + 512);
    expect(await rbd.listPools("a")).toEqual(expect.arrayContaining(["vols", "backups"]));
  });

  it("pipes export-diff into import-diff between pools, full then incremental, to equal bytes", async () => {
    await rbd.createSnap(src, "backup.b1.snap.1");
    // the features Cinder gives a backup base image
    await rbd.createImage(dst, {
      size: 16 * MiB,
      features: ["layering", "exclusive-lock", "object-map", "fast-diff"],
    });
    await rbd.importDiff(dst, await rbd.exportDiff({ ...src, snap: "backup.b1.snap.1" }));
    expect((await rbd.listSnaps(dst)).map((s) => s.name)).toEqual(["backup.b1.snap.1"]);

    await rbd.writeImage(src, 12 * MiB, randomBytes(65536));
    await rbd.createSnap(src, "backup.b2.snap.2");
    await rbd.importDiff(
      dst,
      await rbd.exportDiff({ ...src, snap: "backup.b2.snap.2" }, { fromSnap: "backup.b1.snap.1" }),
    );
    expect((await rbd.listSnaps(dst)).map((s) => s.name)).toEqual(["backup.b1.snap.1", "backup.b2.snap.2"]);
    const [a, b] = await Promise.all([
      sha256Of(await rbd.exportImage({ ...src, snap: "backup.b2.snap.2" })),
      sha256Of(await rbd.exportImage(dst)),
    ]);
    expect(b).toBe(a);
    expect((await ceph.exportSha256("backups/volume-1.backup.base")).sha256).toBe(a);
  });

  it("discards a range, resizes, protects and removes snapshots", async () => {
    await rbd.discardImage(src, 12 * MiB, 65536);
    expect(Buffer.from(await rbd.readImage(src, 12 * MiB, 65536))).toEqual(Buffer.alloc(65536));
    await rbd.resizeImage(src, 32 * MiB);
    expect((await rbd.imageInfo(src)).size).toBe(32 * MiB);
    await rbd.protectSnap(src, "backup.b1.snap.1");
    expect((await rbd.listSnaps(src)).find((s) => s.name === "backup.b1.snap.1")?.protected).toBe(true);
    await rbd.unprotectSnap(src, "backup.b1.snap.1");
    await rbd.removeSnap(src, "backup.b1.snap.1");
    expect((await rbd.listSnaps(src)).map((s) => s.name)).toEqual(["backup.b2.snap.2"]);
  });

  it("maps failures to RbdError with real rbd's stderr and exit status", async () => {
    const missing = { ...src, image: "volume-missing" };
    const error = await rbd.imageInfo(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RbdError);
    expect(error).toMatchObject({ code: "ENOENT", exitStatus: 2 });
    expect((error as RbdError).rbdMessage).toContain("error opening image volume-missing");
    expect((error as RbdError).rbdMessage).toContain("(2) No such file or directory");

    const exists = await rbd.createImage(src, { size: MiB }).catch((e: unknown) => e);
    expect(exists).toMatchObject({ code: "EEXIST", exitStatus: 17 });

    const garbage = await rbd
      .importDiff(dst, Readable.from([Buffer.from("not a diff")]))
      .catch((e: unknown) => e);
    expect(garbage).toMatchObject({ code: "EBADMSG" });
    expect((garbage as RbdError).rbdMessage).toContain("failed to decode diff banner");
  });

  it("fails the import when the export on the other side of the pipe fails", async () => {
    const before = await sha256Of(await rbd.exportImage(dst));
    const broken = await rbd.exportDiff({ ...src, snap: "no-such-snap" });
    const error = await rbd.importDiff(dst, broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RbdError);
    expect((error as RbdError).context.op).toBe("export-diff");
    expect(await sha256Of(await rbd.exportImage(dst))).toBe(before);
  });

  it("keeps RADOS objects (Cinder's backup.<bid>.meta) with the rados CLI", () => {
    const objects = rbd.radosObjects("backup");
    expect(objects.get("backups", "backup.b1.meta")).toBeUndefined();
    expect(objects.create("backups", "backup.b1.meta", '{"version": 2}')).toBe(true);
    expect(objects.create("backups", "backup.b1.meta", "again")).toBe(false);
    expect(objects.get("backups", "backup.b1.meta")).toBe('{"version": 2}');
    expect(objects.list("backups")).toContain("backup.b1.meta");
    expect(objects.remove("backups", "backup.b1.meta")).toBe(true);
    expect(objects.remove("backups", "backup.b1.meta")).toBe(false);
    expect(() => objects.list("no-such-pool")).toThrow(RbdError);
  });

  it("a cluster name nobody configured is an error that says so", async () => {
    const error = await rbd.listImages("vols", "elsewhere").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ENOENT" });
    expect(String((error as Error).message)).toContain('no Ceph cluster "elsewhere"');
  });
});
