import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExternalCephProvider, expectOk, runCephTool, type StartedCeph } from "../../src/ceph/index.js";
import { cephUnavailable, startCeph } from "./cluster.js";

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const MiB = 1024 * 1024;

// In CI a provider that cannot start is a failure of the tier, never a skip.
describe.skipIf(cephUnavailable)("real Ceph provider", () => {
  let ceph: StartedCeph;

  beforeAll(async () => {
    ceph = await startCeph(["volumes", "backups"]);
  });
  afterAll(async () => {
    await ceph?.stop();
  });

  it("hands out a conf, a keyring and the pools asked for, usable by the real rbd", async () => {
    expect(ceph.pools).toEqual(["volumes", "backups"]);
    for (const pool of ceph.pools) {
      const ls = expectOk(await ceph.rbd(["ls", "--format", "json", pool]));
      const names = JSON.parse(ls.stdout.toString()) as string[];
      // a throwaway cluster starts empty; a staging cluster may hold anything but ours
      if (ceph.provider === "external") {
        expect(names.filter((n) => n.startsWith(ceph.scratchName("")))).toEqual([]);
      } else {
        expect(names).toEqual([]);
      }
    }
    // a pool that was not asked for does not exist: proves rbd talks to this cluster
    const missing = await ceph.rbd(["ls", "no-such-pool"]);
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toContain("error opening pool 'no-such-pool'");
  });

  it("copies an image across pools with export-diff | import-diff, byte for byte", async () => {
    const src = `volumes/${ceph.scratchName("vol")}`;
    const dst = `backups/${ceph.scratchName("vol.backup")}`;
    // 8 MiB image with data in two separate extents and a hole between them
    const image = Buffer.alloc(8 * MiB);
    randomBytes(MiB).copy(image, 0);
    randomBytes(512 * 1024).copy(image, 5 * MiB);
    expectOk(await ceph.rbd(["import", "--no-progress", "-", src], { input: image }));
    expectOk(await ceph.rbd(["snap", "create", "--no-progress", `${src}@snap1`]));

    const info = JSON.parse(expectOk(await ceph.rbd(["info", "--format", "json", src])).stdout.toString());
    expect(info.size).toBe(8 * MiB);

    const diff = expectOk(await ceph.rbd(["export-diff", "--no-progress", `${src}@snap1`, "-"])).stdout;
    expect(diff.subarray(0, 12).toString("latin1")).toBe("rbd diff v1\n");
    expectOk(await ceph.rbd(["create", "--size", "8M", dst]));
    expectOk(await ceph.rbd(["import-diff", "--no-progress", "-", dst], { input: diff }));

    const snaps = JSON.parse(
      expectOk(await ceph.rbd(["snap", "ls", "--format", "json", dst])).stdout.toString(),
    );
    expect(snaps.map((s: { name: string }) => s.name)).toEqual(["snap1"]);
    const copied = expectOk(await ceph.rbd(["export", "--no-progress", `${dst}@snap1`, "-"])).stdout;
    expect(copied.length).toBe(image.length);
    expect(sha256(copied)).toBe(sha256(image));
  });

  it("gives child processes an environment that reaches the same cluster", async () => {
    const name = ceph.scratchName("env-probe");
    expectOk(await ceph.rbd(["create", "--size", "1M", `volumes/${name}`]));
    const viaEnv = await runCephTool("rbd", ["ls", "volumes"], {
      env: { ...process.env, ...ceph.clientEnv() },
    });
    expect(viaEnv.exitCode).toBe(0);
    expect(viaEnv.stdout.toString().split("\n")).toContain(name);
  });

  it("as an external cluster, removes on stop exactly the images it made", async () => {
    // made by the outer cluster handle: not the inner provider's to remove (the outer one
    // removes it in turn when the tier runs on an external cluster)
    const foreign = `volumes/${ceph.scratchName("not-ours")}`;
    expectOk(await ceph.rbd(["create", "--size", "1M", foreign]));
    const external = await new ExternalCephProvider({
      confPath: ceph.confPath,
      keyringPath: ceph.keyringPath,
      clientName: ceph.clientName,
      pools: ["volumes", "backups"],
    }).start();
    const ours = `volumes/${external.scratchName("with-snaps")}`;
    expectOk(await external.rbd(["create", "--size", "4M", ours]));
    expectOk(await external.rbd(["snap", "create", `${ours}@s1`]));
    expectOk(await external.rbd(["snap", "protect", `${ours}@s1`]));
    const clone = `backups/${external.scratchName("clone")}`;
    expectOk(await external.rbd(["clone", `${ours}@s1`, clone]));

    await external.stop();

    const left = async (pool: string) =>
      JSON.parse(expectOk(await ceph.rbd(["ls", "--format", "json", pool])).stdout.toString()) as string[];
    expect(await left("volumes")).toContain(foreign.split("/")[1]);
    expect((await left("volumes")).filter((n) => n.startsWith(external.scratchName("")))).toEqual([]);
    expect((await left("backups")).filter((n) => n.startsWith(external.scratchName("")))).toEqual([]);
  });

  // last: it stops the cluster the tests above share
  it("stops, leaving none of its files behind on a throwaway cluster", async () => {
    const confPath = ceph.confPath;
    await ceph.stop();
    await ceph.stop();
    if (ceph.provider === "external") {
      expect(existsSync(confPath)).toBe(true);
    } else {
      expect(existsSync(confPath)).toBe(false);
      expect(existsSync(ceph.keyringPath)).toBe(false);
    }
  });
});
