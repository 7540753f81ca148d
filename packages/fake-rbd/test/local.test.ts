// LocalRbd: the RbdBackend contract over the in-process model.
import { Readable } from "node:stream";
import { beforeEach, describe, expect, it } from "vitest";
import type { ImageRef } from "../src/backend.js";
import { LocalRbd } from "../src/local.js";
import { RbdError } from "../src/model/errors.js";
import { bytes, collect, expectBytes, MiB, pattern, rejected } from "./model-helpers.js";

const T0 = new Date("2026-11-25T13:18:59Z");
const vol: ImageRef = { pool: "volumes", image: "volume-1" };

let rbd: LocalRbd;

beforeEach(async () => {
  rbd = new LocalRbd({ now: () => T0, seed: 1 });
  await rbd.createPool("volumes");
  await rbd.initPool("volumes");
});

describe("pools and images", () => {
  it("works per cluster, defaulting to 'ceph'", async () => {
    await rbd.createPool("sata-00", "backup");
    await rbd.createImage({ cluster: "backup", pool: "sata-00", image: "b" }, { size: MiB });
    expect(await rbd.listPools()).toEqual(["volumes"]);
    expect(await rbd.listPools("backup")).toEqual(["sata-00"]);
    expect(await rbd.listImages("sata-00", "backup")).toEqual(["b"]);
    const e = await rejected(rbd.listImages("sata-00"));
    expect(e.rbdMessage).toContain("rbd: listing images failed: (2) No such file or directory");
    await rbd.removePool("sata-00", "backup");
    expect(await rbd.listPools("backup")).toEqual([]);
  });

  it("reports image info like `rbd info`, at the head and at a snapshot", async () => {
    await rbd.createImage(vol, { size: 64 * MiB });
    await rbd.createSnap(vol, "s1");
    await rbd.protectSnap(vol, "s1");
    await rbd.resizeImage(vol, 128 * MiB);
    const head = await rbd.imageInfo(vol);
    expect(head).toMatchObject({
      name: "volume-1",
      size: 128 * MiB,
      order: 22,
      objectSize: 4 * MiB,
      objectCount: 32,
      snapshotCount: 1,
      format: 2,
      features: ["layering", "exclusive-lock", "object-map", "fast-diff", "deep-flatten"],
      opFeatures: [],
      flags: [],
      createTimestamp: T0,
    });
    expect(head.blockNamePrefix).toBe(`rbd_data.${head.id}`);
    expect(head.protected).toBeUndefined();
    expect(head.stripeUnit).toBeUndefined();
    const atSnap = await rbd.imageInfo({ ...vol, snap: "s1" });
    expect([atSnap.size, atSnap.objectCount, atSnap.protected]).toEqual([64 * MiB, 16, true]);
    const e = await rejected(rbd.imageInfo({ ...vol, snap: "nosnap" }));
    expect(e.rbdMessage).toBe("error setting snapshot context: (2) No such file or directory");
  });

  it("renames, resizes (shrink needs allowShrink) and removes", async () => {
    await rbd.createImage(vol, { size: 8 * MiB });
    expect((await rejected(rbd.resizeImage(vol, MiB))).code).toBe("EINVAL");
    await rbd.resizeImage(vol, MiB, { allowShrink: true });
    await rbd.renameImage(vol, "volume-2");
    expect(await rbd.listImages("volumes")).toEqual(["volume-2"]);
    await rbd.removeImage({ pool: "volumes", image: "volume-2" });
    expect(await rbd.listImages("volumes")).toEqual([]);
    expect((await rejected(rbd.removeImage(vol))).rbdMessage).toBe(
      "rbd: delete error: (2) No such file or directory",
    );
  });

  it("reads, writes and discards, at the head and at snapshots", async () => {
    await rbd.createImage(vol, { size: 8 * MiB });
    await rbd.writeImage(vol, 0, bytes(MiB, 1));
    await rbd.createSnap(vol, "s1");
    await rbd.discardImage(vol, 0, MiB);
    expectBytes(await rbd.readImage(vol, 0, MiB), new Uint8Array(MiB));
    expectBytes(await rbd.readImage({ ...vol, snap: "s1" }, 0, MiB), bytes(MiB, 1));
  });
});

describe("snapshots", () => {
  beforeEach(async () => {
    await rbd.createImage(vol, { size: 8 * MiB });
  });

  it("lists, renames, rolls back, protects and purges", async () => {
    await rbd.writeImage(vol, 0, bytes(10, 1));
    await rbd.createSnap(vol, "a");
    await rbd.writeImage(vol, 0, bytes(10, 2));
    await rbd.createSnap(vol, "b");
    await rbd.renameSnap(vol, "b", "c");
    expect(await rbd.listSnaps(vol)).toEqual([
      { id: 4, name: "a", size: 8 * MiB, protected: false, timestamp: T0 },
      { id: 5, name: "c", size: 8 * MiB, protected: false, timestamp: T0 },
    ]);
    await rbd.rollbackSnap(vol, "a");
    expectBytes(await rbd.readImage(vol, 0, 10), bytes(10, 1));
    await rbd.protectSnap(vol, "a");
    const purge = await rejected(rbd.purgeSnaps(vol));
    expect(purge.exitStatus).toBe(0);
    expect((await rbd.listSnaps(vol)).map((s) => s.name)).toEqual(["a"]);
    expect((await rejected(rbd.removeImage(vol))).code).toBe("ENOTEMPTY");
    await rbd.unprotectSnap(vol, "a");
    await rbd.removeSnap(vol, "a");
    await rbd.removeImage(vol);
  });
});

describe("diff and du", () => {
  it("returns rbd diff's extents and rbd du's rows", async () => {
    await rbd.createImage(vol, { size: 64 * MiB });
    await rbd.writeImage(vol, 1048576, bytes(4096, 1));
    await rbd.writeImage(vol, 12582912, bytes(4194304, 3));
    await rbd.createSnap(vol, "s1");
    await rbd.writeImage(vol, 1050000, bytes(10, 4));
    expect(await rbd.diff(vol)).toEqual([
      { offset: 0, length: 1052672, exists: true },
      { offset: 12582912, length: 4194304, exists: true },
    ]);
    expect(await rbd.diff(vol, { fromSnap: "s1" })).toEqual([{ offset: 1050000, length: 10, exists: true }]);
    expect(await rbd.diff({ ...vol, snap: "s1" }, { wholeObject: true })).toHaveLength(2);
    const { id } = await rbd.imageInfo(vol);
    const rows = [
      { name: "volume-1", imageId: id, snapshot: "s1", id: 4, provisionedSize: 64 * MiB, usedSize: 8 * MiB },
      { name: "volume-1", imageId: id, provisionedSize: 64 * MiB, usedSize: 4 * MiB },
    ];
    expect(await rbd.du(vol)).toEqual(rows);
    expect(await rbd.du({ ...vol, snap: "s1" })).toEqual([rows[0]]);
    await rbd.createImage({ pool: "volumes", image: "empty" }, { size: MiB });
    const pool = await rbd.du({ pool: "volumes" });
    expect(pool.map((r) => [r.name, r.snapshot, r.usedSize])).toEqual([
      ["empty", undefined, 0],
      ["volume-1", "s1", 8 * MiB],
      ["volume-1", undefined, 4 * MiB],
    ]);
    await rbd.createSnap(vol, "s2");
    expect((await rbd.du({ ...vol, snap: "s2" })).map((r) => r.snapshot)).toEqual(["s1", "s2"]);
  });
});

describe("streams", () => {
  const backup: ImageRef = { cluster: "backup", pool: "sata-00", image: "volume-1.backup.base" };

  beforeEach(async () => {
    await rbd.createPool("sata-00", "backup");
    await rbd.createImage(vol, { size: 32 * MiB });
    await rbd.createImage(backup, { size: 32 * MiB });
  });

  it("export-diff | import-diff copies a volume into another cluster, incrementally", async () => {
    await rbd.writeImage(vol, 0, pattern(3 * MiB, 1));
    await rbd.createSnap(vol, "backup.1.snap.1");
    await rbd.importDiff(backup, await rbd.exportDiff({ ...vol, snap: "backup.1.snap.1" }));
    await rbd.writeImage(vol, 20 * MiB, pattern(MiB, 2));
    await rbd.createSnap(vol, "backup.2.snap.2");
    await rbd.importDiff(
      backup,
      await rbd.exportDiff({ ...vol, snap: "backup.2.snap.2" }, { fromSnap: "backup.1.snap.1" }),
    );
    expect((await rbd.listSnaps(backup)).map((s) => s.name)).toEqual(["backup.1.snap.1", "backup.2.snap.2"]);
    expectBytes(await collect(await rbd.exportImage(backup)), await collect(await rbd.exportImage(vol)));
  });

  it("refuses export-diff of a missing snapshot or from-snap with rbd's words", async () => {
    expect((await rejected(rbd.exportDiff({ ...vol, snap: "nosnap" }))).rbdMessage).toBe(
      "error setting snapshot context: (2) No such file or directory",
    );
    // like rbd, the header goes out before the from-snap is looked up
    const partial: Buffer[] = [];
    const failed = await rejected(
      (async () => {
        for await (const c of await rbd.exportDiff(vol, { fromSnap: "nosnap" })) partial.push(c as Buffer);
      })(),
    );
    expect(failed.rbdMessage).toBe("rbd: export-diff error: (2) No such file or directory");
    expect(Buffer.concat(partial).toString("latin1")).toBe(
      "rbd diff v1\nf\x06\0\0\0nosnaps\0\0\0\x02\0\0\0\0",
    );
    expect((await rejected(rbd.exportDiff({ pool: "volumes", image: "missing" }))).rbdMessage).toBe(
      "rbd: error opening image missing: (2) No such file or directory",
    );
  });

  it("import-diff rejects a broken stream with an RbdError and changes nothing", async () => {
    const stream = Readable.from([Buffer.from("rbd diff v1\ns")]);
    const e = await rejected(rbd.importDiff(backup, stream));
    expect(e).toBeInstanceOf(RbdError);
    expect(e.context.reason).toBe("truncated-stream");
    expect((await rbd.imageInfo(backup)).size).toBe(32 * MiB);
  });

  it("export gives the raw bytes; import stores them sparsely into a new image", async () => {
    const raw = new Uint8Array(10 * MiB);
    raw.set(pattern(5000, 3), 4 * MiB + 100);
    raw.set(pattern(100, 4), 10 * MiB - 100);
    const chunks = [];
    for (let at = 0; at < raw.byteLength; at += 65536 + 7)
      chunks.push(Buffer.from(raw.subarray(at, at + 65536 + 7)));
    const imported: ImageRef = { pool: "volumes", image: "imported" };
    await rbd.importImage(imported, Readable.from(chunks), { order: 20 });
    const info = await rbd.imageInfo(imported);
    expect([info.size, info.order]).toEqual([10 * MiB, 20]);
    expectBytes(await collect(await rbd.exportImage(imported)), raw);
    expect(rbd.ceph.storedBytes()).toBeLessThanOrEqual(3 * 4096 + 4096);
    expect(await rbd.diff(imported)).toEqual([
      { offset: 4 * MiB, length: 4096 * 2, exists: true },
      { offset: 9 * MiB, length: MiB, exists: true },
    ]);
  });

  it("import refuses an existing name, and a failed import leaves no image", async () => {
    const e = await rejected(rbd.importImage(vol, Readable.from([Buffer.alloc(10)])));
    expect(e.rbdMessage).toBe("rbd: image creation failed\nrbd: import failed: (17) File exists");
    const failing = new Readable({
      read() {
        this.destroy(new Error("source went away"));
      },
    });
    await expect(rbd.importImage({ pool: "volumes", image: "half" }, failing)).rejects.toThrow(
      "source went away",
    );
    expect(await rbd.listImages("volumes")).toEqual(["volume-1"]);
  });

  it("exports a snapshot's raw bytes even after the head moved on", async () => {
    await rbd.writeImage(vol, 0, bytes(4096, 1));
    await rbd.createSnap(vol, "s1");
    await rbd.writeImage(vol, 0, bytes(4096, 2));
    const out = await collect(await rbd.exportImage({ ...vol, snap: "s1" }));
    expect(out.byteLength).toBe(32 * MiB);
    expectBytes(out.subarray(0, 4096), bytes(4096, 1));
  });
});
