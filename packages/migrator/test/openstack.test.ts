import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AuthError, ConfigError, ConnectionFailed } from "../src/errors.js";
import { cloudFromEnv, loadCloud, parseOpenrc } from "../src/openstack/config.js";
import { connectCinder } from "../src/openstack/connect.js";

const dir = mkdtempSync(join(tmpdir(), "cm-os-"));

describe("where credentials come from", () => {
  it("reads a named cloud from OS_CLIENT_CONFIG_FILE first", () => {
    const file = join(dir, "clouds.yaml");
    writeFileSync(
      file,
      [
        "clouds:",
        "  A:",
        "    auth:",
        "      auth_url: http://ks-a:5000/v3",
        "      username: admin",
        "      password: s3cret",
        "      project_name: admin",
        "      user_domain_name: Default",
        "      project_domain_name: Default",
        "    region_name: RegionOne",
        "    cacert: /etc/ssl/a.pem",
        "  B:",
        "    auth_type: v3applicationcredential",
        "    auth:",
        "      auth_url: http://ks-b:5000",
        "      application_credential_id: ac1",
        "      application_credential_secret: shh",
        "    verify: false",
        "  N:",
        "    auth_type: noauth",
        "    auth: { user_id: u, project_id: p }",
        "    block_storage_endpoint_override: http://c:8776/v3",
      ].join("\n"),
    );
    const env = { OS_CLIENT_CONFIG_FILE: file, HOME: dir };
    expect(loadCloud("A", { env })).toMatchObject({
      label: "A",
      authType: "password",
      authUrl: "http://ks-a:5000/v3",
      username: "admin",
      projectName: "admin",
      cacert: "/etc/ssl/a.pem",
      insecure: false,
    });
    expect(loadCloud("B", { env })).toMatchObject({ authType: "v3applicationcredential", insecure: true });
    expect(loadCloud("N", { env })).toMatchObject({
      authType: "noauth",
      endpoint: "http://c:8776/v3",
      projectId: "p",
    });
    expect(() => loadCloud("C", { env })).toThrow(
      new ConfigError(`unknown cloud "C" in ${file} (known: A, B, N)`),
    );
    expect(() => loadCloud("A", { env: { HOME: dir }, cwd: `${dir}/nowhere` })).toThrow(
      /unknown cloud "A": no clouds.yaml found/,
    );
  });

  it("reads an openrc without running a shell, and refuses incomplete credentials", () => {
    const rc = parseOpenrc(
      "# comment\nunset OS_TOKEN\nexport OS_AUTH_URL='http://ks:5000/v3'\nexport OS_USERNAME=\"admin\"\nexport OS_PASSWORD='p w'\nexport OS_PROJECT_NAME=admin\n",
    );
    expect(rc).toEqual({
      OS_AUTH_URL: "http://ks:5000/v3",
      OS_USERNAME: "admin",
      OS_PASSWORD: "p w",
      OS_PROJECT_NAME: "admin",
    });
    expect(cloudFromEnv(rc, "a.openrc")).toMatchObject({ authType: "password", password: "p w" });
    expect(() => cloudFromEnv({ OS_AUTH_URL: "http://x/v3", OS_USERNAME: "u" }, "rc")).toThrow(
      "rc: password auth needs a password (OS_PASSWORD)",
    );
    expect(
      cloudFromEnv(
        { OS_AUTH_TYPE: "noauth", OS_USER_ID: "u", OS_PROJECT_ID: "p", CINDER_ENDPOINT: "http://c/v3/p" },
        "rc",
      ),
    ).toMatchObject({
      authType: "noauth",
      endpoint: "http://c/v3/p",
    });
  });
});

/** A Keystone + Cinder stand-in that issues short-lived tokens and records what it was sent. */
function stubCloud() {
  const seen: { method: string; url: string; headers: IncomingMessage["headers"]; body: string }[] = [];
  let issued = 0;
  const valid = new Set<string>();
  let base = "";
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(JSON.stringify(value));
      };
      if (req.method === "POST" && req.url === "/v3/auth/tokens") {
        const auth = JSON.parse(body).auth;
        const pw = auth.identity.password?.user?.password;
        if (auth.identity.methods[0] === "password" && pw !== "right") {
          return json(401, {
            error: {
              code: 401,
              message: "The request you have made requires authentication.",
              title: "Unauthorized",
            },
          });
        }
        const token = `tok-${++issued}`;
        valid.add(token);
        return json(
          201,
          {
            token: {
              expires_at: "2099-01-01T00:00:00.000000Z",
              user: { id: "u1", name: "admin" },
              project: { id: "p1", name: "admin" },
              roles: [{ name: auth.identity.password?.user?.name === "member" ? "member" : "admin" }],
              catalog: [
                {
                  type: "volumev3",
                  endpoints: [{ interface: "public", region: "RegionOne", url: `${base}/v3/%(project_id)s` }],
                },
              ],
            },
          },
          { "x-subject-token": token },
        );
      }
      if (req.url === "/")
        return json(300, { versions: [{ id: "v3.0", version: "3.70", min_version: "3.0" }] });
      const token = String(req.headers["x-auth-token"] ?? "");
      if (!valid.has(token)) return json(401, { error: { message: "expired" } });
      if (req.url === "/v3/p1/volumes/v1") {
        return json(200, {
          volume: {
            id: "v1",
            name: "n",
            description: null,
            size: 1,
            status: "available",
            volume_type: "__DEFAULT__",
            availability_zone: "nova",
            metadata: {},
            bootable: "true",
            attachments: [],
          },
        });
      }
      if (req.url === "/v3/p1/volumes/missing")
        return json(404, { itemNotFound: { code: 404, message: "Volume missing could not be found." } });
      return json(404, { itemNotFound: { code: 404, message: "The resource could not be found." } });
    });
  });
  return {
    seen,
    expire: () => valid.clear(),
    start: () =>
      new Promise<string>((resolve) =>
        server.listen(0, "127.0.0.1", () => {
          base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
          resolve(base);
        }),
      ),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe("Keystone v3 and the Cinder client over HTTP", () => {
  let stub: ReturnType<typeof stubCloud> | undefined;
  afterEach(async () => stub?.close());

  const password = (base: string, user = "admin", pw = "right") =>
    cloudFromEnv(
      {
        OS_AUTH_URL: `${base}/v3`,
        OS_USERNAME: user,
        OS_PASSWORD: pw,
        OS_PROJECT_NAME: "admin",
        OS_USER_DOMAIN_NAME: "Default",
      },
      "A",
    );

  it("authenticates, finds Cinder in the catalog, negotiates 3.70 and re-authenticates once when the token dies", async () => {
    stub = stubCloud();
    const base = await stub.start();
    const cinder = await connectCinder(password(base), { requireAdmin: "export" });
    expect(cinder.microversion).toBe("3.70");
    expect(cinder.session.cinderEndpoint).toBe(`${base}/v3/p1`);
    expect((await cinder.getVolume("v1"))?.bootable).toBe(true);
    stub.expire();
    expect((await cinder.getVolume("v1"))?.id).toBe("v1");
    const tokenPosts = stub.seen.filter((s) => s.url === "/v3/auth/tokens");
    expect(tokenPosts).toHaveLength(2);
    const gets = stub.seen.filter((s) => s.url === "/v3/p1/volumes/v1");
    expect(gets.map((g) => g.headers["x-auth-token"])).toEqual(["tok-1", "tok-1", "tok-2"]);
    expect(gets[0]?.headers["openstack-api-version"]).toBe("volume 3.70");
    expect(await cinder.getVolume("missing")).toBeUndefined();
    // the password went to Keystone only, in the body
    expect(stub.seen.filter((s) => s.body.includes("right")).map((s) => s.url)).toEqual([
      "/v3/auth/tokens",
      "/v3/auth/tokens",
    ]);
  });

  it("says plainly when the credentials are wrong or the user is not admin", async () => {
    stub = stubCloud();
    const base = await stub.start();
    const wrong = connectCinder(password(base, "admin", "wrong"));
    await expect(wrong).rejects.toBeInstanceOf(AuthError);
    await expect(wrong).rejects.toThrow(
      "A: Keystone refused the credentials: The request you have made requires authentication.",
    );
    await expect(connectCinder(password(base, "member"), { requireAdmin: "backup import" })).rejects.toThrow(
      /A: backup import needs the admin role .* the token has roles: member/,
    );
  });

  it("sends Cinder noauth tokens the way cinderclient does", async () => {
    stub = stubCloud();
    const base = await stub.start();
    const cinder = await connectCinder(
      cloudFromEnv(
        { OS_AUTH_TYPE: "noauth", OS_USER_ID: "u", OS_PROJECT_ID: "p1", CINDER_ENDPOINT: `${base}/v3` },
        "N",
      ),
    );
    expect(cinder.isAdmin).toBe(true);
    await expect(cinder.getVolume("v1")).rejects.toThrow(/N: Cinder refused the noauth token/);
    const last = stub.seen.at(-1);
    expect(last?.url).toBe("/v3/p1/volumes/v1");
    expect(last?.headers["x-auth-token"]).toBe("u:p1");
    expect(last?.headers["x-project-id"]).toBe("p1");
  });

  it("names an unreachable endpoint", async () => {
    const cloud = cloudFromEnv(
      { OS_AUTH_URL: "http://127.0.0.1:9/v3", OS_USERNAME: "a", OS_PASSWORD: "b", OS_PROJECT_NAME: "c" },
      "A",
    );
    await expect(connectCinder(cloud, { http: { attempts: 1 } })).rejects.toBeInstanceOf(ConnectionFailed);
    await expect(connectCinder(cloud, { http: { attempts: 1 } })).rejects.toThrow(
      /cannot reach http:\/\/127.0.0.1:9\/v3\/auth\/tokens: ECONNREFUSED/,
    );
  });
});
