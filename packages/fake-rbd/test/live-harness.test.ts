// The project's real-Ceph harness itself (scripts/ceph/local-up.sh, local-down.sh through
// test/helpers/ceph.ts): a cluster comes up with its pools, serves rbd, and stopping it
// leaves no daemon and no directory behind. Same skip/CI rule as live-ceph.test.ts.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cephUnavailableReason, type LocalCeph, startLocalCeph } from "./helpers/ceph.js";

const unavailable = cephUnavailableReason();

if (unavailable && process.env.CI === "true") {
  describe("local Ceph harness", () => {
    it("has Ceph installed (required under CI=true)", () => {
      throw new Error(`${unavailable}; CI=true needs the live real-Ceph tests to run`);
    });
  });
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && readFileSync(`/proc/${pid}/cmdline`).length > 0;

describe.skipIf(unavailable !== undefined)("local Ceph harness", () => {
  let ceph: LocalCeph | undefined;
  beforeAll(async () => {
    ceph = await startLocalCeph({ pools: ["volumes", "backups"] });
  }, 90_000);
  afterAll(async () => {
    await ceph?.stop();
  }, 30_000);

  it("starts a cephx-only monitor on loopback with every pool rbd-initialised", async () => {
    if (!ceph) throw new Error("not started");
    const conf = readFileSync(ceph.conf, "utf8");
    expect(conf).toMatch(/^mon host = \[v2:127\.0\.0\.1:\d+,v1:127\.0\.0\.1:\d+\]$/m);
    expect(conf).toMatch(/^auth client required = cephx$/m);
    for (const pool of ["volumes", "backups"]) {
      expect(JSON.parse((await ceph.rbdOk(["ls", "--format", "json", pool])).toString())).toEqual([]);
    }
    await ceph.rbdOk(["create", "--size", "4M", "volumes/probe"]);
    const info = JSON.parse((await ceph.rbdOk(["info", "--format", "json", "volumes/probe"])).toString());
    expect(info).toMatchObject({ name: "probe", size: 4 * 2 ** 20, order: 22 });
    const missing = await ceph.rbd(["info", "volumes/nothere"]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toBe("rbd: error opening image nothere: (2) No such file or directory\n");
  });

  it("stops every daemon it recorded and removes its directory", async () => {
    if (!ceph) throw new Error("not started");
    const pids = readFileSync(join(ceph.dir, "pids"), "utf8")
      .trim()
      .split("\n")
      .map((line) => Number(line.split(" ")[1]));
    expect(pids.length).toBeGreaterThanOrEqual(2); // mon.a and osd.0
    expect(pids.every(alive)).toBe(true);
    await ceph.stop();
    expect(pids.filter(alive)).toEqual([]);
    expect(existsSync(ceph.dir)).toBe(false);
  });
});
