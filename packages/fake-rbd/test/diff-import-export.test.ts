// export-diff and import-diff over the model: what goes into a stream, and the rules
// import-diff applies (all-or-nothing).
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { beforeEach, describe, expect, it } from "vitest";
import {
  concatBytes,
  type DiffRecord,
  encodeBanner,
  encodeEnd,
  encodeFromSnap,
  encodeProtection,
  encodeSize,
  encodeToSnap,
  encodeWrite,
  encodeZero,
  exportDiffChunks,
  importDiffStream,
} from "../src/diff/index.js";
import { DiffParser } from "../src/diff/parser.js";
import { Ceph, type Image, type Pool, type RbdError } from "../src/model/index.js";
import { bytes, expectBytes, MiB, pattern, rejected } from "./model-helpers.js";

let ceph: Ceph;
let pool: Pool;

beforeEach(() => {
  ceph = new Ceph({ seed: 7 });
  pool = ceph.cluster().createPool("rbd");
});

function exportBytes(
  image: Image,
  options: { fromSnap?: string; snap?: string; wholeObject?: boolean } = {},
) {
  const to = image.point(options.snap);
  const from = options.fromSnap === undefined ? undefined : image.snap(options.fromSnap, "export-diff");
  return concatBytes([
    ...exportDiffChunks({
      to,
      ...(from ? { from: from.point, fromSnap: from.name } : {}),
      ...(options.snap === undefined ? {} : { toSnap: options.snap }),
      wholeObject: options.wholeObject ?? false,
    }),
  ]);
}

function records(stream: Uint8Array): Exclude<DiffRecord, { type: "data" }>[] {
  const out: Exclude<DiffRecord, { type: "data" }>[] = [];
  const parser = new DiffParser();
  parser.push(stream, (r) => {
    if (r.type !== "data") out.push(r);
  });
  parser.end();
  return out;
}

const importBytes = (image: Image, stream: Uint8Array, chunk = 65536) => {
  const parts: Buffer[] = [];
  for (let at = 0; at < stream.byteLength; at += chunk)
    parts.push(Buffer.from(stream.subarray(at, at + chunk)));
  return importDiffStream(image, Readable.from(parts));
};

/** Everything observable about an image, to check a failed import changed nothing. */
function snapshotOf(image: Image) {
  return {
    size: image.size,
    snaps: image.listSnaps().map((s) => s.name),
    data: createHash("sha256").update(image.read(0, image.size)).digest("hex"),
    diff: image.diff(),
  };
}

describe("export-diff", () => {
  it("writes f only with a from-snap, t only at a snapshot, s always, then extents and e", () => {
    const image = pool.createImage("a", { size: 16 * MiB });
    image.write(0, bytes(4096, 1));
    image.createSnap("s1");
    image.write(8192, bytes(4096, 2));
    image.createSnap("s2");
    expect(records(exportBytes(image))).toEqual([
      { type: "size", size: 16 * MiB },
      { type: "write", offset: 0, length: 12288 },
      { type: "end" },
    ]);
    expect(records(exportBytes(image, { snap: "s1" }))).toEqual([
      { type: "to-snap", name: "s1" },
      { type: "size", size: 16 * MiB },
      { type: "write", offset: 0, length: 4096 },
      { type: "end" },
    ]);
    expect(records(exportBytes(image, { fromSnap: "s1", snap: "s2" }))).toEqual([
      { type: "from-snap", name: "s1" },
      { type: "to-snap", name: "s2" },
      { type: "size", size: 16 * MiB },
      { type: "write", offset: 8192, length: 4096 },
      { type: "end" },
    ]);
  });

  it("sends extents that read as zeros, and removed objects, as 'z' (as real rbd did)", () => {
    // the session on real 16.2: after s1, zero 4 MiB at 4 MiB (object removed), 1 MiB inside
    // object 2 (zeroed in place), and write 4 KiB at 20 MiB
    const image = pool.createImage("m", { size: 32 * MiB });
    image.write(0, bytes(12 * MiB, 7));
    image.createSnap("s1");
    image.discard(4194304, 4194304);
    image.discard(9437184, 1048576);
    image.write(20971520, bytes(4096, 9));
    expect(records(exportBytes(image, { fromSnap: "s1" }))).toEqual([
      { type: "from-snap", name: "s1" },
      { type: "size", size: 32 * MiB },
      { type: "zero", offset: 4194304, length: 4194304 },
      { type: "zero", offset: 9437184, length: 1048576 },
      { type: "write", offset: 20971520, length: 4096 },
      { type: "end" },
    ]);
  });

  it("sends an existing extent holding any non-zero byte whole, zeros included", () => {
    const image = pool.createImage("a", { size: 8 * MiB });
    image.write(0, new Uint8Array(MiB));
    image.write(MiB - 1, Uint8Array.of(5));
    const stream = exportBytes(image);
    expect(records(stream)).toEqual([
      { type: "size", size: 8 * MiB },
      { type: "write", offset: 0, length: MiB },
      { type: "end" },
    ]);
  });

  it("whole-object mode sends whole objects", () => {
    const image = pool.createImage("a", { size: 8 * MiB });
    image.write(100, bytes(10, 1));
    expect(records(exportBytes(image, { wholeObject: true }))[1]).toEqual({
      type: "write",
      offset: 0,
      length: 4 * MiB,
    });
  });

  it("exports the head as it was when the export started, however it is read later", () => {
    const image = pool.createImage("a", { size: 8 * MiB });
    image.write(0, bytes(4096, 1));
    const chunks = exportDiffChunks({ to: image.point(undefined) });
    image.write(0, bytes(8192, 2));
    image.resize(16 * MiB, false);
    const stream = concatBytes([...chunks]);
    const target = pool.createImage("b", { size: MiB });
    return importBytes(target, stream).then(() => {
      expect(target.size).toBe(8 * MiB);
      expectBytes(target.read(0, 8192), concatBytes([bytes(4096, 1), new Uint8Array(4096)]));
    });
  });
});

describe("import-diff", () => {
  let source: Image;
  let target: Image;

  beforeEach(() => {
    source = pool.createImage("volume-1", { size: 16 * MiB });
    target = pool.createImage("volume-1.backup.base", { size: 16 * MiB });
  });

  it("a full diff then incremental ones reproduce the source at every snapshot (Cinder's backup chain)", async () => {
    source.write(0, pattern(5 * MiB, 1));
    source.write(10 * MiB, pattern(123457, 2));
    source.createSnap("backup.1.snap.1");
    await importBytes(target, exportBytes(source, { snap: "backup.1.snap.1" }));

    source.write(MiB, pattern(4096, 3));
    source.discard(8 * MiB, 4 * MiB);
    source.resize(20 * MiB, false);
    source.write(18 * MiB, pattern(MiB, 4));
    source.createSnap("backup.2.snap.2");
    await importBytes(
      target,
      exportBytes(source, { fromSnap: "backup.1.snap.1", snap: "backup.2.snap.2" }),
      4099,
    );

    expect(target.listSnaps().map((s) => s.name)).toEqual(["backup.1.snap.1", "backup.2.snap.2"]);
    expect(target.size).toBe(20 * MiB);
    for (const snap of ["backup.1.snap.1", "backup.2.snap.2"]) {
      const size = source.snap(snap, "t").size;
      expectBytes(target.read(0, size, snap), source.read(0, size, snap), snap);
    }
    expectBytes(target.read(0, target.size), source.read(0, source.size), "head");
  });

  it("'s' shrinks or grows the target to the stream's size", async () => {
    await importBytes(target, concatBytes([encodeBanner(), encodeSize(8 * MiB), encodeEnd()]));
    expect(target.size).toBe(8 * MiB);
    await importBytes(target, concatBytes([encodeBanner(), encodeSize(96 * MiB), encodeEnd()]));
    expect(target.size).toBe(96 * MiB);
  });

  it("zero runs of at least 4 KiB in 'w' data stay sparse; shorter ones are stored", async () => {
    target.write(0, bytes(64 * 1024, 9));
    const data = concatBytes([bytes(4096, 1), new Uint8Array(8192), bytes(100, 2), new Uint8Array(1000)]);
    await importBytes(target, concatBytes([encodeBanner(), encodeWrite(0, data), encodeEnd()]));
    expectBytes(target.read(0, data.byteLength), data);
    // 64 KiB originally, overwritten: 4096 + (100 + 1000 short zeros are stored with the last block)
    expect(ceph.storedBytes()).toBeLessThan(64 * 1024 + 4096 + 4096);
    expect(target.diff()).toEqual([{ offset: 0, length: 64 * 1024, exists: true }]);
  });

  it("applies extents out of offset order in stream order, as real 16.2 did", async () => {
    // the contract suite's import-diff-unsorted step: real rbd exited 0 and created u1
    const c1 = pattern(4096, 5);
    const c0 = pattern(4096, 6);
    await importBytes(
      target,
      concatBytes([
        encodeBanner(),
        encodeToSnap("u1"),
        encodeSize(8 * MiB),
        encodeWrite(4 * MiB, c1),
        encodeWrite(0, c0),
        encodeZero(8192, 4096),
        encodeEnd(),
      ]),
    );
    expect(target.listSnaps().map((s) => s.name)).toEqual(["u1"]);
    expectBytes(target.read(0, 4096, "u1"), c0);
    expectBytes(target.read(4 * MiB, 4096, "u1"), c1);
  });

  it("'z' zeroes what was there", async () => {
    target.write(0, bytes(8 * MiB, 3));
    await importBytes(target, concatBytes([encodeBanner(), encodeZero(4096, 4 * MiB), encodeEnd()]));
    expectBytes(
      target.read(0, 8 * MiB),
      concatBytes([bytes(4096, 3), new Uint8Array(4 * MiB), bytes(4 * MiB - 4096, 3)]),
    );
  });

  it("creates the end snapshot after the data, and protects it when a v2 stream says so", async () => {
    const v2 = concatBytes([
      encodeBanner(2),
      encodeToSnap("s1", 2),
      encodeProtection(true),
      encodeSize(16 * MiB, 2),
      encodeWrite(0, bytes(10, 4), 2),
      encodeEnd(),
    ]);
    await importBytes(target, v2);
    const snap = target.findSnap("s1");
    expect(snap?.protected).toBe(true);
    expectBytes(target.read(0, 10, "s1"), bytes(10, 4));
  });

  const refusals: [string, () => Uint8Array, Partial<RbdError>, string][] = [
    [
      "a from-snap the target does not have",
      () => concatBytes([encodeBanner(), encodeFromSnap("s9"), encodeSize(MiB), encodeEnd()]),
      { code: "EINVAL" },
      "start snapshot 's9' does not exist in the image, aborting\nrbd: import-diff failed: (22) Invalid argument",
    ],
    [
      "a to-snap the target already has",
      () => concatBytes([encodeBanner(), encodeToSnap("have"), encodeSize(MiB), encodeEnd()]),
      { code: "EEXIST" },
      "end snapshot 'have' already exists, aborting\nrbd: import-diff failed: (17) File exists",
    ],
    [
      "overlapping extents",
      () =>
        concatBytes([
          encodeBanner(),
          encodeToSnap("new"),
          encodeSize(MiB),
          encodeWrite(0, bytes(8192, 1)),
          encodeWrite(4096, bytes(10, 2)),
          encodeEnd(),
        ]),
      { code: "EINVAL" },
      "rbd: diff extent 4096~10 overlaps an earlier one\nrbd: import-diff failed: (22) Invalid argument",
    ],
    [
      "an extent overlapping an earlier one out of order",
      () =>
        concatBytes([
          encodeBanner(),
          encodeSize(MiB),
          encodeZero(8192, 10),
          encodeWrite(0, bytes(10, 2)),
          encodeWrite(8000, bytes(200, 3)),
          encodeEnd(),
        ]),
      { code: "EINVAL" },
      "rbd: diff extent 8000~200 overlaps an earlier one\nrbd: import-diff failed: (22) Invalid argument",
    ],
    [
      "an extent beyond the image size",
      () => concatBytes([encodeBanner(), encodeSize(MiB), encodeWrite(MiB - 2, bytes(4, 1)), encodeEnd()]),
      { code: "EINVAL" },
      "rbd: import-diff failed: (22) Invalid argument",
    ],
    [
      "a stream cut inside a write",
      () =>
        concatBytes([
          encodeBanner(),
          encodeToSnap("new"),
          encodeSize(MiB),
          encodeWrite(0, bytes(8192, 1)),
        ]).subarray(0, 5000),
      { code: "EBADMSG" },
      "rbd: failed to decode write data\nrbd: import-diff failed: (74) Bad message",
    ],
    [
      "a stream without its end record",
      () =>
        concatBytes([encodeBanner(), encodeToSnap("new"), encodeSize(MiB), encodeWrite(0, bytes(8192, 1))]),
      { code: "EBADMSG" },
      "rbd: failed to decode tag\nrbd: import-diff failed: (74) Bad message",
    ],
  ];

  it.each(refusals)("refuses %s and leaves the target untouched", async (_what, stream, fields, text) => {
    target.resize(4 * MiB, true);
    target.write(0, pattern(2 * MiB, 5));
    target.createSnap("have");
    target.write(MiB, bytes(10, 6));
    const before = snapshotOf(target);
    const storedBefore = ceph.storedBytes();
    const e = await rejected(importBytes(target, stream(), 1000));
    expect(e).toMatchObject(fields);
    expect(e.rbdMessage).toBe(text);
    expect(snapshotOf(target)).toEqual(before);
    expect(ceph.storedBytes()).toBe(storedBefore);
  });

  it("re-checks the end snapshot at commit time (it may have appeared meanwhile)", async () => {
    const stream = concatBytes([encodeBanner(), encodeToSnap("late"), encodeSize(MiB), encodeEnd()]);
    const parts = [Buffer.from(stream.subarray(0, 30)), Buffer.from(stream.subarray(30))];
    async function* slow() {
      yield parts[0];
      target.createSnap("late");
      yield parts[1];
    }
    const e = await rejected(importDiffStream(target, slow()));
    expect(e.code).toBe("EEXIST");
    expect(target.size).toBe(16 * MiB);
  });
});

describe("a 1 TiB image", () => {
  it("exports and imports only what was written", async () => {
    const TiB = 1024 ** 4;
    const big = pool.createImage("big", { size: TiB });
    big.write(0, pattern(MiB, 1));
    big.write(TiB / 2, pattern(MiB, 2));
    big.write(TiB - 4096, pattern(4096, 3));
    big.createSnap("s1");
    const stream = exportBytes(big, { snap: "s1" });
    // the last object is sent from its start to its end of data (4 MiB), as rbd does
    expect(stream.byteLength).toBeLessThan(2 * MiB + 4 * MiB + 200);
    const copy = pool.createImage("copy", { size: 0 });
    await importBytes(copy, stream);
    expect(copy.size).toBe(TiB);
    expectBytes(copy.read(TiB / 2, MiB), pattern(MiB, 2));
    expect(copy.diff()).toEqual(big.diff());
  });
});

describe("import-diff 'z' records, as real 16.2 applied them", () => {
  // Replays a session on a real 16.2 cluster: 8 MiB of data imported as s1, then a diff
  // zeroing object 0 whole and object 1 from 4 KiB to its end, imported as s2.
  it("removes a wholly zeroed object and truncates one zeroed to its end", async () => {
    const image = pool.createImage("zt", { size: 16 * MiB });
    const data = pattern(8 * MiB, 9);
    await importBytes(
      image,
      concatBytes([
        encodeBanner(),
        encodeToSnap("s1"),
        encodeSize(16 * MiB),
        encodeWrite(0, data),
        encodeEnd(),
      ]),
    );
    await importBytes(
      image,
      concatBytes([
        encodeBanner(),
        encodeFromSnap("s1"),
        encodeToSnap("s2"),
        encodeSize(16 * MiB),
        encodeZero(0, 4 * MiB),
        encodeZero(4 * MiB + 4096, 4 * MiB - 4096),
        encodeEnd(),
      ]),
    );
    const x = (offset: number, length: number, exists: boolean) => ({ offset, length, exists });
    // real `rbd diff`: the truncated object still spans its snapshotted clone's 4 MiB
    expect(image.diff()).toEqual([x(4 * MiB, 4 * MiB, true)]);
    // real `rbd diff --from-snap s1`: both zeroed ranges are "zero"
    expect(image.diff({ fromSnap: "s1" })).toEqual([
      x(0, 4 * MiB, false),
      x(4 * MiB + 4096, 4 * MiB - 4096, false),
    ]);
    expect(image.diff({ fromSnap: "s1", wholeObject: true })).toEqual([
      x(0, 4 * MiB, false),
      x(4 * MiB, 4 * MiB, true),
    ]);
    expect(image.du().map((r) => r.usedSize)).toEqual([8 * MiB, 4 * MiB, 0]);
    expectBytes(image.read(4 * MiB, 4096), data.subarray(4 * MiB, 4 * MiB + 4096));
  });
});

describe("sparse writes across chunk edges", () => {
  it("store the same bytes and skip the same zero blocks wherever the stream is split", async () => {
    const data = concatBytes([
      pattern(300, 1),
      new Uint8Array(512),
      pattern(100, 2),
      new Uint8Array(256),
      bytes(5, 3),
    ]);
    const stream = concatBytes([encodeBanner(), encodeSize(8192), encodeWrite(1000, data), encodeEnd()]);
    let reference: { read: Uint8Array; stored: number; diff: unknown } | undefined;
    for (let at = 0; at <= stream.byteLength; at++) {
      const c = new Ceph();
      const image = c.cluster().createPool("rbd").createImage("a", { size: 8192 });
      image.write(0, bytes(8192, 9));
      const parts = [Buffer.from(stream.subarray(0, at)), Buffer.from(stream.subarray(at))];
      await importDiffStream(image, Readable.from(parts), { sparseSize: 256 });
      const state = { read: image.read(0, 8192), stored: c.storedBytes(), diff: image.diff() };
      if (!reference) {
        reference = state;
        // blocks of 256 from the record start: [0,256) data, [256,512) data (300 spills), [512,768) zero...
        expectBytes(state.read.subarray(1000, 1000 + data.byteLength), data);
        expectBytes(state.read.subarray(0, 1000), bytes(1000, 9));
      } else {
        expectBytes(state.read, reference.read, `split at ${at}`);
        expect(state.stored, `split at ${at}`).toBe(reference.stored);
        expect(state.diff).toEqual(reference.diff);
      }
    }
  });
});
