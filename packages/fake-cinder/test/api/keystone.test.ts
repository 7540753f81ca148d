import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Identity, type StandardCredentials, standardIdentity } from "../../src/api/identity.js";
import { buildKeystoneApp } from "../../src/api/keystone/app.js";

const UNAUTHORIZED = {
  error: { code: 401, message: "The request you have made requires authentication.", title: "Unauthorized" },
};

let now = new Date("2026-01-01T12:00:00Z");
let identity: Identity;
let creds: StandardCredentials;
let app: FastifyInstance;

function passwordAuth(user: string, password: string, scope?: unknown) {
  return {
    auth: {
      identity: {
        methods: ["password"],
        password: { user: { name: user, domain: { name: "Default" }, password } },
      },
      ...(scope === undefined ? {} : { scope }),
    },
  };
}

beforeEach(() => {
  now = new Date("2026-01-01T12:00:00Z");
  ({ identity, credentials: creds } = standardIdentity({ tokenTtlMs: 60_000, now: () => now }));
  app = buildKeystoneApp({
    identity,
    catalog: () => [
      {
        id: "0123456789abcdef0123456789abcdef",
        type: "volumev3",
        name: "cinderv3",
        endpoints: [
          { interface: "public", url: "http://127.0.0.1:8776/v3/%(project_id)s" },
          { interface: "internal", url: "http://127.0.0.1:8776/v3/%(project_id)s" },
        ],
      },
    ],
  });
});
afterEach(async () => {
  await app.close();
});

describe("Keystone v3 discovery", () => {
  it("GET /v3 answers 200 with the v3.14 version document", async () => {
    const res = await app.inject({ method: "GET", url: "/v3", headers: { host: "127.0.0.1:5000" } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      version: {
        id: "v3.14",
        status: "stable",
        updated: "2020-04-07T00:00:00Z",
        links: [{ rel: "self", href: "http://127.0.0.1:5000/v3/" }],
        "media-types": [{ base: "application/json", type: "application/vnd.openstack.identity-v3+json" }],
      },
    });
  });

  it("GET / answers 300 with versions.values", async () => {
    const res = await app.inject({ method: "GET", url: "/" });
    expect(res.statusCode).toBe(300);
    expect(res.json().versions.values[0].id).toBe("v3.14");
  });
});

describe("POST /v3/auth/tokens", () => {
  it("issues a project-scoped token with X-Subject-Token and a volumev3 catalog", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/v3/auth/tokens",
      payload: passwordAuth("admin", creds.adminUser.password, {
        project: { name: "admin", domain: { name: "Default" } },
      }),
    });
    expect(res.statusCode).toBe(201);
    const tokenId = res.headers["x-subject-token"];
    expect(typeof tokenId).toBe("string");
    expect(String(tokenId).length).toBeGreaterThan(32);
    const token = res.json().token;
    expect(token.methods).toEqual(["password"]);
    expect(token.user).toMatchObject({ id: creds.adminUser.id, name: "admin", domain: { id: "default" } });
    expect(token.project).toEqual({
      domain: { id: "default", name: "Default" },
      id: creds.projectId,
      name: "admin",
    });
    expect(token.roles.map((r: { name: string }) => r.name).sort()).toEqual(["admin", "member", "reader"]);
    expect(token.expires_at).toBe("2026-01-01T12:01:00.000000Z");
    expect(token.issued_at).toBe("2026-01-01T12:00:00.000000Z");
    const volume = token.catalog.find((s: { type: string }) => s.type === "volumev3");
    expect(volume.endpoints).toEqual([
      expect.objectContaining({
        interface: "public",
        region: "RegionOne",
        region_id: "RegionOne",
        url: `http://127.0.0.1:8776/v3/${creds.projectId}`,
      }),
      expect.objectContaining({ interface: "internal", url: `http://127.0.0.1:8776/v3/${creds.projectId}` }),
    ]);
  });

  it("scopes by project id and gives a member only member and reader", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/v3/auth/tokens",
      payload: passwordAuth("member", creds.memberUser.password, { project: { id: creds.projectId } }),
    });
    expect(res.statusCode).toBe(201);
    expect(
      res
        .json()
        .token.roles.map((r: { name: string }) => r.name)
        .sort(),
    ).toEqual(["member", "reader"]);
  });

  it("answers a wrong password with Keystone's 401 body and WWW-Authenticate", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/v3/auth/tokens",
      headers: { host: "127.0.0.1:5000" },
      payload: passwordAuth("admin", "wrong", { project: { id: creds.projectId } }),
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual(UNAUTHORIZED);
    expect(res.headers["www-authenticate"]).toBe('Keystone uri="http://127.0.0.1:5000"');
  });

  it("refuses a project the user holds no role on with the same 401", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/v3/auth/tokens",
      payload: passwordAuth("admin", creds.adminUser.password, { project: { id: "nope" } }),
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual(UNAUTHORIZED);
  });

  it("re-scopes with the token method and keeps the original expiry", async () => {
    const first = await app.inject({
      method: "POST",
      url: "/v3/auth/tokens",
      payload: passwordAuth("admin", creds.adminUser.password),
    });
    expect(first.statusCode).toBe(201);
    expect(first.json().token.catalog).toBeUndefined();
    now = new Date(now.getTime() + 30_000);
    const second = await app.inject({
      method: "POST",
      url: "/v3/auth/tokens",
      payload: {
        auth: {
          identity: { methods: ["token"], token: { id: first.headers["x-subject-token"] } },
          scope: { project: { id: creds.projectId } },
        },
      },
    });
    expect(second.statusCode).toBe(201);
    expect(second.json().token.methods).toEqual(["token", "password"]);
    expect(second.json().token.expires_at).toBe(first.json().token.expires_at);
  });

  it("answers a malformed body with 400 and never 500", async () => {
    for (const payload of ["{not json", JSON.stringify({ auth: {} }), JSON.stringify([1])]) {
      const res = await app.inject({
        method: "POST",
        url: "/v3/auth/tokens",
        headers: { "content-type": "application/json" },
        payload,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 400, title: "Bad Request" });
    }
  });
});

describe("token validation and expiry", () => {
  async function issue(): Promise<string> {
    const res = await app.inject({
      method: "POST",
      url: "/v3/auth/tokens",
      payload: passwordAuth("admin", creds.adminUser.password, { project: { id: creds.projectId } }),
    });
    return String(res.headers["x-subject-token"]);
  }

  it("validates a token with X-Auth-Token and X-Subject-Token", async () => {
    const token = await issue();
    const res = await app.inject({
      method: "GET",
      url: "/v3/auth/tokens",
      headers: { "x-auth-token": token, "x-subject-token": token },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["x-subject-token"]).toBe(token);
    expect(res.json().token.project.id).toBe(creds.projectId);
  });

  it("expires tokens after the configured lifetime", async () => {
    const token = await issue();
    now = new Date(now.getTime() + 60_000);
    expect(identity.validate(token)).toBeUndefined();
    const res = await app.inject({
      method: "GET",
      url: "/v3/auth/tokens",
      headers: { "x-auth-token": token, "x-subject-token": token },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual(UNAUTHORIZED);
  });

  it("answers an unknown subject token with 404", async () => {
    const token = await issue();
    const res = await app.inject({
      method: "GET",
      url: "/v3/auth/tokens",
      headers: { "x-auth-token": token, "x-subject-token": "gAAAAAbogus" },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toEqual({
      code: 404,
      message: "Could not find token: gAAAAAbogus.",
      title: "Not Found",
    });
  });

  it("revokes a token on DELETE", async () => {
    const token = await issue();
    const other = await issue();
    const res = await app.inject({
      method: "DELETE",
      url: "/v3/auth/tokens",
      headers: { "x-auth-token": other, "x-subject-token": token },
    });
    expect(res.statusCode).toBe(204);
    expect(identity.validate(token)).toBeUndefined();
    expect(identity.validate(other)).toBeDefined();
  });
});
