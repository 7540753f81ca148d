// A lab: fake clusters (a Keystone and a Cinder each, each with its own volume Ceph)
// sharing one backup Ceph, the way a real migration between two OpenStack clouds looks.
// `startLab` is the programmatic API other test suites use (like moto or testcontainers);
// `fake-cinder lab` is the same thing as a command. Everything binds 127.0.0.1 unless told
// otherwise and `close()` frees every port.
import { randomBytes } from "node:crypto";
import { chmod, mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LocalRbd, type RbdBackend, RemoteRbd, startRbdServer } from "@cinderlab/fake-rbd";
import { buildCinderApp } from "./api/cinder/app.js";
import { type Identity, standardIdentity } from "./api/identity.js";
import { buildKeystoneApp, type CatalogService } from "./api/keystone/app.js";
import {
  CinderCloud,
  type Clock,
  DEFAULT_DELAYS,
  type Delays,
  type FaultPlan,
  ManualClock,
  RealClock,
  type ReleaseProfile,
} from "./model/index.js";
import { listenOn } from "./server.js";
import { LabView } from "./view/server.js";

export interface LabClusterOptions {
  name: string;
  release?: ReleaseProfile;
  /** the volume pool in this cluster's own Ceph (default "volumes") */
  volumePool?: string;
  keystonePort?: number;
  cinderPort?: number;
  noauthPort?: number;
}

export interface LabOptions {
  /** default: clusters "a" and "b", both Zed */
  clusters?: LabClusterOptions[];
  /** loopback unless told otherwise */
  host?: string;
  /** the shared backup pool (Cinder's backup_ceph_pool; default "backups") */
  backupPool?: string;
  /** Ceph cluster name of the shared backup Ceph (default "backup") */
  backupCluster?: string;
  /**
   * Where the fake Ceph lives: in this process (default), optionally served over HTTP so
   * `fake-rbd` and other processes see the same Ceph (`serveRbd`), or a running fake-rbd
   * server (`rbdUrl`).
   */
  rbdUrl?: string;
  serveRbd?: boolean;
  /**
   * A Ceph to use instead of the fake one, e.g. `RbdCliBackend` over a real cluster (its
   * cluster names: each cluster's name for its volume pool, `backupCluster` for the backups).
   * Takes precedence over rbdUrl; nothing is served over HTTP then.
   */
  rbd?: RbdBackend;
  /** volume pool per cluster name, for clusters that set none (e.g. two roles on one real Ceph) */
  volumePools?: Record<string, string>;
  rbdPort?: number;
  /** "real" (default) moves statuses after the delays; "manual" moves them on lab.clock.advance() */
  clock?: "real" | "manual" | Clock;
  /** per-step delays; `delayMs` sets every step to the same delay */
  delays?: Partial<Delays>;
  delayMs?: number;
  tokenTtlMs?: number;
  /** serve /_fake/* on each Cinder (default true) */
  control?: boolean;
  /** default quotas for every project of every cluster */
  quotas?: ConstructorParameters<typeof CinderCloud>[0]["quotas"];
  logger?: boolean;
  /** serve the live web view (clusters, backup pool, timeline) on its own port */
  view?: boolean;
  viewPort?: number;
}

export interface LabUser {
  id: string;
  name: string;
  password: string;
  role: "admin" | "member";
}

export interface LabCluster {
  name: string;
  release: ReleaseProfile;
  cloud: CinderCloud;
  identity: Identity;
  faults: FaultPlan;
  /** Keystone, e.g. http://127.0.0.1:5000 (OS_AUTH_URL is this + /v3) */
  keystoneUrl: string;
  authUrl: string;
  /** Cinder behind Keystone auth (the catalog's volumev3 base, without /v3) */
  cinderUrl: string;
  /** the same cloud behind Cinder's noauth strategy */
  noauthUrl: string;
  /** the volumev3 endpoint as the catalog lists it: <cinderUrl>/v3/<projectId> */
  volumeEndpoint: string;
  projectId: string;
  projectName: string;
  admin: LabUser;
  member: LabUser;
  volumePool: string;
  /** the Ceph cluster name of this cluster's volume Ceph */
  rbdCluster: string;
  /** openrc text for `cinder`/`openstack`: password auth as admin or member, or Cinder noauth */
  openrc(persona: "admin" | "member" | "noauth"): string;
}

export interface LabDescription {
  clusters: Record<
    string,
    {
      keystone: string;
      authUrl: string;
      cinder: string;
      cinderNoauth: string;
      volumeEndpoint: string;
      projectId: string;
      projectName: string;
      release: ReleaseProfile;
      volumePool: string;
      rbdCluster: string;
      openrc: Record<string, string>;
    }
  >;
  rbd: { url?: string };
  backupPool: string;
  backupCluster: string;
  /** the live web view, when served */
  view?: { url: string };
}

export interface Lab {
  clusters: Record<string, LabCluster>;
  cluster(name: string): LabCluster;
  /** the fake Ceph holding every cluster's volume pool and the backup pool */
  rbd: RbdBackend;
  /** set when the Ceph is reachable over HTTP (served by the lab or given) */
  rbdUrl: string | undefined;
  backupPool: string;
  backupCluster: string;
  clock: Clock;
  /** the live web view's page, when served (`view: true`) */
  viewUrl: string | undefined;
  /** with a manual clock: moves time, runs due steps and waits for their driver work */
  advance(ms: number): Promise<void>;
  /** resolves once no cluster has driver work in flight */
  settled(): Promise<void>;
  /** clean state in every cluster (volumes, backups, faults) and an empty Ceph with the pools */
  reset(): Promise<void>;
  /** writes `<dir>/<cluster>-<persona>.openrc` (mode 0600) and returns their paths */
  writeOpenrc(dir: string): Promise<Record<string, Record<string, string>>>;
  describe(openrcPaths?: Record<string, Record<string, string>>): LabDescription;
  close(): Promise<void>;
}

const secret = (): string => randomBytes(12).toString("base64url");

function uniformDelays(ms: number): Delays {
  const out = { ...DEFAULT_DELAYS };
  for (const key of Object.keys(out) as Array<keyof Delays>) out[key] = key.endsWith("PerGiB") ? 0 : ms;
  return out;
}

/** single-quoted for sh: the value can hold anything */
const sh = (value: string): string => `'${value.replaceAll("'", `'"'"'`)}'`;

export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const host = options.host ?? "127.0.0.1";
  const backupPool = options.backupPool ?? "backups";
  const backupCluster = options.backupCluster ?? "backup";
  const clusterOptions = options.clusters ?? [{ name: "a" }, { name: "b" }];
  const clock: Clock =
    options.clock === "manual"
      ? new ManualClock(Date.now())
      : options.clock === undefined || options.clock === "real"
        ? new RealClock()
        : options.clock;
  const delays = {
    ...(options.delayMs === undefined ? {} : uniformDelays(options.delayMs)),
    ...options.delays,
  };
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    clock.cancelAll();
    // last opened, first closed; every closer runs even when one fails
    const errors: unknown[] = [];
    for (const closer of closers.splice(0).reverse()) {
      try {
        await closer();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  };

  try {
    let rbd: RbdBackend;
    let rbdUrl: string | undefined;
    let local: LocalRbd | undefined;
    if (options.rbd) {
      rbd = options.rbd;
    } else if (options.rbdUrl) {
      const remote = new RemoteRbd({ url: options.rbdUrl });
      closers.push(() => remote.close());
      rbd = remote;
      rbdUrl = remote.url;
    } else {
      local = new LocalRbd();
      rbd = local;
      if (options.serveRbd) {
        const server = await startRbdServer({
          backend: local,
          host,
          port: options.rbdPort ?? 0,
          clusters: [...clusterOptions.map((c) => c.name), backupCluster],
          reset: () => lab.reset(),
        });
        closers.push(() => server.close());
        rbdUrl = server.url;
      }
    }

    const createPools = async () => {
      await ensurePool(rbd, backupPool, backupCluster);
      for (const c of clusterOptions)
        await ensurePool(rbd, c.volumePool ?? options.volumePools?.[c.name] ?? "volumes", c.name);
    };
    await createPools();

    const view = options.view
      ? new LabView({ rbd, backupPool, backupCluster, now: () => clock.now() })
      : undefined;
    if (view) closers.push(() => view.close());

    const clusters: Record<string, LabCluster> = {};
    for (const c of clusterOptions) {
      clusters[c.name] = await startCluster(c);
    }

    async function startCluster(c: LabClusterOptions): Promise<LabCluster> {
      const release = c.release ?? "zed";
      const volumePool = c.volumePool ?? options.volumePools?.[c.name] ?? "volumes";
      const { identity, credentials } = standardIdentity({
        adminPassword: secret(),
        memberPassword: secret(),
        now: () => clock.now(),
        ...(options.tokenTtlMs === undefined ? {} : { tokenTtlMs: options.tokenTtlMs }),
      });
      const { projectId } = credentials;
      const admin: LabUser = { ...credentials.adminUser, role: "admin" };
      const member: LabUser = { ...credentials.memberUser, role: "member" };
      const cloud = new CinderCloud({
        name: c.name,
        clock,
        rbd,
        volumePool,
        volumeCluster: c.name,
        backupRbd: rbd,
        backupPool,
        backupCluster,
        release,
        delays,
        host: `${c.name}-controller`,
        ...(options.quotas === undefined ? {} : { quotas: options.quotas }),
      });
      closers.push(async () => cloud.reset());

      // Ports are known only after listening, so the catalog reads them late.
      const urls = { keystone: "", cinder: "" };
      const catalog = (): CatalogService[] => [
        {
          id: `${c.name}0000volumev3000000000000000`.slice(0, 32).padEnd(32, "0"),
          type: "volumev3",
          name: "cinderv3",
          endpoints: (["public", "internal", "admin"] as const).map((i) => ({
            interface: i,
            url: `${urls.cinder}/v3/%(project_id)s`,
          })),
        },
        {
          id: `${c.name}0000blockstorage00000000000`.slice(0, 32).padEnd(32, "0"),
          type: "block-storage",
          name: "cinder",
          endpoints: (["public", "internal", "admin"] as const).map((i) => ({
            interface: i,
            url: `${urls.cinder}/v3/%(project_id)s`,
          })),
        },
        {
          id: `${c.name}0000identity0000000000000000`.slice(0, 32).padEnd(32, "0"),
          type: "identity",
          name: "keystone",
          endpoints: (["public", "internal", "admin"] as const).map((i) => ({
            interface: i,
            url: `${urls.keystone}/v3/`,
          })),
        },
        {
          id: `${c.name}0000image00000000000000000000`.slice(0, 32).padEnd(32, "0"),
          type: "image",
          name: "glance",
          endpoints: [{ interface: "public", url: `${urls.keystone}/image` }],
        },
      ];
      const logger = options.logger ?? false;
      const keystone = buildKeystoneApp({ identity, catalog, logger });
      closers.push(() => keystone.close());
      urls.keystone = await listenOn(keystone, host, c.keystonePort);
      const cinder = buildCinderApp({
        cloud,
        identity,
        auth: "keystone",
        keystoneUrl: urls.keystone,
        control: options.control ?? true,
        logger,
      });
      closers.push(() => cinder.close());
      view?.attach(cinder, c.name);
      urls.cinder = await listenOn(cinder, host, c.cinderPort);
      const noauth = buildCinderApp({ cloud, auth: "noauth", control: options.control ?? true, logger });
      closers.push(() => noauth.close());
      view?.attach(noauth, c.name);
      view?.watch(c.name, cloud);
      const noauthUrl = await listenOn(noauth, host, c.noauthPort);

      const authUrl = `${urls.keystone}/v3`;
      // the fake Ceph, for `fake-rbd --cluster <name> -p <pool> ls` after sourcing
      const rbdLines = rbdUrl
        ? [
            `# fake-rbd sees this Ceph: fake-rbd ls --cluster ${c.name} -p ${volumePool}; backups: fake-rbd ls --cluster ${backupCluster} -p ${backupPool}`,
            `export FAKE_RBD_URL=${sh(rbdUrl)}`,
          ]
        : [];
      const passwordRc = (user: LabUser) =>
        [
          `# fake-cinder lab, cluster ${c.name} (${release}): ${user.name} (${user.role}), password auth through the fake Keystone`,
          "unset OS_AUTH_TYPE OS_TOKEN OS_USER_ID OS_PROJECT_ID OS_ENDPOINT CINDER_ENDPOINT OS_VOLUME_API_VERSION",
          `export OS_AUTH_URL=${sh(authUrl)}`,
          "export OS_IDENTITY_API_VERSION=3",
          `export OS_USERNAME=${sh(user.name)}`,
          `export OS_PASSWORD=${sh(user.password)}`,
          "export OS_PROJECT_NAME='admin'",
          "export OS_USER_DOMAIN_NAME='Default'",
          "export OS_PROJECT_DOMAIN_NAME='Default'",
          "export OS_REGION_NAME='RegionOne'",
          "export OS_INTERFACE='public'",
          ...rbdLines,
          "",
        ].join("\n");
      const noauthRc = () =>
        [
          `# fake-cinder lab, cluster ${c.name} (${release}): Cinder noauth (no Keystone; the token is user:project, admin)`,
          "unset OS_AUTH_URL OS_USERNAME OS_PASSWORD OS_PROJECT_NAME OS_USER_DOMAIN_NAME OS_PROJECT_DOMAIN_NAME OS_TOKEN OS_ENDPOINT",
          "export OS_AUTH_TYPE='noauth'",
          `export OS_USER_ID=${sh(admin.id)}`,
          `export OS_PROJECT_ID=${sh(projectId)}`,
          `export CINDER_ENDPOINT=${sh(`${noauthUrl}/v3/${projectId}`)}`,
          ...rbdLines,
          "",
        ].join("\n");

      return {
        name: c.name,
        release,
        cloud,
        identity,
        faults: cloud.faults,
        keystoneUrl: urls.keystone,
        authUrl,
        cinderUrl: urls.cinder,
        noauthUrl,
        volumeEndpoint: `${urls.cinder}/v3/${projectId}`,
        projectId,
        projectName: "admin",
        admin,
        member,
        volumePool,
        rbdCluster: c.name,
        openrc: (persona) =>
          persona === "noauth" ? noauthRc() : passwordRc(persona === "admin" ? admin : member),
      };
    }

    const settled = async () => {
      for (const c of Object.values(clusters)) await c.cloud.settled();
    };
    const viewUrl = view ? await view.listen(host, options.viewPort ?? 0) : undefined;

    const lab: Lab = {
      clusters,
      cluster(name) {
        const found = clusters[name];
        if (!found)
          throw new Error(`the lab has no cluster "${name}" (it has ${Object.keys(clusters).join(", ")})`);
        return found;
      },
      rbd,
      rbdUrl,
      backupPool,
      backupCluster,
      clock,
      viewUrl,
      async advance(ms) {
        if (!(clock instanceof ManualClock))
          throw new Error("lab.advance() needs a lab started with clock: 'manual'");
        clock.advance(ms);
        await settled();
      },
      settled,
      async reset() {
        for (const c of Object.values(clusters)) {
          c.cloud.reset();
          c.identity.resetTokens();
        }
        if (local) local.ceph.reset();
        await createPools();
      },
      async writeOpenrc(dir) {
        await mkdir(dir, { recursive: true });
        const paths: Record<string, Record<string, string>> = {};
        for (const c of Object.values(clusters)) {
          const mine: Record<string, string> = {};
          for (const persona of ["admin", "member", "noauth"] as const) {
            const file = join(dir, `${c.name}-${persona}.openrc`);
            await writeFile(file, c.openrc(persona), { mode: 0o600 });
            await chmod(file, 0o600);
            mine[persona] = file;
          }
          paths[c.name] = mine;
        }
        return paths;
      },
      describe(openrcPaths = {}) {
        const out: LabDescription = { clusters: {}, rbd: {}, backupPool, backupCluster };
        if (rbdUrl) out.rbd.url = rbdUrl;
        if (viewUrl) out.view = { url: viewUrl };
        for (const c of Object.values(clusters)) {
          out.clusters[c.name] = {
            keystone: c.keystoneUrl,
            authUrl: c.authUrl,
            cinder: c.cinderUrl,
            cinderNoauth: c.noauthUrl,
            volumeEndpoint: c.volumeEndpoint,
            projectId: c.projectId,
            projectName: c.projectName,
            release: c.release,
            volumePool: c.volumePool,
            rbdCluster: c.rbdCluster,
            openrc: openrcPaths[c.name] ?? {},
          };
        }
        return out;
      },
      close,
    };
    return lab;
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

async function ensurePool(rbd: RbdBackend, pool: string, cluster: string): Promise<void> {
  const pools = await rbd.listPools(cluster);
  if (!pools.includes(pool)) {
    await rbd.createPool(pool, cluster);
    await rbd.initPool(pool, cluster);
  }
}

/** Writes JSON so a reader never sees half a file (write to a temp name, then rename). */
export async function writeJsonAtomically(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(tmp, file);
}
