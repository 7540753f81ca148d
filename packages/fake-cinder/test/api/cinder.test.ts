import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Cluster, makeCluster } from "./helpers.js";

const REQ_ID = /^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/;

const VOLUME_BASE_KEYS = [
  "attachments",
  "availability_zone",
  "bootable",
  "consistencygroup_id",
  "created_at",
  "description",
  "encrypted",
  "id",
  "links",
  "metadata",
  "multiattach",
  "name",
  "replication_status",
  "size",
  "snapshot_id",
  "source_volid",
  "status",
  "updated_at",
  "user_id",
  "volume_type",
];
const VOLUME_ADMIN_SHOW_KEYS = [
  ...VOLUME_BASE_KEYS,
  "migration_status",
  "os-vol-host-attr:host",
  "os-vol-mig-status-attr:migstat",
  "os-vol-mig-status-attr:name_id",
  "os-vol-tenant-attr:tenant_id",
];
const BACKUP_BASE_KEYS = [
  "availability_zone",
  "container",
  "created_at",
  "data_timestamp",
  "description",
  "fail_reason",
  "has_dependent_backups",
  "id",
  "is_incremental",
  "links",
  "name",
  "object_count",
  "size",
  "snapshot_id",
  "status",
  "updated_at",
  "volume_id",
];
const sorted = (keys: string[]) => [...keys].sort();

let c: Cluster;
beforeEach(async () => {
  c = await makeCluster();
});
afterEach(async () => {
  await c.close();
});

async function createVolume(size = 1, name = "v1", version?: string): Promise<string> {
  const res = await c.call({
    method: "POST",
    url: `${c.base}/volumes`,
    ...(version ? { version } : {}),
    payload: { volume: { size, name, description: null, volume_type: null, metadata: {}, backup_id: null } },
  });
  expect(res.statusCode).toBe(202);
  await c.idle();
  return res.json().volume.id;
}

async function createBackup(volumeId: string): Promise<string> {
  const res = await c.call({
    method: "POST",
    url: `${c.base}/backups`,
    payload: {
      backup: {
        volume_id: volumeId,
        container: null,
        name: "bk",
        description: null,
        incremental: false,
        force: false,
        snapshot_id: null,
      },
    },
  });
  expect(res.statusCode).toBe(202);
  await c.idle();
  return res.json().backup.id;
}

describe("version documents", () => {
  it("GET / answers 300 without authentication, with the request's host in the self link", async () => {
    const res = await c.app.inject({ method: "GET", url: "/", headers: { host: "10.0.0.5:8776" } });
    expect(res.statusCode).toBe(300);
    expect(res.json()).toEqual({
      versions: [
        {
          id: "v3.0",
          status: "CURRENT",
          version: "3.70",
          min_version: "3.0",
          updated: "2022-08-31T00:00:00Z",
          links: [
            { rel: "describedby", type: "text/html", href: "https://docs.openstack.org/" },
            { rel: "self", href: "http://10.0.0.5:8776/v3/" },
          ],
          "media-types": [
            { base: "application/json", type: "application/vnd.openstack.volume+json;version=3" },
          ],
        },
      ],
    });
  });

  it("GET /v3/ answers 200 with the same document behind authentication", async () => {
    expect((await c.app.inject({ method: "GET", url: "/v3/" })).statusCode).toBe(401);
    const res = await c.call({ method: "GET", url: "/v3/" });
    expect(res.statusCode).toBe(200);
    expect(res.json().versions[0].version).toBe("3.70");
    const bare = await c.call({ method: "GET", url: "/v3" });
    expect(bare.statusCode).toBe(302);
    expect(bare.headers.location).toBe("http://127.0.0.1:8776/v3/");
  });
});

describe("authentication", () => {
  it("answers a missing or unknown token with keystonemiddleware's 401", async () => {
    for (const headers of [{}, { "x-auth-token": "nope" }]) {
      const res = await c.app.inject({ method: "GET", url: `${c.base}/volumes`, headers });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({
        error: {
          code: 401,
          title: "Unauthorized",
          message: "The request you have made requires authentication.",
        },
      });
      expect(res.headers["www-authenticate"]).toBe('Keystone uri="http://127.0.0.1:5000"');
      expect(res.headers["x-openstack-request-id"]).toMatch(REQ_ID);
    }
  });

  it("answers an expired token with 401", async () => {
    c.clock.advance(3_600_000);
    const res = await c.call({ method: "GET", url: `${c.base}/volumes` });
    expect(res.statusCode).toBe(401);
  });

  it("noauth: hands out user:project on a request without a token, then accepts it as admin", async () => {
    const hello = await c.noauth.inject({
      method: "GET",
      url: "/v3",
      headers: { "x-auth-user": "u1", "x-auth-project-id": "p1" },
    });
    expect(hello.statusCode).toBe(204);
    expect(hello.headers["x-auth-token"]).toBe("u1:p1");
    const list = await c.noauth.inject({
      method: "GET",
      url: "/v3/p1/volumes",
      headers: { "x-auth-token": "u1:p1" },
    });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({ volumes: [] });
    const services = await c.noauth.inject({
      method: "GET",
      url: "/v3/p1/os-services",
      headers: { "x-auth-token": "u1:p1" },
    });
    expect(services.statusCode).toBe(200);
  });

  it("refuses a project id in the URL that is not the token's", async () => {
    const res = await c.call({ method: "GET", url: "/v3/someone-else/volumes" });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ badRequest: { code: 400, message: "Malformed request url" } });
  });
});

describe("microversion headers", () => {
  it("echoes the requested version with Vary, and 3.0 without a header", async () => {
    const none = await c.call({ method: "GET", url: `${c.base}/volumes` });
    expect(none.headers["openstack-api-version"]).toBe("volume 3.0");
    const v = await c.call({ method: "GET", url: `${c.base}/volumes`, version: "3.44" });
    expect(v.headers["openstack-api-version"]).toBe("volume 3.44");
    expect(v.headers.vary).toBe("OpenStack-API-Version");
    expect(v.headers["x-compute-request-id"]).toMatch(REQ_ID);
    expect(v.headers["x-openstack-request-id"]).toBe(v.headers["x-compute-request-id"]);
  });

  it("answers an unsupported version with 406 computeFault and a malformed one with 400", async () => {
    const high = await c.call({ method: "GET", url: `${c.base}/volumes`, version: "3.71" });
    expect(high.statusCode).toBe(406);
    expect(high.json()).toEqual({
      computeFault: {
        code: 406,
        message: "Version 3.71 is not supported by the API. Minimum is 3.0 and maximum is 3.70.",
      },
    });
    expect(high.headers["openstack-api-version"]).toBeUndefined();
    const bad = await c.call({ method: "GET", url: `${c.base}/volumes`, version: "3.x" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().badRequest.message).toBe(
      "API Version String 3.x is of invalid format. Must be of format MajorNum.MinorNum.",
    );
  });

  it("carries the version headers on error responses too", async () => {
    const res = await c.call({
      method: "GET",
      url: `${c.base}/volumes/00000000-0000-4000-8000-000000000000`,
      version: "3.70",
    });
    expect(res.statusCode).toBe(404);
    expect(res.headers["openstack-api-version"]).toBe("volume 3.70");
    expect(res.json()).toEqual({
      itemNotFound: { code: 404, message: "Volume 00000000-0000-4000-8000-000000000000 could not be found." },
    });
  });

  it("answers a method below its microversion with 404 (backup update needs 3.9)", async () => {
    const vid = await createVolume();
    const bid = await createBackup(vid);
    const old = await c.call({
      method: "PUT",
      url: `${c.base}/backups/${bid}`,
      payload: { backup: { name: "x" } },
    });
    expect(old.statusCode).toBe(404);
    expect(old.json()).toEqual({ itemNotFound: { code: 404, message: "The resource could not be found." } });
    const ok = await c.call({
      method: "PUT",
      url: `${c.base}/backups/${bid}`,
      version: "3.9",
      payload: { backup: { name: "renamed", description: "d" } },
    });
    expect(ok.statusCode).toBe(200);
    expect(sorted(Object.keys(ok.json().backup))).toEqual(["id", "links", "name"]);
    expect(ok.json().backup.name).toBe("renamed");
  });
});

describe("volumes", () => {
  it("creates with 202 and the 3.0 detail view (no extension keys), then shows with them for admin", async () => {
    const res = await c.call({
      method: "POST",
      url: `${c.base}/volumes`,
      payload: {
        volume: { size: 1, name: "v1", metadata: { k: "v" }, imageRef: null, consistencygroup_id: null },
      },
    });
    expect(res.statusCode).toBe(202);
    const created = res.json().volume;
    expect(sorted(Object.keys(created))).toEqual(sorted([...VOLUME_BASE_KEYS, "migration_status"]));
    expect(created).toMatchObject({
      status: "creating",
      size: 1,
      name: "v1",
      bootable: "false",
      metadata: { k: "v" },
      volume_type: "__DEFAULT__",
    });
    expect(created.created_at).toMatch(ISO);
    await c.idle();
    const show = await c.call({ method: "GET", url: `${c.base}/volumes/${created.id}` });
    expect(show.statusCode).toBe(200);
    const v = show.json().volume;
    expect(sorted(Object.keys(v))).toEqual(sorted(VOLUME_ADMIN_SHOW_KEYS));
    expect(v.status).toBe("available");
    expect(v["os-vol-host-attr:host"]).toMatch(/.+@.+#.+/);
    expect(v["os-vol-tenant-attr:tenant_id"]).toBe(c.creds.projectId);
  });

  it("hides admin-only fields from a member", async () => {
    const id = await createVolume();
    const show = await c.call({ method: "GET", url: `${c.base}/volumes/${id}`, as: "member" });
    expect(sorted(Object.keys(show.json().volume))).toEqual(
      sorted([...VOLUME_BASE_KEYS, "os-vol-tenant-attr:tenant_id"]),
    );
  });

  it("adds the fields of later microversions at 3.70", async () => {
    const id = await createVolume();
    const v = (await c.call({ method: "GET", url: `${c.base}/volumes/${id}`, version: "3.70" })).json()
      .volume;
    for (const key of [
      "group_id",
      "provider_id",
      "shared_targets",
      "service_uuid",
      "cluster_name",
      "volume_type_id",
      "consumes_quota",
    ]) {
      expect(v).toHaveProperty([key]);
    }
    const at48 = (await c.call({ method: "GET", url: `${c.base}/volumes/${id}`, version: "3.48" })).json()
      .volume;
    // before 3.69 a null shared_targets is reported as true
    const stored = c.cloud.getVolume(
      { projectId: c.creds.projectId, userId: "x", isAdmin: true },
      id,
    ).sharedTargets;
    expect(at48.shared_targets).toBe(stored ?? true);
    expect(v.shared_targets).toBe(stored);
    expect(at48).not.toHaveProperty(["volume_type_id"]);
  });

  it("builds links with the project id only when the URL held it", async () => {
    const id = await createVolume();
    const withProject = (await c.call({ method: "GET", url: `${c.base}/volumes` })).json().volumes[0];
    expect(withProject.links).toEqual([
      { rel: "self", href: `http://127.0.0.1:8776/v3/${c.creds.projectId}/volumes/${id}` },
      { rel: "bookmark", href: `http://127.0.0.1:8776/${c.creds.projectId}/volumes/${id}` },
    ]);
    const without = (await c.call({ method: "GET", url: "/v3/volumes" })).json().volumes[0];
    expect(without.links).toEqual([
      { rel: "self", href: `http://127.0.0.1:8776/v3/volumes/${id}` },
      { rel: "bookmark", href: `http://127.0.0.1:8776/volumes/${id}` },
    ]);
  });

  it("paginates with limit and a next link, and counts at 3.45", async () => {
    for (let i = 0; i < 3; i++) await createVolume(1, `v${i}`);
    const page = (await c.call({ method: "GET", url: `${c.base}/volumes/detail?limit=2` })).json();
    expect(page.volumes).toHaveLength(2);
    const next = new URL(page.volumes_links[0].href);
    expect(next.pathname).toBe(`${c.base}/volumes/detail`);
    expect(next.searchParams.get("marker")).toBe(page.volumes[1].id);
    const rest = (await c.call({ method: "GET", url: `${next.pathname}${next.search}` })).json();
    expect(rest.volumes).toHaveLength(1);
    expect(rest.volumes_links).toBeUndefined();
    const counted = (
      await c.call({ method: "GET", url: `${c.base}/volumes?with_count=true&limit=1`, version: "3.45" })
    ).json();
    expect(counted.count).toBe(3);
    const old = (await c.call({ method: "GET", url: `${c.base}/volumes?with_count=true` })).json();
    expect(old.count).toBeUndefined();
  });

  it("filters the detail list by name with all_tenants=1 from a member (as cinderclient sends)", async () => {
    await createVolume(1, "alpha");
    await createVolume(1, "beta");
    const res = await c.call({
      method: "GET",
      url: `${c.base}/volumes/detail?all_tenants=1&name=beta`,
      as: "member",
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().volumes.map((v: { name: string }) => v.name)).toEqual(["beta"]);
  });

  it("answers os-set_bootable with 200 and os-reset_status with 202", async () => {
    const id = await createVolume();
    const boot = await c.call({
      method: "POST",
      url: `${c.base}/volumes/${id}/action`,
      payload: { "os-set_bootable": { bootable: "true" } },
    });
    expect(boot.statusCode).toBe(200);
    const reset = await c.call({
      method: "POST",
      url: `${c.base}/volumes/${id}/action`,
      payload: { "os-reset_status": { status: "error" } },
    });
    expect(reset.statusCode).toBe(202);
    const v = (await c.call({ method: "GET", url: `${c.base}/volumes/${id}` })).json().volume;
    expect(v).toMatchObject({ bootable: "true", status: "error" });
  });

  it("answers a quota overrun with overLimit, retryAfter and Retry-After", async () => {
    c.cloud.setQuotas({ projectId: c.creds.projectId, userId: "x", isAdmin: true }, c.creds.projectId, {
      volumes: 1,
    });
    await createVolume();
    const res = await c.call({ method: "POST", url: `${c.base}/volumes`, payload: { volume: { size: 1 } } });
    expect(res.statusCode).toBe(413);
    expect(res.headers["retry-after"]).toBe("0");
    expect(res.json()).toEqual({
      overLimit: {
        code: 413,
        message: "VolumeLimitExceeded: Maximum number of volumes allowed (1) exceeded for quota 'volumes'.",
        retryAfter: "0",
      },
    });
  });
});

describe("backups", () => {
  it("creates with 202 and {id, name, links} only, then shows the 3.0 detail", async () => {
    const vid = await createVolume();
    const res = await c.call({
      method: "POST",
      url: `${c.base}/backups`,
      payload: {
        backup: {
          volume_id: vid,
          container: null,
          name: "bk",
          description: null,
          incremental: false,
          force: false,
          snapshot_id: null,
        },
      },
    });
    expect(res.statusCode).toBe(202);
    expect(sorted(Object.keys(res.json().backup))).toEqual(["id", "links", "name"]);
    const id = res.json().backup.id;
    const during = (await c.call({ method: "GET", url: `${c.base}/volumes/${vid}` })).json().volume;
    expect(during.status).toBe("backing-up");
    await c.idle();
    const show = await c.call({ method: "GET", url: `${c.base}/backups/${id}` });
    expect(show.statusCode).toBe(200);
    const b = show.json().backup;
    expect(sorted(Object.keys(b))).toEqual(sorted(BACKUP_BASE_KEYS));
    expect(b).toMatchObject({
      status: "available",
      container: "backups",
      object_count: 0,
      availability_zone: null,
      is_incremental: false,
      has_dependent_backups: false,
      fail_reason: null,
      volume_id: vid,
      size: 1,
    });
    expect(b.data_timestamp).toMatch(ISO);
  });

  it("adds project, metadata and user_id for admins at 3.70, and metadata only for members", async () => {
    const bid = await createBackup(await createVolume());
    const admin = (await c.call({ method: "GET", url: `${c.base}/backups/${bid}`, version: "3.70" })).json()
      .backup;
    expect(sorted(Object.keys(admin))).toEqual(
      sorted([...BACKUP_BASE_KEYS, "os-backup-project-attr:project_id", "metadata", "user_id"]),
    );
    const member = (
      await c.call({ method: "GET", url: `${c.base}/backups/${bid}`, version: "3.70", as: "member" })
    ).json().backup;
    expect(sorted(Object.keys(member))).toEqual(sorted([...BACKUP_BASE_KEYS, "metadata"]));
  });

  it("lists without backups_links or count unless asked", async () => {
    const vid = await createVolume();
    await createBackup(vid);
    const list = (await c.call({ method: "GET", url: `${c.base}/backups` })).json();
    expect(Object.keys(list)).toEqual(["backups"]);
    expect(sorted(Object.keys(list.backups[0]))).toEqual(["id", "links", "name"]);
    const detail = (await c.call({ method: "GET", url: `${c.base}/backups/detail` })).json();
    expect(Object.keys(detail)).toEqual(["backups"]);
  });

  it("refuses metadata below 3.43 with jsonschema's text and accepts it at 3.43", async () => {
    const vid = await createVolume();
    const old = await c.call({
      method: "POST",
      url: `${c.base}/backups`,
      payload: { backup: { volume_id: vid, metadata: { a: "b" } } },
    });
    expect(old.statusCode).toBe(400);
    expect(old.json().badRequest.message).toBe(
      `Invalid input for field/attribute backup. Value: {'volume_id': '${vid}', 'metadata': {'a': 'b'}}. Additional properties are not allowed ('metadata' was unexpected)`,
    );
    const ok = await c.call({
      method: "POST",
      url: `${c.base}/backups`,
      version: "3.43",
      payload: { backup: { volume_id: vid, metadata: { a: "b" } } },
    });
    expect(ok.statusCode).toBe(202);
  });

  it("exports (admin), refuses a member with 403, imports with 201 and restores into a new volume", async () => {
    const vid = await createVolume();
    const bid = await createBackup(vid);
    const member = await c.call({
      method: "GET",
      url: `${c.base}/backups/${bid}/export_record`,
      as: "member",
    });
    expect(member.statusCode).toBe(403);
    expect(member.json().forbidden.code).toBe(403);
    expect(member.json().forbidden.message).toMatch(/^Policy doesn't allow backup:.+ to be performed\.$/);
    const exported = await c.call({ method: "GET", url: `${c.base}/backups/${bid}/export_record` });
    expect(exported.statusCode).toBe(200);
    const record = exported.json()["backup-record"];
    expect(record.backup_service).toBe("cinder.backup.drivers.ceph.CephBackupDriver");
    const again = await c.call({
      method: "POST",
      url: `${c.base}/backups/import_record`,
      payload: { "backup-record": record },
    });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toEqual({
      badRequest: { code: 400, message: "Invalid backup: Backup already exists in database." },
    });

    const restore = await c.call({
      method: "POST",
      url: `${c.base}/backups/${bid}/restore`,
      payload: { restore: {} },
    });
    expect(restore.statusCode).toBe(202);
    const body = restore.json().restore;
    expect(sorted(Object.keys(body))).toEqual(["backup_id", "volume_id", "volume_name"]);
    expect(body.backup_id).toBe(bid);
    expect(typeof body.volume_name).toBe("string");
    await c.idle();
    const restored = (await c.call({ method: "GET", url: `${c.base}/volumes/${body.volume_id}` })).json()
      .volume;
    expect(restored.status).toBe("available");
  });

  it("resets status (admin, 202) and refuses a member with 403", async () => {
    const bid = await createBackup(await createVolume());
    const member = await c.call({
      method: "POST",
      url: `${c.base}/backups/${bid}/action`,
      as: "member",
      payload: { "os-reset_status": { status: "error" } },
    });
    expect(member.statusCode).toBe(403);
    const admin = await c.call({
      method: "POST",
      url: `${c.base}/backups/${bid}/action`,
      payload: { "os-reset_status": { status: "error" } },
    });
    expect(admin.statusCode).toBe(202);
    await c.idle();
    expect((await c.call({ method: "GET", url: `${c.base}/backups/${bid}` })).json().backup.status).toBe(
      "error",
    );
  });

  it("answers force delete on the ceph driver with 405 badMethod", async () => {
    const bid = await createBackup(await createVolume());
    const res = await c.call({
      method: "POST",
      url: `${c.base}/backups/${bid}/action`,
      payload: { "os-force_delete": null },
    });
    expect(res.statusCode).toBe(405);
    expect(res.json()).toEqual({
      badMethod: { code: 405, message: "Operation not supported: force delete." },
    });
  });
});

describe("malformed input gets Cinder's 4xx bodies, never a 500", () => {
  it("bad JSON", async () => {
    const res = await c.call({
      method: "POST",
      url: `${c.base}/volumes`,
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ badRequest: { code: 400, message: "Malformed request body" } });
  });

  it("wrong types", async () => {
    const res = await c.call({
      method: "POST",
      url: `${c.base}/volumes`,
      payload: { volume: { size: "ten" } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().badRequest.message).toBe(
      "Invalid input for field/attribute size. Value: ten. 'ten' does not match '^[0-9]+$'",
    );
    const notObject = await c.call({ method: "POST", url: `${c.base}/backups`, payload: { backup: 5 } });
    expect(notObject.statusCode).toBe(400);
    expect(notObject.json().badRequest.message).toBe(
      "Invalid input for field/attribute backup. Value: 5. 5 is not of type 'object'",
    );
  });

  it("an unknown action, and an action body with two keys", async () => {
    const id = await createVolume();
    const unknown = await c.call({
      method: "POST",
      url: `${c.base}/volumes/${id}/action`,
      payload: { "os-frobnicate": {} },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().badRequest.message).toBe(
      "There is no such action: os-frobnicate. Verify the request body and Content-Type header and try again.",
    );
    const two = await c.call({
      method: "POST",
      url: `${c.base}/volumes/${id}/action`,
      payload: { "os-extend": { new_size: 2 }, x: 1 },
    });
    expect(two.json()).toEqual({ badRequest: { code: 400, message: "Malformed request body" } });
  });

  it("a backup_url that is not base64, and one that is not a record", async () => {
    const notBase64 = await c.call({
      method: "POST",
      url: `${c.base}/backups/import_record`,
      payload: { "backup-record": { backup_service: "cinder.backup.drivers.ceph", backup_url: "abcde" } },
    });
    expect(notBase64.statusCode).toBe(400);
    expect(notBase64.json().badRequest.message).toBe(
      "Invalid input for field/attribute backup_url. Value: abcde. 'abcde' is not a 'base64'",
    );
    const notJson = await c.call({
      method: "POST",
      url: `${c.base}/backups/import_record`,
      payload: {
        "backup-record": {
          backup_service: "cinder.backup.drivers.ceph",
          backup_url: Buffer.from("garbage").toString("base64"),
        },
      },
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().badRequest.message).toMatch(
      /^Invalid input received: Can't (parse|decode) backup record\.$/,
    );
  });

  it("a body over osapi_max_request_body_size is refused by sizelimit with 413", async () => {
    const res = await c.call({
      method: "POST",
      url: `${c.base}/volumes`,
      payload: { volume: { size: 1, name: "x".repeat(200_000) } },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({
      message: "Request is too large. Larger than max_request_body_size (114688).<br /><br />\n\n\n",
      code: "413 Request Entity Too Large",
      title: "Request Entity Too Large",
    });
  });

  it("a long name inside the limit is a 400", async () => {
    const res = await c.call({
      method: "POST",
      url: `${c.base}/volumes`,
      payload: { volume: { size: 1, name: "x".repeat(256) } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().badRequest.message).toMatch(
      /^Invalid input for field\/attribute name\. Value: x+\. 'x+' is too long$/,
    );
  });

  it("an unsupported content type (415) and an unknown path (404)", async () => {
    const type = await c.call({
      method: "POST",
      url: `${c.base}/volumes`,
      headers: { "content-type": "text/xml" },
      payload: "<volume/>",
    });
    expect(type.statusCode).toBe(415);
    expect(type.json()).toEqual({ badMediaType: { code: 415, message: "Unsupported Content-Type" } });
    const path = await c.call({ method: "GET", url: `${c.base}/no-such-thing` });
    expect(path.statusCode).toBe(404);
  });
});

describe("other resources", () => {
  it("limits has exactly the ten absolute keys tempest allows", async () => {
    const res = await c.call({ method: "GET", url: `${c.base}/limits` });
    expect(res.statusCode).toBe(200);
    expect(res.json().limits.rate).toEqual([]);
    expect(sorted(Object.keys(res.json().limits.absolute))).toEqual(
      sorted([
        "totalSnapshotsUsed",
        "maxTotalBackups",
        "maxTotalVolumeGigabytes",
        "maxTotalSnapshots",
        "maxTotalBackupGigabytes",
        "totalBackupGigabytesUsed",
        "maxTotalVolumes",
        "totalVolumesUsed",
        "totalBackupsUsed",
        "totalGigabytesUsed",
      ]),
    );
  });

  it("shows quota sets with defaults and usage, and lets only an admin change them", async () => {
    const url = `${c.base}/os-quota-sets/${c.creds.projectId}`;
    const plain = (await c.call({ method: "GET", url })).json().quota_set;
    expect(plain).toMatchObject({
      id: c.creds.projectId,
      volumes: 10,
      gigabytes: 1000,
      backups: 10,
      backup_gigabytes: 1000,
    });
    await createVolume(2);
    const usage = (await c.call({ method: "GET", url: `${url}?usage=true` })).json().quota_set;
    expect(usage.volumes).toEqual({ limit: 10, in_use: 1, reserved: 0 });
    expect(usage.gigabytes).toEqual({ limit: 1000, in_use: 2, reserved: 0 });
    const member = await c.call({
      method: "PUT",
      url,
      as: "member",
      payload: { quota_set: { volumes: 20 } },
    });
    expect(member.statusCode).toBe(403);
    const admin = await c.call({ method: "PUT", url, payload: { quota_set: { volumes: 20 } } });
    expect(admin.statusCode).toBe(200);
    expect(admin.json().quota_set.volumes).toBe(20);
  });

  it("lists services (admin) with the backup service, types and availability zones", async () => {
    const services = (await c.call({ method: "GET", url: `${c.base}/os-services` })).json().services;
    expect(services.map((s: { binary: string }) => s.binary)).toContain("cinder-backup");
    const member = await c.call({ method: "GET", url: `${c.base}/os-services`, as: "member" });
    expect(member.statusCode).toBe(403);
    const types = (await c.call({ method: "GET", url: `${c.base}/types` })).json().volume_types;
    expect(types.map((t: { name: string }) => t.name)).toContain("__DEFAULT__");
    const zones = (await c.call({ method: "GET", url: `${c.base}/os-availability-zone` })).json();
    expect(zones.availabilityZoneInfo[0]).toEqual({ zoneName: "nova", zoneState: { available: true } });
  });

  it("attaches through the attachments API (3.27+, complete at 3.44) to make a volume in-use", async () => {
    const id = await createVolume();
    const created = await c.call({
      method: "POST",
      url: `${c.base}/attachments`,
      version: "3.44",
      payload: {
        attachment: {
          volume_uuid: id,
          instance_uuid: "11111111-2222-4333-8444-555555555555",
          connector: {
            initiator: null,
            ip: null,
            platform: "x86_64",
            host: null,
            os_type: "linux2",
            multipath: false,
            mountpoint: null,
          },
          mode: "rw",
        },
      },
    });
    expect(created.statusCode).toBe(200);
    const attachmentId = created.json().attachment.id;
    const complete = await c.call({
      method: "POST",
      url: `${c.base}/attachments/${attachmentId}/action`,
      version: "3.44",
      payload: { "os-complete": null },
    });
    expect(complete.statusCode).toBe(204);
    const v = (await c.call({ method: "GET", url: `${c.base}/volumes/${id}` })).json().volume;
    expect(v.status).toBe("in-use");
    expect(v.attachments[0]).toMatchObject({
      attachment_id: attachmentId,
      server_id: "11111111-2222-4333-8444-555555555555",
      volume_id: id,
      id,
    });
    const backup = await c.call({
      method: "POST",
      url: `${c.base}/backups`,
      payload: { backup: { volume_id: id } },
    });
    expect(backup.json()).toEqual({
      badRequest: {
        code: 400,
        message: "Invalid volume: Backing up an in-use volume must use the force flag.",
      },
    });
    const tooOld = await c.call({
      method: "POST",
      url: `${c.base}/attachments`,
      version: "3.26",
      payload: {},
    });
    expect(tooOld.statusCode).toBe(404);
  });

  it("transfers a volume: create (auth_key once), show, list, accept", async () => {
    const id = await createVolume();
    const created = await c.call({
      method: "POST",
      url: `${c.base}/os-volume-transfer`,
      payload: { transfer: { volume_id: id, name: "t" } },
    });
    expect(created.statusCode).toBe(202);
    const t = created.json().transfer;
    expect(t.auth_key).toEqual(expect.any(String));
    const show = (await c.call({ method: "GET", url: `${c.base}/os-volume-transfer/${t.id}` })).json()
      .transfer;
    expect(show.auth_key).toBeUndefined();
    expect(show.volume_id).toBe(id);
    const list = (await c.call({ method: "GET", url: `${c.base}/os-volume-transfer` })).json().transfers;
    expect(list.map((x: { id: string }) => x.id)).toEqual([t.id]);
    const accepted = await c.call({
      method: "POST",
      url: `${c.base}/os-volume-transfer/${t.id}/accept`,
      payload: { accept: { auth_key: t.auth_key } },
    });
    expect(accepted.statusCode).toBe(202);
  });
});

describe("control plane", () => {
  it("health, injected HTTP faults, reset and the manual clock", async () => {
    expect((await c.app.inject({ method: "GET", url: "/_fake/health" })).json()).toMatchObject({
      status: "ok",
      cluster: "a",
    });
    const fault = await c.app.inject({
      method: "POST",
      url: "/_fake/faults",
      payload: { operation: "backup.create", count: 1, action: { kind: "http", status: 503 } },
    });
    expect(fault.statusCode).toBe(201);
    const vid = await createVolume();
    const refused = await c.call({
      method: "POST",
      url: `${c.base}/backups`,
      payload: { backup: { volume_id: vid } },
    });
    expect(refused.statusCode).toBe(503);
    expect(Object.keys(refused.json())).toEqual(["serviceUnavailable"]);
    const next = await c.call({
      method: "POST",
      url: `${c.base}/backups`,
      payload: { backup: { volume_id: vid } },
    });
    expect(next.statusCode).toBe(202);
    const advanced = await c.app.inject({
      method: "POST",
      url: "/_fake/clock/advance",
      payload: { ms: 60_000 },
    });
    expect(advanced.statusCode).toBe(200);
    expect(
      (await c.call({ method: "GET", url: `${c.base}/backups/${next.json().backup.id}` })).json().backup
        .status,
    ).toBe("available");
    expect((await c.app.inject({ method: "POST", url: "/_fake/reset" })).statusCode).toBe(204);
    expect((await c.app.inject({ method: "GET", url: "/_fake/state" })).json().volumes).toEqual([]);
  });
});
