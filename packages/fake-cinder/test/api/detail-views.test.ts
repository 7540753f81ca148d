// Cinder renders a detail-list item with the same view as a show (plus the same extension
// attributes). For every microversion where a field appears, and for admin and member,
// each list item must equal the show answer key for key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, makeCluster } from "./helpers.js";

const VERSIONS = [
  "3.0",
  "3.13",
  "3.18",
  "3.21",
  "3.43",
  "3.48",
  "3.56",
  "3.61",
  "3.63",
  "3.64",
  "3.65",
  "3.69",
  "3.70",
];

let c: Cluster;
let volumeIds: string[];
let backupId: string;

beforeAll(async () => {
  c = await makeCluster();
  const create = async (body: object) => {
    const res = await c.call({ method: "POST", url: `${c.base}/volumes`, payload: { volume: body } });
    expect(res.statusCode).toBe(202);
    return res.json().volume.id as string;
  };
  volumeIds = [
    await create({ size: 1, name: "plain" }),
    await create({ size: 2, name: null, description: "described", metadata: { a: "1", "b:c": "two" } }),
  ];
  await c.idle();
  const attach = await c.call({
    method: "POST",
    url: `${c.base}/volumes/${volumeIds[0]}/action`,
    payload: {
      "os-attach": { instance_uuid: "11111111-2222-4333-8444-555555555555", mountpoint: "/dev/vdb" },
    },
  });
  expect(attach.statusCode).toBe(202);
  const backup = await c.call({
    method: "POST",
    url: `${c.base}/backups`,
    version: "3.43",
    payload: { backup: { volume_id: volumeIds[1], name: "bk", metadata: { k: "v" } } },
  });
  expect(backup.statusCode).toBe(202);
  backupId = backup.json().backup.id;
  await c.idle();
});
afterAll(async () => {
  await c.close();
});

describe("detail lists render each item as its show", () => {
  for (const version of VERSIONS) {
    for (const as of ["admin", "member"] as const) {
      it(`volumes/detail at ${version} as ${as}`, async () => {
        const list = await c.call({ method: "GET", url: `${c.base}/volumes/detail`, version, as });
        expect(list.statusCode).toBe(200);
        const items = list.json().volumes as Array<{ id: string }>;
        expect(items.map((v) => v.id).sort()).toEqual([...volumeIds].sort());
        for (const item of items) {
          const show = await c.call({ method: "GET", url: `${c.base}/volumes/${item.id}`, version, as });
          expect(item).toEqual(show.json().volume);
        }
      });
      it(`backups/detail at ${version} as ${as}`, async () => {
        const list = await c.call({ method: "GET", url: `${c.base}/backups/detail`, version, as });
        expect(list.statusCode).toBe(200);
        const [item] = list.json().backups;
        const show = await c.call({ method: "GET", url: `${c.base}/backups/${backupId}`, version, as });
        expect(item).toEqual(show.json().backup);
      });
    }
  }

  it("keeps volumes_links and count", async () => {
    const res = await c.call({
      method: "GET",
      url: `${c.base}/volumes/detail?limit=1&with_count=true`,
      version: "3.45",
    });
    const body = res.json();
    expect(body.volumes).toHaveLength(1);
    expect(body.volumes_links[0].rel).toBe("next");
    expect(body.count).toBe(2);
  });
});
