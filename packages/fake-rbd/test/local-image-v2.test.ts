// `rbd export/import --export-format 2`: the real 16.2 streams import to the same
// bytes and snapshots, and the fake's own stream of that state is byte-identical.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { ImageRef } from "../src/backend.js";
import { featureBits, featureNames } from "../src/diff/image-v2.js";
import { LocalRbd } from "../src/local.js";
import { bytes, collect, expectBytes, MiB, rejected } from "./model-helpers.js";

const real = (name: string) => readFileSync(join(import.meta.dirname, "fixtures/real/streams", name));
const prot: ImageRef = { pool: "rbd", image: "prot" };

async function fresh(): Promise<LocalRbd> {
  const rbd = new LocalRbd({ seed: 3 });
  await rbd.createPool("rbd");
  await rbd.initPool("rbd");
  return rbd;
}

describe("export format 2", () => {
  it("maps feature names to librbd's bits and back", () => {
    expect(featureBits(["layering", "exclusive-lock", "object-map", "fast-diff", "deep-flatten"])).toBe(61);
    expect(featureNames(61)).toEqual([
      "layering",
      "exclusive-lock",
      "object-map",
      "fast-diff",
      "deep-flatten",
    ]);
  });

  it("imports real rbd's export of a 16 MiB image with a protected snapshot", async () => {
    const rbd = await fresh();
    await rbd.importImage(prot, Readable.from([real("prot.export-v2")]), { exportFormat: 2 });
    const info = await rbd.imageInfo(prot);
    expect([info.size, info.order, info.features]).toEqual([
      16 * MiB,
      22,
      ["layering", "exclusive-lock", "object-map", "fast-diff", "deep-flatten"],
    ]);
    expect((await rbd.listSnaps(prot)).map((s) => [s.name, s.protected])).toEqual([["p", true]]);
    expect(await rbd.diff({ ...prot, snap: "p" })).toEqual([{ offset: 0, length: 4096, exists: true }]);
  });

  it("writes the same bytes real rbd wrote for the same image", async () => {
    const recorded = real("prot.export-v2");
    const rbd = await fresh();
    await rbd.importImage(prot, Readable.from([recorded]), { exportFormat: 2 });
    const ours = await collect(await rbd.exportImage(prot, { exportFormat: 2 }));
    expectBytes(ours, recorded);
  });

  it("round-trips an image with several snapshots, split into odd-sized chunks", async () => {
    const rbd = await fresh();
    await rbd.createImage(prot, { size: 8 * MiB });
    await rbd.writeImage(prot, 0, bytes(10_000, 1));
    await rbd.createSnap(prot, "a");
    await rbd.writeImage(prot, 5 * MiB, bytes(4096, 2));
    await rbd.resizeImage(prot, 12 * MiB);
    await rbd.createSnap(prot, "b");
    await rbd.protectSnap(prot, "b");
    await rbd.writeImage(prot, 0, bytes(10, 3));
    const stream = await collect(await rbd.exportImage(prot, { exportFormat: 2 }));
    const chunks = [];
    for (let at = 0; at < stream.byteLength; at += 997) chunks.push(stream.subarray(at, at + 997));
    const copy: ImageRef = { pool: "rbd", image: "copy" };
    await rbd.importImage(copy, Readable.from(chunks), { exportFormat: 2 });
    expect((await rbd.listSnaps(copy)).map((s) => [s.name, s.size, s.protected])).toEqual([
      ["a", 8 * MiB, false],
      ["b", 12 * MiB, true],
    ]);
    for (const snap of ["a", "b", undefined]) {
      const at = snap === undefined ? {} : { snap };
      expectBytes(
        await collect(await rbd.exportImage({ ...copy, ...at })),
        await collect(await rbd.exportImage({ ...prot, ...at })),
      );
    }
  });

  it("a truncated export leaves no image behind", async () => {
    const rbd = await fresh();
    const recorded = real("prot.export-v2");
    const e = await rejected(
      rbd.importImage(prot, Readable.from([recorded.subarray(0, recorded.length - 1)]), { exportFormat: 2 }),
    );
    expect([e.code, e.context.reason]).toEqual(["EBADMSG", "truncated-stream"]);
    expect(e.rbdMessage).toBe("rbd: failed to decode tag\nrbd: import failed: (74) Bad message");
    expect(await rbd.listImages("rbd")).toEqual([]);
  });

  it("refuses a stream that is not an image export", async () => {
    const rbd = await fresh();
    const e = await rejected(
      rbd.importImage(prot, Readable.from([Buffer.from("rbd diff v1\ne")]), { exportFormat: 2 }),
    );
    expect(e.context.reason).toBe("bad-banner");
    expect(await rbd.listImages("rbd")).toEqual([]);
  });
});
