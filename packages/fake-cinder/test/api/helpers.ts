// A fake cluster for route tests: one CinderCloud over in-process Ceph on a manual clock,
// its Keystone identity, and Cinder apps with Keystone and noauth strategies (inject only).
import { LocalRbd } from "@cinderlab/fake-rbd";
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from "fastify";
import { buildCinderApp } from "../../src/api/cinder/app.js";
import { type Identity, type StandardCredentials, standardIdentity } from "../../src/api/identity.js";
import { CinderCloud, ManualClock, runUntilIdle } from "../../src/model/index.js";

export interface Cluster {
  clock: ManualClock;
  rbd: LocalRbd;
  cloud: CinderCloud;
  identity: Identity;
  creds: StandardCredentials;
  app: FastifyInstance;
  noauth: FastifyInstance;
  adminToken: string;
  memberToken: string;
  /** /v3/<project_id> */
  base: string;
  /** runs every due step and waits for the driver work */
  idle(): Promise<void>;
  /** inject as admin (default) or member at a microversion (default: no header = 3.0) */
  call(
    options: InjectOptions & { as?: "admin" | "member"; version?: string },
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function makeCluster(options: { quotas?: Record<string, number> } = {}): Promise<Cluster> {
  const clock = new ManualClock(Date.UTC(2026, 10, 25, 10, 0, 0, 123));
  const rbd = new LocalRbd();
  await rbd.createPool("volumes", "a");
  await rbd.createPool("backups", "backup");
  const cloud = new CinderCloud({
    name: "a",
    clock,
    rbd,
    volumePool: "volumes",
    volumeCluster: "a",
    backupRbd: rbd,
    backupPool: "backups",
    backupCluster: "backup",
    ...(options.quotas ? { quotas: options.quotas } : {}),
  });
  const { identity, credentials: creds } = standardIdentity({ now: () => clock.now() });
  const adminToken = identity.authenticatePassword(
    { name: "admin", domain: { id: "default" } },
    creds.adminUser.password,
    { id: creds.projectId },
  ).id;
  const memberToken = identity.authenticatePassword(
    { name: "member", domain: { id: "default" } },
    creds.memberUser.password,
    { id: creds.projectId },
  ).id;
  const app = buildCinderApp({ cloud, identity, keystoneUrl: "http://127.0.0.1:5000", control: true });
  const noauth = buildCinderApp({ cloud, auth: "noauth" });
  const base = `/v3/${creds.projectId}`;
  return {
    clock,
    rbd,
    cloud,
    identity,
    creds,
    app,
    noauth,
    adminToken,
    memberToken,
    base,
    idle: () => runUntilIdle([cloud]),
    call: ({ as = "admin", version, headers, ...rest }) =>
      app.inject({
        ...rest,
        headers: {
          host: "127.0.0.1:8776",
          "x-auth-token": as === "admin" ? adminToken : memberToken,
          ...(version ? { "openstack-api-version": `volume ${version}` } : {}),
          ...headers,
        },
      }),
    close: async () => {
      await app.close();
      await noauth.close();
      cloud.reset();
    },
  };
}
