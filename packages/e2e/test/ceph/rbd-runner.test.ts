import { describe, expect, it } from "vitest";
import { expectOk, runCephTool, StartedCluster } from "../../src/ceph/index.js";

// The subprocess adapter and the handle every provider returns, driven with ordinary
// commands in place of rbd so they need no cluster.
describe("runCephTool", () => {
  it("feeds stdin and returns stdout bytes, stderr text and a non-zero exit as data", async () => {
    const input = Buffer.from([0, 1, 2, 255]);
    const r = await runCephTool("sh", ["-c", "cat; echo 'rbd: oops' >&2; exit 3"], { input });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toEqual(input);
    expect(r.stderr).toBe("rbd: oops\n");
    expect(() => expectOk(r)).toThrow("rbd -c cat; echo 'rbd: oops' >&2; exit 3 exited 3: rbd: oops");
  });

  it("kills a command that outlives its timeout and says so", async () => {
    const t0 = performance.now();
    await expect(runCephTool("sleep", ["30"], { timeoutMs: 200 })).rejects.toThrow(
      "sleep 30 did not finish within 200 ms",
    );
    expect(performance.now() - t0).toBeLessThan(5_000);
  });

  it("reports a missing binary as an error, not an exit code", async () => {
    await expect(runCephTool("/nonexistent/rbd", ["ls"])).rejects.toThrow("could not run /nonexistent/rbd");
  });

  it("does not fail when the command exits without reading its input", async () => {
    const r = await runCephTool("true", [], { input: Buffer.alloc(4 * 1024 * 1024) });
    expect(r.exitCode).toBe(0);
  });
});

describe("StartedCluster", () => {
  const make = (teardown: () => Promise<void>) =>
    new StartedCluster({
      provider: "local",
      confPath: "/tmp/x/ceph.conf",
      keyringPath: "/tmp/x/ceph.client.cinder.keyring",
      clientName: "cinder",
      pools: ["volumes"],
      teardown,
      rbdCommand: "echo",
    });

  it("runs rbd with the cluster's conf, id and keyring before the caller's arguments", async () => {
    const r = await make(async () => {}).rbd(["ls", "volumes"]);
    expect(r.stdout.toString()).toBe(
      "--conf /tmp/x/ceph.conf --id cinder --keyring /tmp/x/ceph.client.cinder.keyring ls volumes\n",
    );
  });

  it("gives children the same identity through CEPH_CONF and CEPH_ARGS", () => {
    expect(make(async () => {}).clientEnv()).toEqual({
      CEPH_CONF: "/tmp/x/ceph.conf",
      CEPH_ARGS: "--id cinder --keyring /tmp/x/ceph.client.cinder.keyring",
    });
  });

  it("tears down once, however often and however concurrently it is stopped", async () => {
    let teardowns = 0;
    const cluster = make(async () => {
      teardowns++;
    });
    await Promise.all([cluster.stop(), cluster.stop(), cluster[Symbol.asyncDispose]()]);
    await cluster.stop();
    expect(teardowns).toBe(1);
  });

  it("makes scratch names unique per start", () => {
    const a = make(async () => {});
    const b = make(async () => {});
    expect(a.scratchName("vol")).toMatch(/^cinderlab-e2e-[0-9a-f]{6}-vol$/);
    expect(a.scratchName("vol")).not.toBe(b.scratchName("vol"));
  });
});
