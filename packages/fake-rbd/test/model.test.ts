// The pure model: clusters, pools, images, snapshots and their rules, with the
// error texts real rbd 16.2 prints (recorded on a local Pacific cluster).
import { beforeEach, describe, expect, it } from "vitest";
import { concatBytes } from "../src/diff/records.js";
import { Ceph, type Image, type Pool, RbdError } from "../src/model/index.js";
import { bytes, caught, expectBytes, MiB } from "./model-helpers.js";

const T0 = new Date("2026-11-25T13:18:59Z");

function fixedClock(start = T0) {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

let ceph: Ceph;
let pool: Pool;
let clock: ReturnType<typeof fixedClock>;

beforeEach(() => {
  clock = fixedClock();
  ceph = new Ceph({ now: clock.now, seed: 42 });
  pool = ceph.cluster().createPool("rbd");
  pool.init();
});

describe("clusters and pools", () => {
  it("creates clusters on demand and keeps their pools apart", () => {
    const backup = ceph.cluster("backup");
    backup.createPool("sata-00");
    expect(ceph.listClusters()).toEqual(["ceph", "backup"]);
    expect(ceph.cluster("ceph").listPools()).toEqual(["rbd"]);
    expect(backup.listPools()).toEqual(["sata-00"]);
  });

  it("refuses a duplicate pool and reports a missing one as rbd does", () => {
    expect(caught(() => ceph.cluster().createPool("rbd")).code).toBe("EEXIST");
    const e = caught(() => ceph.cluster().pool("nopool", "info"));
    expect(e.errno).toBe(2);
    expect(e.rbdMessage).toBe("rbd: error opening pool 'nopool': (2) No such file or directory");
    expect(caught(() => ceph.cluster().pool("nopool", "ls")).rbdMessage).toBe(
      "rbd: error opening pool 'nopool': (2) No such file or directory\nrbd: listing images failed: (2) No such file or directory",
    );
  });

  it("removing a pool removes its images", () => {
    pool.createImage("a", { size: MiB });
    ceph.cluster().removePool("rbd");
    expect(ceph.cluster().listPools()).toEqual([]);
    expect(caught(() => ceph.cluster().removePool("rbd")).code).toBe("ENOENT");
  });

  it("snapshot ids follow the pool's snap_seq as on 16.2: removals, even refused ones, use one up", () => {
    // recorded: a=4, b=5, protect a, purge (removes b, refuses a), then c=8
    const image = pool.createImage("x", { size: 16 * MiB });
    image.createSnap("a");
    image.createSnap("b");
    image.protectSnap("a");
    expect(() => image.purgeSnaps()).toThrow(RbdError);
    expect(image.createSnap("c").id).toBe(8);
  });

  it("pool init is idempotent and gives the first snapshot id 4, as on a fresh 16.2 pool", () => {
    pool.init();
    const image = pool.createImage("x", { size: 16 * MiB });
    expect(image.createSnap("a").id).toBe(4);
    expect(image.createSnap("b").id).toBe(5);
  });
});

describe("images", () => {
  it("creates images with rbd 16.2's defaults", () => {
    const image = pool.createImage("a", { size: 64 * MiB });
    expect(image.id).toMatch(/^[0-9a-f]{12}$/);
    expect(image.order).toBe(22);
    expect(image.objectSize).toBe(4 * MiB);
    expect(image.objectCount()).toBe(16);
    expect(image.blockNamePrefix).toBe(`rbd_data.${image.id}`);
    expect(image.features).toEqual(["layering", "exclusive-lock", "object-map", "fast-diff", "deep-flatten"]);
    expect(image.createTimestamp).toEqual(T0);
    expect(image.modifyTimestamp).toEqual(T0);
  });

  it("gives distinct ids, reproducible from the seed", () => {
    const a = pool.createImage("a", { size: MiB });
    const b = pool.createImage("b", { size: MiB });
    expect(a.id).not.toBe(b.id);
    const again = new Ceph({ seed: 42 }).cluster().createPool("rbd").createImage("a", { size: MiB });
    expect(again.id).toBe(a.id);
  });

  it("keeps striping only for a non-default layout, and counts objects like librbd", () => {
    expect(pool.createImage("plain", { size: MiB, features: ["layering", "striping"] }).features).toEqual([
      "layering",
    ]);
    const striped = pool.createImage("striped", { size: MiB, stripeUnit: 65536, stripeCount: 4 });
    expect(striped.features).toEqual([
      "layering",
      "striping",
      "exclusive-lock",
      "object-map",
      "fast-diff",
      "deep-flatten",
    ]);
    expect(striped.objectCount()).toBe(4);
  });

  it("validates features, order and size", () => {
    const e = caught(() => pool.createImage("f", { size: MiB, features: ["object-map"] }));
    expect(e.code).toBe("EINVAL");
    expect(e.rbdMessage).toBe("rbd: create error: (22) Invalid argument");
    expect(e.message).toContain("cannot use object map without exclusive lock");
    expect(caught(() => pool.createImage("f", { size: MiB, features: ["nosuch"] })).rbdMessage).toBe(
      "rbd: the argument for option '--image-feature' is invalid",
    );
    expect(caught(() => pool.createImage("f", { size: MiB, order: 30 })).code).toBe("EINVAL");
    expect(caught(() => pool.createImage("f", { size: -1 })).code).toBe("EINVAL");
    expect(pool.createImage("zero", { size: 0 }).size).toBe(0);
  });

  it("refuses an existing name with rbd's text and librbd's log line", () => {
    pool.createImage("vol", { size: MiB });
    const e = caught(() => pool.createImage("vol", { size: MiB }));
    expect([e.errno, e.exitStatus]).toEqual([17, 17]);
    expect(e.rbdMessage).toBe("rbd: create error: (17) File exists");
    expect(e.detail).toBe("librbd: rbd image vol already exists");
    expect(e.context).toMatchObject({ cluster: "ceph", pool: "rbd", image: "vol" });
    expect(caught(() => pool.createImage("vol", { size: MiB }, "import")).rbdMessage).toBe(
      "rbd: image creation failed\nrbd: import failed: (17) File exists",
    );
  });

  it("lists images sorted by name", () => {
    for (const name of ["b", "c", "a"]) pool.createImage(name, { size: MiB });
    expect(pool.listImages()).toEqual(["a", "b", "c"]);
  });

  it("words a missing image per verb", () => {
    expect(caught(() => pool.image("missing", "info")).rbdMessage).toBe(
      "rbd: error opening image missing: (2) No such file or directory",
    );
    expect(caught(() => pool.removeImage("missing")).rbdMessage).toBe(
      "rbd: delete error: (2) No such file or directory",
    );
    expect(caught(() => pool.renameImage("missing", "other")).rbdMessage).toBe(
      "rbd: rename error: (2) No such file or directory",
    );
    expect(caught(() => pool.image("missing", "du")).rbdMessage).toBe(
      "specified image missing is not found.\nrbd: du failed: (2) No such file or directory",
    );
  });

  it("renames, refusing an existing destination", () => {
    const image = pool.createImage("a", { size: MiB });
    pool.createImage("c", { size: MiB });
    pool.renameImage("a", "b");
    expect(pool.listImages()).toEqual(["b", "c"]);
    expect(pool.image("b")).toBe(image);
    const e = caught(() => pool.renameImage("b", "c"));
    expect(e.rbdMessage).toBe("rbd: rename error: (17) File exists");
    expect(e.detail).toBe("librbd::Operations: rbd image c already exists");
  });

  it("refuses to remove an image with snapshots (ENOTEMPTY, exit 39)", () => {
    const image = pool.createImage("a", { size: MiB });
    image.createSnap("s1");
    const e = caught(() => pool.removeImage("a"));
    expect([e.code, e.exitStatus]).toEqual(["ENOTEMPTY", 39]);
    expect(e.rbdMessage).toBe(
      "rbd: image has snapshots - these must be deleted with 'rbd snap purge' before the image can be removed.",
    );
    image.removeSnap("s1");
    pool.removeImage("a");
    expect(pool.listImages()).toEqual([]);
  });
});

describe("data", () => {
  let image: Image;
  beforeEach(() => {
    image = pool.createImage("a", { size: 64 * MiB });
  });

  it("reads back what was written, zeros elsewhere, across object boundaries", () => {
    const data = new Uint8Array(6 * MiB).map((_, i) => (i * 7 + 1) % 251);
    image.write(3 * MiB, data);
    expectBytes(image.read(3 * MiB, 6 * MiB), data);
    expectBytes(image.read(0, 4096), new Uint8Array(4096));
    expectBytes(image.read(3 * MiB - 2, 4), Uint8Array.of(0, 0, data[0] as number, data[1] as number));
  });

  it("copies the caller's buffer, Buffers included", () => {
    const data = bytes(4096, 1);
    image.write(0, data);
    data.fill(9);
    const buf = Buffer.alloc(4096, 2);
    image.write(8192, buf);
    buf.fill(9);
    expectBytes(image.read(8192, 4096), bytes(4096, 2));
    expectBytes(image.read(0, 4096), bytes(4096, 1));
  });

  it("overwrites partially overlapping extents", () => {
    image.write(0, bytes(8192, 1));
    image.write(4096, bytes(8192, 2));
    image.write(2048, bytes(1024, 3));
    const out = image.read(0, 12288);
    expectBytes(out.subarray(0, 2048), bytes(2048, 1));
    expectBytes(out.subarray(2048, 3072), bytes(1024, 3));
    expectBytes(out.subarray(3072, 4096), bytes(1024, 1));
    expectBytes(out.subarray(4096, 12288), bytes(8192, 2));
  });

  it("refuses I/O past the end (EINVAL) and clips reads that run over it", () => {
    expect(caught(() => image.write(64 * MiB - 1, bytes(2, 1))).code).toBe("EINVAL");
    expect(caught(() => image.read(64 * MiB + 1, 1)).code).toBe("EINVAL");
    expect(image.read(64 * MiB - 2, 10).byteLength).toBe(2);
  });

  it("discards only whole 64 KiB granules, like librbd's defaults", () => {
    image.write(0, bytes(256 * 1024, 5));
    image.discard(4096, 200 * 1024); // [4 KiB, 204 KiB) -> granules [64 KiB, 192 KiB)
    const out = image.read(0, 256 * 1024);
    expectBytes(out.subarray(0, 64 * 1024), bytes(64 * 1024, 5));
    expectBytes(out.subarray(64 * 1024, 192 * 1024), new Uint8Array(128 * 1024));
    expectBytes(out.subarray(192 * 1024), bytes(64 * 1024, 5));
    image.discard(0, 4096);
    expectBytes(image.read(0, 4096), bytes(4096, 5));
  });

  it("write-zeroes zeroes exactly and removes objects it covers", () => {
    image.write(0, bytes(8 * MiB, 5));
    image.writeZeroes(4 * MiB, 4 * MiB);
    image.writeZeroes(10, 20);
    expect(image.head.objects.has(1)).toBe(false);
    expectBytes(image.read(0, 40).subarray(10, 30), new Uint8Array(20));
    expectBytes(image.read(0, 40).subarray(30), bytes(10, 5));
  });

  it("resize: shrinking needs allowShrink and drops the data past the end; growing reads zeros", () => {
    image.write(4 * MiB, bytes(4 * MiB, 7));
    const e = caught(() => image.resize(6 * MiB, false));
    expect([e.code, e.rbdMessage]).toEqual([
      "EINVAL",
      "rbd: shrinking an image is only allowed with the --allow-shrink flag",
    ]);
    image.resize(6 * MiB, true);
    expect(image.size).toBe(6 * MiB);
    image.resize(64 * MiB, false);
    expectBytes(image.read(4 * MiB, 2 * MiB), bytes(2 * MiB, 7));
    expectBytes(image.read(6 * MiB, 2 * MiB), new Uint8Array(2 * MiB));
  });

  it("updates the modify timestamp at most once a minute, as librbd does", () => {
    clock.advance(30_000);
    image.write(0, bytes(1, 1));
    expect(image.modifyTimestamp).toEqual(T0);
    clock.advance(31_000);
    image.write(0, bytes(1, 1));
    expect(image.modifyTimestamp).toEqual(new Date(T0.getTime() + 61_000));
  });
});

describe("snapshots", () => {
  let image: Image;
  beforeEach(() => {
    image = pool.createImage("a", { size: 16 * MiB });
  });

  it("keep the data of their time while the head moves on (copy-on-write)", () => {
    image.write(0, bytes(MiB, 1));
    image.createSnap("s1");
    image.write(512 * 1024, bytes(MiB, 2));
    image.createSnap("s2");
    image.write(0, bytes(4096, 3));
    expectBytes(image.read(0, MiB, "s1"), bytes(MiB, 1));
    expectBytes(image.read(512 * 1024, MiB, "s2"), bytes(MiB, 2));
    expectBytes(image.read(0, 4096), bytes(4096, 3));
    expectBytes(image.read(4096, 4096, "s2"), bytes(4096, 1));
  });

  it("share unchanged bytes: a snapshot costs no data", () => {
    image.write(0, bytes(8 * MiB, 1));
    const before = ceph.storedBytes();
    for (let i = 0; i < 10; i++) image.createSnap(`s${i}`);
    expect(ceph.storedBytes()).toBe(before);
    image.write(0, bytes(4096, 2)); // clones object 0's map, stores only the new 4 KiB
    expect(ceph.storedBytes()).toBe(before + 4096);
  });

  it("list with ids, sizes, protection and timestamps", () => {
    image.createSnap("s1");
    clock.advance(1000);
    image.resize(32 * MiB, false);
    image.createSnap("s2");
    image.protectSnap("s2");
    expect(
      image
        .listSnaps()
        .map((s) => ({ id: s.id, name: s.name, size: s.size, p: s.protected, t: s.timestamp })),
    ).toEqual([
      { id: 4, name: "s1", size: 16 * MiB, p: false, t: T0 },
      { id: 5, name: "s2", size: 32 * MiB, p: true, t: new Date(T0.getTime() + 1000) },
    ]);
  });

  it("refuse duplicates and missing names with rbd's words", () => {
    image.createSnap("s1");
    expect(caught(() => image.createSnap("s1")).rbdMessage).toBe(
      "rbd: failed to create snapshot: (17) File exists",
    );
    expect(caught(() => image.removeSnap("nosnap")).rbdMessage).toBe(
      "rbd: failed to remove snapshot: (2) No such file or directory",
    );
    expect(caught(() => image.protectSnap("nosnap")).rbdMessage).toBe(
      "rbd: protecting snap failed: (2) No such file or directory",
    );
    expect(caught(() => image.unprotectSnap("nosnap")).rbdMessage).toBe(
      "rbd: unprotecting snap failed: (2) No such file or directory",
    );
    const rollback = caught(() => image.rollback("nosnap"));
    expect(rollback.rbdMessage).toBe("rbd: rollback failed: (2) No such file or directory");
    expect(rollback.detail).toBe("librbd::Operations: No such snapshot found.");
    expect(caught(() => image.renameSnap("nosnap", "x")).rbdMessage).toBe(
      "rbd: renaming snap failed: (2) No such file or directory",
    );
    image.createSnap("s2");
    expect(caught(() => image.renameSnap("s1", "s2")).rbdMessage).toBe(
      "rbd: renaming snap failed: (17) File exists",
    );
    expect(caught(() => image.read(0, 1, "nosnap")).rbdMessage).toBe(
      "error setting snapshot context: (2) No such file or directory",
    );
    expect(caught(() => image.createSnap("")).code).toBe("EINVAL");
  });

  it("protection: protected snapshots cannot be removed; protect/unprotect twice is refused", () => {
    image.createSnap("p");
    image.protectSnap("p");
    const busy = caught(() => image.protectSnap("p"));
    expect([busy.code, busy.exitStatus, busy.rbdMessage]).toEqual([
      "EBUSY",
      16,
      "rbd: snap is already protected",
    ]);
    const rm = caught(() => image.removeSnap("p"));
    expect([rm.code, rm.rbdMessage]).toEqual(["EBUSY", "rbd: snapshot 'p' is protected from removal."]);
    image.unprotectSnap("p");
    const again = caught(() => image.unprotectSnap("p"));
    expect([again.code, again.exitStatus, again.rbdMessage]).toEqual([
      "EINVAL",
      22,
      "rbd: snap is already unprotected",
    ]);
    image.removeSnap("p");
    expect(image.listSnaps()).toEqual([]);
  });

  it("purge removes the unprotected ones and reports the protected ones (rbd exits 0, on stdout)", () => {
    for (const s of ["s1", "s2", "s3"]) image.createSnap(s);
    image.protectSnap("s1");
    image.protectSnap("s2");
    const e = caught(() => image.purgeSnaps());
    expect(e.exitStatus).toBe(0);
    expect(e.printsTo).toBe("stdout");
    expect(e.rbdMessage).toBe(
      "rbd: error removing snapshot(s) 's1,s2', which are protected - these must be unprotected with `rbd snap unprotect`.",
    );
    expect(image.listSnaps().map((s) => s.name)).toEqual(["s1", "s2"]);
    image.unprotectSnap("s2");
    expect(caught(() => image.purgeSnaps()).rbdMessage).toContain("'s1', which is protected");
    image.unprotectSnap("s1");
    image.purgeSnaps();
    expect(image.listSnaps()).toEqual([]);
  });

  it("rollback restores the snapshot's size and bytes, and the snapshot stays intact", () => {
    image.write(0, bytes(MiB, 1));
    image.createSnap("s1");
    image.write(0, bytes(2 * MiB, 2));
    image.resize(32 * MiB, false);
    image.rollback("s1");
    expect(image.size).toBe(16 * MiB);
    expectBytes(image.read(0, 2 * MiB), concatBytes([bytes(MiB, 1), new Uint8Array(MiB)]));
    image.write(0, bytes(10, 9));
    expectBytes(image.read(0, 10, "s1"), bytes(10, 1));
  });

  it("renaming keeps the id and data", () => {
    image.write(0, bytes(10, 1));
    const s = image.createSnap("old");
    image.renameSnap("old", "new");
    expect(image.findSnap("new")?.id).toBe(s.id);
    expectBytes(image.read(0, 10, "new"), bytes(10, 1));
  });
});

describe("diff extents, as real rbd 16.2 reported them for the same writes", () => {
  // Replays the writes of a session on a real 16.2 cluster and expects the `rbd diff`
  // output it printed.
  let image: Image;
  const ext = (offset: number, length: number, exists = true) => ({ offset, length, exists });

  beforeEach(() => {
    image = pool.createImage("a", { size: 64 * MiB });
    image.write(1048576, bytes(4096, 1));
    image.write(8388608, bytes(100, 2));
    image.write(12582912, bytes(4194304, 3));
  });

  it("without a from-snap: each object from its start to its end of data", () => {
    expect(image.diff()).toEqual([ext(0, 1052672), ext(8388608, 100), ext(12582912, 4194304)]);
  });

  it("whole-object: the whole object of each allocated object", () => {
    expect(image.diff({ wholeObject: true })).toEqual([
      ext(0, 4194304),
      ext(8388608, 4194304),
      ext(12582912, 4194304),
    ]);
  });

  it("from a snapshot: exactly the bytes written since (zeros included), discards of absent objects ignored", () => {
    image.createSnap("s1");
    image.write(1050000, bytes(10, 4));
    image.write(12582912, new Uint8Array(4096));
    image.discard(20000000, 4096);
    expect(image.diff({ fromSnap: "s1" })).toEqual([ext(1050000, 10), ext(12582912, 4096)]);
    expect(image.diff({ fromSnap: "s1", wholeObject: true })).toEqual([
      ext(0, 4194304),
      ext(12582912, 4194304),
    ]);
  });

  it("objects written in full come one per object, never merged", () => {
    const m = pool.createImage("m", { size: 32 * MiB });
    m.write(0, bytes(12 * MiB, 7));
    expect(m.diff()).toEqual([ext(0, 4 * MiB), ext(4 * MiB, 4 * MiB), ext(8 * MiB, 4 * MiB)]);
  });

  it("removed objects are reported as not existing, clipped to the image size", () => {
    const m = pool.createImage("m", { size: 32 * MiB });
    m.write(0, bytes(12 * MiB, 7));
    m.write(2097152, new Uint8Array(100));
    m.createSnap("s1");
    m.discard(4194304, 4194304);
    m.discard(9437184, 1048576);
    m.write(20971520, bytes(4096, 9));
    expect(m.diff({ fromSnap: "s1" })).toEqual([
      ext(4194304, 4194304, false),
      ext(9437184, 1048576),
      ext(20971520, 4096),
    ]);
    expect(m.diff()).toEqual([ext(0, 4 * MiB), ext(8 * MiB, 4 * MiB), ext(20971520, 4096)]);
    m.resize(6 * MiB, true);
    expect(m.diff()).toEqual([ext(0, 4 * MiB)]);
    expect(m.diff({ fromSnap: "s1" })).toEqual([ext(4194304, 2097152, false)]);
    m.resize(32 * MiB, false);
    expect(m.diff({ fromSnap: "s1" })).toEqual([ext(4194304, 4194304, false), ext(8388608, 4194304, false)]);
  });

  it("write-zeroes reaching past an object's end truncates it: the range is reported gone", () => {
    // the contract scenario's s1 -> s2 step on real 16.2: object 3 held [512, 3584), an
    // import-diff 'z' record zeroed [0, 4096) of it, and `rbd diff --from-snap s1` said
    // 12582912~3584 exists:false
    const m = pool.createImage("m", { size: 16 * MiB });
    m.write(12 * MiB + 512, bytes(3072, 3));
    m.createSnap("s1");
    m.writeZeroes(12 * MiB, 4096);
    expect(m.diff({ fromSnap: "s1" })).toEqual([ext(12 * MiB, 3584, false)]);
    expectBytes(m.read(12 * MiB, 4096), new Uint8Array(4096));
    // zeroing inside the object's data keeps it: still reported as (zeroed) data
    m.write(12 * MiB, bytes(8192, 4));
    m.createSnap("s2");
    m.writeZeroes(12 * MiB + 1024, 1024);
    expect(m.diff({ fromSnap: "s2" })).toEqual([ext(12 * MiB + 1024, 1024)]);
  });

  it("between two snapshots, and at a snapshot", () => {
    image.createSnap("s1");
    image.write(0, bytes(10, 5));
    image.createSnap("s2");
    image.write(100, bytes(10, 5));
    expect(image.diff({ fromSnap: "s1", snap: "s2" })).toEqual([ext(0, 10)]);
    expect(image.diff({ fromSnap: "s1" })).toEqual([ext(0, 10), ext(100, 10)]);
    expect(image.diff({ fromSnap: "s2", snap: "s2" })).toEqual([]);
    expect(caught(() => image.diff({ fromSnap: "nosnap" })).rbdMessage).toBe(
      "rbd: diff error: (2) No such file or directory",
    );
  });

  it("after a rollback nothing differs from the snapshot rolled back to", () => {
    image.createSnap("s1");
    image.write(0, bytes(4 * MiB, 9));
    image.rollback("s1");
    expect(image.diff({ fromSnap: "s1" })).toEqual([]);
  });
});

describe("du", () => {
  it("counts, per snapshot and head, the object space changed since the previous snapshot", () => {
    const image = pool.createImage("a", { size: 64 * MiB });
    image.write(1048576, bytes(4096, 1));
    image.write(8388608, bytes(100, 2));
    image.write(12582912, bytes(4194304, 3));
    image.createSnap("s1");
    image.write(1050000, bytes(10, 4));
    image.write(12582912, new Uint8Array(4096));
    image.discard(20000000, 4096);
    expect(image.du().map((r) => [r.snapshot?.name, r.provisionedSize, r.usedSize])).toEqual([
      ["s1", 64 * MiB, 12 * MiB],
      [undefined, 64 * MiB, 8 * MiB],
    ]);
    expect(image.du("s1")).toHaveLength(1);
  });
});

describe("memory", () => {
  it("a 1 TiB image with a few MiB written stores only what was written", () => {
    const TiB = 1024 ** 4;
    const image = pool.createImage("big", { size: TiB });
    const chunk = bytes(MiB, 0xab);
    for (let i = 0; i < 8; i++) image.write(i * 64 * 1024 ** 3, chunk); // 8 MiB spread over the image
    image.createSnap("s1");
    image.write(TiB - MiB, chunk);
    expect(ceph.storedBytes()).toBe(9 * MiB);
    expect(image.diff()).toHaveLength(9);
    expectBytes(image.read(TiB - MiB, MiB), chunk);
  });

  it("overwrites do not pin dead bytes beyond twice the live ones", () => {
    const image = pool.createImage("a", { size: 16 * MiB });
    image.write(0, bytes(4 * MiB, 1));
    for (let i = 0; i < 64; i++) image.write(i * 65536, bytes(65536 - 4096, 2));
    expect(ceph.storedBytes()).toBeLessThanOrEqual(2 * 4 * MiB);
    expectBytes(image.read(65536 - 4096, 4096), bytes(4096, 1));
  });
});

describe("errors", () => {
  it("round-trip through JSON (for the HTTP server)", () => {
    const e = caught(() => pool.removeImage("missing"));
    const back = RbdError.fromJSON(JSON.parse(JSON.stringify(e)));
    expect(back).toBeInstanceOf(RbdError);
    expect(back.toJSON()).toEqual(e.toJSON());
  });
});

describe("copy-on-write bookkeeping", () => {
  it("reading the head does not make later writes clone objects", () => {
    const image = pool.createImage("a", { size: 8 * MiB });
    image.write(0, bytes(10, 1));
    const version = image.head.objects.get(0);
    image.read(0, 10);
    image.write(20, bytes(10, 2));
    expect(image.head.objects.get(0)).toBe(version);
  });

  it("a snapshot makes the next write clone only the object it touches", () => {
    const image = pool.createImage("a", { size: 8 * MiB });
    image.write(0, bytes(10, 1));
    image.write(4 * MiB, bytes(10, 1));
    image.createSnap("s1");
    const [zero, one] = [image.head.objects.get(0), image.head.objects.get(1)];
    image.write(0, bytes(10, 2));
    expect(image.head.objects.get(0)).not.toBe(zero);
    expect(image.head.objects.get(1)).toBe(one);
    expect(image.snap("s1", "t").point.objects.get(0)).toBe(zero);
  });
});
