import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  type CephProviderName,
  expectOk,
  makeProvider,
  removeSessionContainers,
  stopSessionClusters,
} from "../../src/ceph/index.js";
import { cephUnavailable } from "./cluster.js";

const provider = process.env.CEPH_PROVIDER as CephProviderName | undefined;

// Without testcontainers' reaper, nothing stops a cluster whose test process died before
// its afterAll; global teardown sweeps the run's session instead. This proves the sweep
// finds such a cluster and that it is really gone afterwards.
describe.skipIf(cephUnavailable || provider === "external" || provider === undefined)("session sweep", () => {
  it("stops a cluster whose handle was dropped", async () => {
    const session = `sweep-${randomBytes(4).toString("hex")}`;
    const name = provider as CephProviderName;
    // no manager: quicker to start, and it exercises that variant of the providers
    const ceph = await makeProvider(name, { ...process.env, CINDERLAB_CEPH_SESSION: session }).start({
      pools: ["rbd"],
      manager: false,
    });
    try {
      expectOk(await ceph.rbd(["ls", "rbd"]));
      const swept =
        name === "local" ? await stopSessionClusters(session) : await removeSessionContainers(session);
      expect(swept).toHaveLength(1);
      const after = await ceph.rbd(["--client-mount-timeout", "3", "ls", "rbd"], { timeoutMs: 20_000 });
      expect(after.exitCode).not.toBe(0);
      // a second sweep finds nothing: the first removed everything of the session
      const again =
        name === "local" ? await stopSessionClusters(session) : await removeSessionContainers(session);
      expect(again).toEqual([]);
    } finally {
      await ceph.stop().catch(() => {});
    }
  });
});
