// The fake-rbd HTTP server through Fastify's inject: routes, the control plane and the error
// body every client relies on (RbdError's JSON with errno, rbd's text and exit status).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalRbd } from "../src/local.js";
import { buildRbdServer } from "../src/server/app.js";
import { errorBody } from "../src/server/protocol.js";

describe("fake-rbd server", () => {
  let backend: LocalRbd;
  let app: ReturnType<typeof buildRbdServer>;
  beforeEach(async () => {
    backend = new LocalRbd();
    app = buildRbdServer({
      backend,
      clusters: () => backend.ceph.listClusters(),
      reset: () => backend.ceph.reset(),
    });
    await app.ready();
  });
  afterEach(async () => {
    await app.close();
  });

  it("answers the health check", async () => {
    const response = await app.inject({ method: "GET", url: "/_fake/health" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: "ok" });
  });

  it("creates pools and images and lists them per cluster", async () => {
    expect(
      (await app.inject({ method: "POST", url: "/v1/clusters/backup/pools", payload: { pool: "backups" } }))
        .statusCode,
    ).toBe(201);
    const created = await app.inject({
      method: "POST",
      url: "/v1/clusters/backup/pools/backups/images",
      payload: { image: "volume-1.backup", size: 8 * 2 ** 20 },
    });
    expect(created.statusCode).toBe(201);
    expect((await app.inject({ url: "/v1/clusters/backup/pools/backups/images" })).json()).toEqual([
      "volume-1.backup",
    ]);
    expect((await app.inject({ url: "/v1/clusters/ceph/pools" })).json()).toEqual([]);
  });

  it("sends a missing image as rbd's error: errno, code, rbd's own text and exit status", async () => {
    await backend.createPool("volumes");
    const response = await app.inject({ url: "/v1/clusters/ceph/pools/volumes/images/nope" });
    expect(response.statusCode).toBe(404);
    const { error } = errorBody.parse(response.json());
    const direct = await backend.imageInfo({ pool: "volumes", image: "nope" }).catch((e: unknown) => e);
    expect(error).toEqual(JSON.parse(JSON.stringify(direct)));
    expect(error).toMatchObject({ code: "ENOENT", errno: 2, exitStatus: 2 });
  });

  it("turns a malformed request into EINVAL naming the bad field", async () => {
    await backend.createPool("volumes");
    const response = await app.inject({
      method: "POST",
      url: "/v1/clusters/ceph/pools/volumes/images",
      payload: { image: "x", size: -1 },
    });
    expect(response.statusCode).toBe(400);
    const { error } = errorBody.parse(response.json());
    expect(error.code).toBe("EINVAL");
    expect(error.message).toMatch(/size/);
  });

  it("dumps a state summary and resets it", async () => {
    await backend.createPool("volumes");
    await backend.createImage({ pool: "volumes", image: "v" }, { size: 2 ** 20 });
    await backend.writeImage({ pool: "volumes", image: "v" }, 0, new Uint8Array(4096).fill(7));
    await backend.createSnap({ pool: "volumes", image: "v" }, "s1");
    const state = (await app.inject({ url: "/_fake/state" })).json();
    expect(state.clusters.ceph.pools.volumes.images).toEqual([
      { name: "v", size: 2 ** 20, usedBytes: expect.any(Number), snaps: ["s1"] },
    ]);
    expect(state.clusters.ceph.pools.volumes.images[0].usedBytes).toBeGreaterThanOrEqual(4096);
    expect((await app.inject({ method: "POST", url: "/_fake/reset" })).statusCode).toBe(204);
    expect((await app.inject({ url: "/_fake/state" })).json()).toEqual({ clusters: {} });
  });
});
