// How another project's test suite uses fake-cinder, the way moto or testcontainers are
// used: start a lab once, point the code under test at its endpoints, drive time by hand,
// and close it (every port freed). This file is the documented example; it runs in CI.
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Lab, startLab } from "../src/index.js";

let lab: Lab;

beforeAll(async () => {
  // clusters "a" and "b" (Zed), each with its own volume Ceph, sharing a backup Ceph;
  // a manual clock so statuses move only when the test says so
  lab = await startLab({ clock: "manual" });
});

afterAll(async () => {
  await lab.close();
});

it("gives endpoints and credentials a client can use as they are", async () => {
  const a = lab.cluster("a");
  // what an openrc would export; a.openrc("admin") is the sourceable text itself
  expect(a.authUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v3$/);
  expect(a.admin).toMatchObject({ name: "admin", role: "admin" });

  // Cinder noauth: the token is "<user>:<project>", no Keystone round trip
  const headers = { "x-auth-token": `${a.admin.id}:${a.projectId}`, "content-type": "application/json" };
  const created = await fetch(`${a.noauthUrl}/v3/${a.projectId}/volumes`, {
    method: "POST",
    headers,
    body: JSON.stringify({ volume: { size: 1, name: "example" } }),
  });
  expect(created.status).toBe(202);
  const { volume } = (await created.json()) as { volume: { id: string; status: string } };
  expect(volume.status).toBe("creating");

  await lab.advance(60_000); // the volume becomes available; no sleeping
  const shown = await fetch(`${a.noauthUrl}/v3/${a.projectId}/volumes/${volume.id}`, { headers });
  expect(((await shown.json()) as { volume: { status: string } }).volume.status).toBe("available");

  // the fake Ceph holds the volume's bytes; fault rules make the next operations fail
  expect(await lab.rbd.listImages(a.volumePool, a.rbdCluster)).toContain(`volume-${volume.id}`);
  a.faults.add({ operation: "backup.create", count: 1, action: { kind: "fail", failReason: "injected" } });
});
