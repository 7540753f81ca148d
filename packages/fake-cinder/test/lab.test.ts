// startLab end to end over real loopback sockets: Keystone password auth, the catalog,
// the whole cross-cluster procedure through both Cinders on a manual clock, bytes
// compared, and every port free after close().
import { createHash, randomBytes } from "node:crypto";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type Lab, startLab } from "../src/lab.js";

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

async function token(authUrl: string, user: string, password: string) {
  const res = await fetch(`${authUrl}/auth/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ["password"],
          password: { user: { name: user, domain: { name: "Default" }, password } },
        },
        scope: { project: { name: "admin", domain: { name: "Default" } } },
      },
    }),
  });
  expect(res.status).toBe(201);
  const body = (await res.json()) as {
    token: { catalog: Array<{ type: string; endpoints: Array<{ interface: string; url: string }> }> };
  };
  const volume = body.token.catalog.find((s) => s.type === "volumev3");
  const endpoint = volume?.endpoints.find((e) => e.interface === "public")?.url;
  if (!endpoint) throw new Error("no public volumev3 endpoint in the catalog");
  return { id: String(res.headers.get("x-subject-token")), endpoint };
}

function client(endpoint: string, tokenId: string) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${endpoint}${path}`, {
      method,
      headers: {
        "x-auth-token": tokenId,
        "openstack-api-version": "volume 3.70",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
  };
}

function portIsClosed(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

describe("startLab", () => {
  it("runs the cross-cluster procedure through Keystone and both Cinders, bytes intact", async () => {
    lab = await startLab({ clock: "manual", serveRbd: true });
    const a = lab.cluster("a");
    const b = lab.cluster("b");
    expect(a.volumeEndpoint).toBe(`${a.cinderUrl}/v3/${a.projectId}`);
    const ta = await token(a.authUrl, "admin", a.admin.password);
    expect(ta.endpoint).toBe(a.volumeEndpoint);
    const tb = await token(b.authUrl, "admin", b.admin.password);
    const callA = client(ta.endpoint, ta.id);
    const callB = client(tb.endpoint, tb.id);

    const source = await callA("POST", "/volumes", { volume: { size: 1, name: "src" } });
    expect(source.status).toBe(202);
    await lab.advance(10_000);
    const data = randomBytes(1024 * 1024);
    await lab.rbd.writeImage(a.cloud.volumeImageRef(source.body.volume.id), 4096, data);

    const backup = await callA("POST", "/backups", {
      backup: { volume_id: source.body.volume.id, name: "mig" },
    });
    expect(backup.status).toBe(202);
    await lab.advance(10_000);
    expect((await callA("GET", `/backups/${backup.body.backup.id}`)).body.backup.status).toBe("available");
    const exported = await callA("GET", `/backups/${backup.body.backup.id}/export_record`);
    expect(exported.status).toBe(200);

    const imported = await callB("POST", "/backups/import_record", exported.body);
    expect(imported.status).toBe(201);
    expect(imported.body.backup.id).toBe(backup.body.backup.id);
    const target = await callB("POST", "/volumes", { volume: { size: 1, name: "dst" } });
    await lab.advance(10_000);
    const restore = await callB("POST", `/backups/${backup.body.backup.id}/restore`, {
      restore: { volume_id: target.body.volume.id, name: null },
    });
    expect(restore.status).toBe(202);
    await lab.advance(10_000);
    expect((await callB("GET", `/volumes/${target.body.volume.id}`)).body.volume.status).toBe("available");

    const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
    const restored = await lab.rbd.readImage(
      b.cloud.volumeImageRef(target.body.volume.id),
      4096,
      data.length,
    );
    expect(sha(restored)).toBe(sha(data));
  });

  it("refuses a member's export with Cinder's 403 and serves noauth on its own port", async () => {
    lab = await startLab({ clock: "manual" });
    const a = lab.cluster("a");
    const tm = await token(a.authUrl, "member", a.member.password);
    const callMember = client(tm.endpoint, tm.id);
    const vol = await callMember("POST", "/volumes", { volume: { size: 1 } });
    await lab.advance(10_000);
    const backup = await callMember("POST", "/backups", { backup: { volume_id: vol.body.volume.id } });
    await lab.advance(10_000);
    const exported = await callMember("GET", `/backups/${backup.body.backup.id}/export_record`);
    expect(exported.status).toBe(403);
    expect(Object.keys(exported.body)).toEqual(["forbidden"]);
    const noauth = client(`${a.noauthUrl}/v3/${a.projectId}`, `${a.admin.id}:${a.projectId}`);
    const list = await noauth("GET", "/backups");
    expect(list.status).toBe(200);
    expect(list.body.backups).toHaveLength(1);
  });

  it("frees every port on close", async () => {
    lab = await startLab({ serveRbd: true });
    const urls = Object.values(lab.clusters).flatMap((c) => [c.keystoneUrl, c.cinderUrl, c.noauthUrl]);
    if (lab.rbdUrl) urls.push(lab.rbdUrl);
    expect(urls).toHaveLength(7);
    for (const url of urls) expect(await portIsClosed(url)).toBe(false);
    await lab.close();
    lab = undefined;
    for (const url of urls) expect(await portIsClosed(url)).toBe(true);
  });
});
