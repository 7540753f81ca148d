import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type DiffEvent, DiffParser } from "../src/ceph/diff-parser.js";
import { ImageHasher, OBJECT_SIZE, SAMPLE_CHUNK } from "../src/ceph/digest.js";

/** Builds an `rbd diff v1` stream the way rbd export-diff writes it (spec §4.8). */
function diffStream(
  size: number,
  extents: { offset: number; data?: Buffer; zero?: number }[],
  toSnap?: string,
): Buffer {
  const parts: Buffer[] = [Buffer.from("rbd diff v1\n", "latin1")];
  if (toSnap) {
    const name = Buffer.from(toSnap);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(name.length);
    parts.push(Buffer.from("t"), len, name);
  }
  const s = Buffer.alloc(9);
  s.write("s");
  s.writeBigUInt64LE(BigInt(size), 1);
  parts.push(s);
  for (const e of extents) {
    const h = Buffer.alloc(17);
    h.write(e.data ? "w" : "z");
    h.writeBigUInt64LE(BigInt(e.offset), 1);
    h.writeBigUInt64LE(BigInt(e.data ? e.data.length : (e.zero ?? 0)), 9);
    parts.push(h);
    if (e.data) parts.push(e.data);
  }
  parts.push(Buffer.from("e"));
  return Buffer.concat(parts);
}

function image(size: number, writes: { offset: number; data: Buffer }[]): Buffer {
  const img = Buffer.alloc(size);
  for (const w of writes) w.data.copy(img, w.offset);
  return img;
}

/** The documented reference: sha256 over the sha256 of each 4 MiB object of the whole image. */
const objectListSha = (img: Buffer) => {
  const outer = createHash("sha256");
  for (let i = 0; i < img.length; i += OBJECT_SIZE)
    outer.update(
      createHash("sha256")
        .update(img.subarray(i, i + OBJECT_SIZE))
        .digest(),
    );
  return outer.digest("hex");
};

describe("export-diff parser and image digest", () => {
  // three objects and a partial fourth; one extent crosses an object boundary
  const size = 3 * OBJECT_SIZE + 65536;
  const writes = [
    { offset: 100, data: Buffer.from("hello world") },
    { offset: 2 * OBJECT_SIZE - 2000, data: Buffer.alloc(5000, 0xab) },
  ];
  const stream = diffStream(
    size,
    [writes[0] as never, { offset: 4096, zero: 8192 }, writes[1] as never],
    "backup.x.snap.1.5",
  );

  it("equals the object-list sha256 of the whole image (holes and z extents read as zeros), fed in any split", () => {
    const expected = objectListSha(image(size, writes));
    for (const step of [7, 4096, 65537, stream.length]) {
      const parser = new DiffParser();
      const hasher = new ImageHasher(size);
      for (let i = 0; i < stream.length; i += step)
        parser.push(stream.subarray(i, i + step), (e) => hasher.event(e));
      parser.finish();
      const d = hasher.result();
      expect(d.sha256).toBe(expected);
      expect(d.allocatedBytes).toBe(11 + 5000);
    }
  });

  it("reports the metadata records", () => {
    const events: DiffEvent[] = [];
    new DiffParser().push(stream, (e) =>
      events.push(e.type === "data" ? { ...e, bytes: Buffer.from(e.bytes) } : e),
    );
    expect(events.filter((e) => e.type !== "data")).toEqual([
      { type: "to", name: "backup.x.snap.1.5" },
      { type: "size", size },
      { type: "zero", offset: 4096, length: 8192 },
      { type: "end" },
    ]);
  });

  it("rejects a truncated stream, a bad banner and an unknown tag", () => {
    const p = new DiffParser();
    p.push(stream.subarray(0, stream.length - 1), () => {});
    expect(() => p.finish()).toThrow(/truncated/);
    expect(() => new DiffParser().push(Buffer.from("rbd diff v9\n"), () => {})).toThrow(/banner/);
    expect(() => new DiffParser().push(Buffer.from("rbd diff v1\nQ"), () => {})).toThrow(
      /unknown record tag 0x51/,
    );
  });

  it("hashes only a bigger target's first `size` bytes, so a larger restored volume still compares", () => {
    const h = new ImageHasher(1000);
    h.event({ type: "data", offset: 900, bytes: Buffer.alloc(300, 1) });
    expect(h.result().sha256).toBe(objectListSha(Buffer.concat([Buffer.alloc(900), Buffer.alloc(100, 1)])));
    // an allocated run of zeros equals a hole
    const z = new ImageHasher(size);
    z.event({ type: "data", offset: OBJECT_SIZE, bytes: Buffer.alloc(OBJECT_SIZE) });
    expect(z.result().sha256).toBe(new ImageHasher(size).result().sha256);
  });

  it("samples the same chunks on both sides, and differs where a sampled chunk differs", () => {
    const big = 8 * SAMPLE_CHUNK;
    const sample = { percent: 50, seed: "run-1" };
    const digestWith = (chunk: number) => {
      const h = new ImageHasher(big, sample);
      h.event({ type: "data", offset: chunk * SAMPLE_CHUNK + 10, bytes: Buffer.from("x") });
      return h.result().sha256;
    };
    const clean = new ImageHasher(big, sample).result().sha256;
    const results = [0, 1, 2, 3, 4, 5, 6, 7].map((c) => digestWith(c) !== clean);
    // a change is seen exactly in the sampled chunks, and both sides sample the same ones
    expect(results.some(Boolean) && !results.every(Boolean)).toBe(true);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((c) => digestWith(c) !== clean)).toEqual(results);
    const all = new ImageHasher(big, { percent: 100, seed: "s" });
    const none = new ImageHasher(big);
    expect(all.result().sha256).toBe(none.result().sha256);
  });
});
