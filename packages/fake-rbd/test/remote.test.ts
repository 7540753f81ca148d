// RemoteRbd against a real listening fake-rbd server: the same answers, the same RbdErrors
// and the same bytes as LocalRbd in-process, with the data streams flowing both ways.
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalRbd } from "../src/local.js";
import { RbdError } from "../src/model/errors.js";
import { RemoteRbd } from "../src/remote.js";
import { type RunningRbdServer, startRbdServer } from "../src/server/start.js";

const MiB = 2 ** 20;

async function sha256(stream: Readable): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

function pattern(seed: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed * 7 + (i >> 9)) & 0xff;
  return bytes;
}

describe("RemoteRbd through the fake-rbd server", () => {
  let local: LocalRbd;
  let server: RunningRbdServer;
  let remote: RemoteRbd;
  const vol = { cluster: "ceph", pool: "volumes", image: "volume-1" };
  const bak = { cluster: "backup", pool: "backups", image: "volume-1.backup" };

  beforeAll(async () => {
    local = new LocalRbd();
    server = await startRbdServer({ backend: local, clusters: ["ceph", "backup"] });
    remote = new RemoteRbd({ url: server.url });
    await remote.createPool("volumes", "ceph");
    await remote.createPool("backups", "backup");
    await remote.createImage(vol, { size: 64 * MiB });
  });
  afterAll(async () => {
    await remote.close();
    await server.close();
  });

  it("binds to loopback and reports its URL", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("reads back what it wrote, at the head and at a snapshot", async () => {
    await remote.writeImage(vol, 3 * MiB, pattern(1, 64 * 1024));
    await remote.createSnap(vol, "s1");
    await remote.writeImage(vol, 3 * MiB, pattern(2, 4096));
    expect(Buffer.from(await remote.readImage({ ...vol, snap: "s1" }, 3 * MiB, 4096))).toEqual(
      Buffer.from(pattern(1, 4096)),
    );
    expect(Buffer.from(await remote.readImage(vol, 3 * MiB, 4096))).toEqual(Buffer.from(pattern(2, 4096)));
    const info = await remote.imageInfo({ ...vol, snap: "s1" });
    expect(info).toEqual(await local.imageInfo({ ...vol, snap: "s1" }));
    expect(info.createTimestamp).toBeInstanceOf(Date);
    expect(await remote.listSnaps(vol)).toEqual(await local.listSnaps(vol));
    expect(await remote.diff(vol, { fromSnap: "s1" })).toEqual(await local.diff(vol, { fromSnap: "s1" }));
    expect(await remote.du(vol)).toEqual(await local.du(vol));
    expect(await remote.du({ cluster: "ceph", pool: "volumes" })).toEqual(
      await local.du({ cluster: "ceph", pool: "volumes" }),
    );
  });

  it("export-diff | import-diff into another cluster gives the same bytes, full then incremental", async () => {
    await remote.createImage(bak, { size: 64 * MiB });
    await remote.importDiff(bak, await remote.exportDiff({ ...vol, snap: "s1" }));
    await remote.writeImage(vol, 60 * MiB, pattern(3, 2 * MiB));
    await remote.discardImage(vol, 3 * MiB, 64 * 1024);
    await remote.createSnap(vol, "s2");
    await remote.importDiff(bak, await remote.exportDiff({ ...vol, snap: "s2" }, { fromSnap: "s1" }));
    expect((await remote.listSnaps(bak)).map((s) => s.name)).toEqual(["s1", "s2"]);
    const source = await sha256(await local.exportImage({ ...vol, snap: "s2" }));
    expect(await sha256(await remote.exportImage({ ...bak, snap: "s2" }))).toBe(source);
    expect(await sha256(await remote.exportImage(bak))).toBe(source);
  });

  it("imports a raw image from a stream, sparse where it is zero", async () => {
    const raw = Buffer.concat([Buffer.from(pattern(4, MiB)), Buffer.alloc(3 * MiB)]);
    const ref = { cluster: "backup", pool: "backups", image: "raw" };
    await remote.importImage(ref, Readable.from([raw.subarray(0, 1000), raw.subarray(1000)]));
    expect(await sha256(await remote.exportImage(ref))).toBe(createHash("sha256").update(raw).digest("hex"));
    expect((await remote.imageInfo(ref)).size).toBe(raw.length);
  });

  it("re-throws the backend's RbdError unchanged: code, errno, rbd's text, librbd's detail", async () => {
    const cases: [string, (b: LocalRbd | RemoteRbd) => Promise<unknown>][] = [
      ["missing image", (b) => b.imageInfo({ ...vol, image: "nope" })],
      ["missing pool", (b) => b.listImages("nopool")],
      ["existing image", (b) => b.createImage(vol, { size: MiB })],
      ["image with snapshots", (b) => b.removeImage(vol)],
      ["missing snapshot", (b) => b.rollbackSnap(vol, "nope")],
      ["shrink without allowShrink", (b) => b.resizeImage(vol, MiB)],
    ];
    for (const [what, call] of cases) {
      const expected = await call(local).catch((e: unknown) => e);
      const actual = await call(remote).catch((e: unknown) => e);
      expect(expected, what).toBeInstanceOf(RbdError);
      expect(actual, what).toBeInstanceOf(RbdError);
      expect((actual as RbdError).toJSON(), what).toEqual((expected as RbdError).toJSON());
    }
  });

  it("a refused import-diff stream fails with the decoder's error and leaves the image alone", async () => {
    const target = { cluster: "backup", pool: "backups", image: "refuses" };
    await remote.createImage(target, { size: MiB });
    const bad = () =>
      Readable.from([Buffer.from("this is not a diff at all, but it is long enough".repeat(5000))]);
    const expected = await local.importDiff(target, bad()).catch((e: unknown) => e);
    const actual = await remote.importDiff(target, bad()).catch((e: unknown) => e);
    expect(actual).toBeInstanceOf(RbdError);
    expect((actual as RbdError).toJSON()).toEqual((expected as RbdError).toJSON());
    expect(await remote.listSnaps(target)).toEqual([]);
    expect(await remote.diff(target)).toEqual([]);
  });

  it("names the server when it cannot be reached", async () => {
    const gone = new RemoteRbd({ url: "http://127.0.0.1:1" });
    const error = await gone.listPools().catch((e: unknown) => e);
    await gone.close();
    expect(error).toBeInstanceOf(RbdError);
    expect((error as RbdError).code).toBe("EIO");
    expect((error as RbdError).message).toContain("http://127.0.0.1:1");
  });
});
