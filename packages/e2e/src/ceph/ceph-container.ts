import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AbstractStartedContainer, GenericContainer, type StartedTestContainer, Wait } from "testcontainers";

/** The image scripts/docker/build-ceph-image.sh builds from Debian 12's Ceph 16.2 packages. */
export const DEFAULT_CEPH_IMAGE = "cinderlab/ceph:16.2";
/** Label on every container this module starts, so a crashed run's leftovers can be found. */
export const CEPH_CONTAINER_LABEL = "org.cinderlab.e2e";
const MON_V2_PORT = 3300;
const MON_V1_PORT = 6789;
const STARTUP_TIMEOUT_MS = 120_000;
/**
 * Written by the entrypoint once its daemons and pools are set up; the readiness probe
 * checks it first only to spare a booting 2-core machine a Python start every 100 ms.
 * For an image without it, pass withStartMarker(null).
 */
const STARTED_MARKER = "/run/cinderlab-ceph-started";

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * A single-node Ceph (mon, mgr, memstore OSD) in one container, in the testcontainers
 * idiom. Any image whose entrypoint honours CEPH_POOLS / CEPH_MGR / CEPH_CLIENTS and writes
 * /etc/ceph/ceph.conf and /etc/ceph/ceph.client.admin.keyring works (see
 * packages/e2e/docker/entrypoint.sh). Ready means HEALTH_OK, an available manager and a working `rbd ls` on every
 * pool, checked inside the container, then again from the host by the provider.
 */
export class CephContainer extends GenericContainer {
  #pools: string[] = ["rbd"];
  #withMgr = true;
  #startMarker: string | null = STARTED_MARKER;

  constructor(image = DEFAULT_CEPH_IMAGE) {
    super(image);
    this.withPullPolicy({ shouldPull: () => false })
      .withStartupTimeout(STARTUP_TIMEOUT_MS)
      .withLabels({ [CEPH_CONTAINER_LABEL]: "ceph" });
  }

  withPools(pools: readonly string[]): this {
    if (pools.length === 0) throw new Error("CephContainer needs at least one pool");
    this.#pools = [...pools];
    return this;
  }

  /** Without a manager rbd works, but health turns HEALTH_WARN (no mgr) after a while. */
  withManager(enabled: boolean): this {
    this.#withMgr = enabled;
    return this;
  }

  /** A file the image creates when its daemons are set up, or null to probe health at once. */
  withStartMarker(path: string | null): this {
    this.#startMarker = path;
    return this;
  }

  override async start(): Promise<StartedCephContainer> {
    const pools = [...this.#pools];
    // Each probe gives up after 5 s: before the monitor answers, ceph and rbd would
    // otherwise retry for minutes and outlive the startup timeout.
    const poolChecks = pools
      .map((p) => `rbd --client-mount-timeout 5 ls ${shellQuote(p)} >/dev/null`)
      .join(" && ");
    // One `ceph status` (a Python start) gives both health and the manager: the monitor
    // says HEALTH_OK before any manager has registered, so health alone is not enough.
    const status = "s=$(ceph --connect-timeout 5 status -f json)";
    const healthOk = `case "$s" in *'"health":{"status":"HEALTH_OK"'*) ;; *) exit 1 ;; esac`;
    const mgrUp = `case "$s" in *'"mgrmap":{"available":true'*) ;; *) exit 1 ;; esac`;
    const health = this.#withMgr ? `${status} && ${healthOk} && ${mgrUp}` : status;
    this.withEnvironment({
      CEPH_POOLS: pools.join(" "),
      CEPH_MGR: this.#withMgr ? "1" : "0",
    }).withWaitStrategy(
      Wait.forSuccessfulCommand(
        [this.#startMarker && `test -f ${shellQuote(this.#startMarker)}`, health, poolChecks]
          .filter(Boolean)
          .join(" && "),
      ),
    );
    const started = await super.start();
    try {
      const files = await writeClientFiles(started);
      return new StartedCephContainer(started, pools, files);
    } catch (e) {
      await started.stop({ timeout: 0, remove: true }).catch(() => {});
      throw e;
    }
  }
}

interface ClientFiles {
  dir: string;
  confPath: string;
  keyringPath: string;
}

async function readFileIn(container: StartedTestContainer, path: string): Promise<string> {
  const { exitCode, stdout, stderr } = await container.exec(["cat", path]);
  if (exitCode !== 0) throw new Error(`cannot read ${path} in container ${container.getId()}: ${stderr}`);
  return stdout;
}

function monitorAddress(container: StartedTestContainer): string {
  const network = container.getNetworkNames()[0];
  if (network === undefined) throw new Error(`container ${container.getId()} has no network`);
  return container.getIpAddress(network);
}

function monitorHost(ip: string): string {
  return `[v2:${ip}:${MON_V2_PORT},v1:${ip}:${MON_V1_PORT}]`;
}

/**
 * A client ceph.conf and the admin keyring in a new host directory. The conf names only
 * what a client needs (fsid, the monitor on the bridge address, the keyring), so nothing
 * points into the container's filesystem.
 */
async function writeClientFiles(container: StartedTestContainer): Promise<ClientFiles> {
  const dir = await mkdtemp(join(tmpdir(), "cinderlab-ceph-tc-"));
  const keyringPath = join(dir, "ceph.client.admin.keyring");
  const confPath = join(dir, "ceph.conf");
  try {
    const fsid = /^fsid\s*=\s*(\S+)/m.exec(await readFileIn(container, "/etc/ceph/ceph.conf"))?.[1];
    if (fsid === undefined) throw new Error(`no fsid in the ceph.conf of container ${container.getId()}`);
    await writeFile(keyringPath, await readFileIn(container, "/etc/ceph/ceph.client.admin.keyring"), {
      mode: 0o600,
    });
    const conf = [
      `# client view of testcontainers Ceph ${container.getId().slice(0, 12)}`,
      "[global]",
      `fsid = ${fsid}`,
      `mon host = ${monitorHost(monitorAddress(container))}`,
      "auth client required = cephx",
      "ms bind ipv6 = false",
      "[client]",
      `keyring = ${keyringPath}`,
      "log file = /dev/null",
      "",
    ].join("\n");
    await writeFile(confPath, conf);
    return { dir, confPath, keyringPath };
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * A running Ceph container with what a client on the docker host needs: a ceph.conf naming
 * the monitor on the container's bridge address, the admin keyring, and the pools. The
 * client files are removed when the container stops.
 */
export class StartedCephContainer extends AbstractStartedContainer {
  readonly #pools: readonly string[];
  readonly #files: ClientFiles;

  constructor(started: StartedTestContainer, pools: readonly string[], files: ClientFiles) {
    super(started);
    this.#pools = pools;
    this.#files = files;
  }

  getConfPath(): string {
    return this.#files.confPath;
  }

  getKeyringPath(): string {
    return this.#files.keyringPath;
  }

  /** cephx user of getKeyringPath(), as `rbd --id` takes it. */
  getClientName(): string {
    return "admin";
  }

  getPools(): readonly string[] {
    return this.#pools;
  }

  /** The bridge address: clients on the docker host reach the monitor (and OSD) there. */
  getMonitorAddress(): string {
    return monitorAddress(this);
  }

  getMonitorHost(): string {
    return monitorHost(this.getMonitorAddress());
  }

  protected override async containerStopped(): Promise<void> {
    await rm(this.#files.dir, { recursive: true, force: true });
  }
}
