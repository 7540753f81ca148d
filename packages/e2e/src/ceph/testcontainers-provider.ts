import { rm } from "node:fs/promises";
import { dirname } from "node:path";
import { CephContainer, DEFAULT_CEPH_IMAGE, type StartedCephContainer } from "./ceph-container.js";
import { dockerEngineAnswers, imageExists, SESSION_LABEL } from "./docker-engine.js";
import { StartedCluster } from "./started-cluster.js";
import { type CephProvider, CephProviderError, type CephStartOptions, type StartedCeph } from "./types.js";

export interface TestcontainersProviderOptions {
  /** Default: CEPH_IMAGE, else cinderlab/ceph:16.2 (scripts/docker/build-ceph-image.sh). */
  image?: string;
  /** Labels containers for removeSessionContainers(); default CINDERLAB_CEPH_SESSION. */
  session?: string;
}

/** Ceph in a container per start (testcontainers); the default where a Docker engine answers. */
export class TestcontainersCephProvider implements CephProvider {
  readonly name = "testcontainers" as const;
  readonly image: string;
  readonly #session: string | undefined;

  constructor(options: TestcontainersProviderOptions = {}) {
    this.image = options.image ?? process.env.CEPH_IMAGE ?? DEFAULT_CEPH_IMAGE;
    this.#session = options.session ?? process.env.CINDERLAB_CEPH_SESSION;
  }

  async unavailableReason(): Promise<string | undefined> {
    if (!(await dockerEngineAnswers()))
      return "no Docker engine answers (scripts/docker/dockerd-up.sh starts one)";
    if (!(await imageExists(this.image))) {
      return `image ${this.image} is not on the Docker engine (scripts/docker/build-ceph-image.sh builds it)`;
    }
    return undefined;
  }

  async start(options: CephStartOptions = {}): Promise<StartedCeph> {
    const pools = options.pools ?? ["rbd"];
    if (!(await imageExists(this.image))) {
      throw new CephProviderError(
        "PROVIDER_UNAVAILABLE",
        `image ${this.image} is not on this Docker engine; build it with scripts/docker/build-ceph-image.sh`,
        { image: this.image },
      );
    }
    const container = new CephContainer(this.image).withPools(pools).withManager(options.manager ?? true);
    if (this.#session !== undefined) container.withLabels({ [SESSION_LABEL]: this.#session });
    let started: StartedCephContainer;
    try {
      started = await container.start();
    } catch (e) {
      // testcontainers has already stopped and removed a container that never became ready
      const why = e instanceof Error ? e.message : String(e);
      throw new CephProviderError(
        "START_FAILED",
        `Ceph container (${this.image}) did not become healthy: ${why}`,
        { image: this.image },
        { cause: e },
      );
    }
    // the entrypoint stops its daemons on SIGTERM at once, so a short grace is enough;
    // stopping also removes the client files
    const teardown = async () => {
      try {
        await started.stop({ timeout: 5, remove: true });
      } finally {
        // stop() skips its cleanup when the container is already gone (swept)
        await rm(dirname(started.getConfPath()), { recursive: true, force: true });
      }
    };
    try {
      const cluster = new StartedCluster({
        provider: this.name,
        confPath: started.getConfPath(),
        keyringPath: started.getKeyringPath(),
        clientName: started.getClientName(),
        pools: started.getPools(),
        teardown,
      });
      // Healthy inside is not enough: the host must reach the monitor and OSD on the
      // container's bridge address (a firewall or an engine in a VM breaks that).
      const probe = await cluster.rbd(["ls", pools[0] ?? "rbd"], { timeoutMs: 30_000 });
      if (probe.exitCode !== 0) {
        throw new CephProviderError(
          "CLUSTER_UNREACHABLE",
          `the Ceph container is healthy but rbd on this host cannot reach it at ${started.getMonitorAddress()}`,
          { monitor: started.getMonitorHost(), stderr: probe.stderr.trim() },
        );
      }
      return cluster;
    } catch (e) {
      await teardown().catch(() => {});
      throw e;
    }
  }
}
