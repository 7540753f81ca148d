import { existsSync } from "node:fs";
import { access } from "node:fs/promises";
import { dirname, join } from "node:path";
import { StartedCluster } from "./started-cluster.js";
import { type CephProvider, CephProviderError, type CephStartOptions, type StartedCeph } from "./types.js";

export interface ExternalCephSettings {
  confPath: string;
  keyringPath: string;
  clientName: string;
  /** Pools the tests may use, which must exist; empty means "the pools the tests ask for". */
  pools: string[];
}

/**
 * Reads an existing cluster's settings from the environment:
 * CEPH_CONF (required), CEPH_KEYRING (default: ceph.client.<id>.keyring beside the conf),
 * CEPH_CLIENT (cephx id without `client.`, default admin), CEPH_POOLS (space-separated).
 */
export function externalSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ExternalCephSettings {
  const confPath = env.CEPH_CONF;
  if (!confPath) {
    throw new CephProviderError(
      "CONFIG_MISSING",
      "CEPH_PROVIDER=external needs CEPH_CONF (and CEPH_KEYRING, CEPH_CLIENT, CEPH_POOLS) of an existing cluster",
    );
  }
  const clientName = (env.CEPH_CLIENT ?? "admin").replace(/^client\./, "");
  return {
    confPath,
    clientName,
    keyringPath: env.CEPH_KEYRING ?? join(dirname(confPath), `ceph.client.${clientName}.keyring`),
    pools: (env.CEPH_POOLS ?? "").split(/\s+/).filter(Boolean),
  };
}

/**
 * An existing cluster (a staging Ceph). It starts and stops nothing: it checks the pools
 * are reachable, and on stop removes the images the tests made through scratchName().
 */
export class ExternalCephProvider implements CephProvider {
  readonly name = "external" as const;
  readonly #settings: ExternalCephSettings;

  constructor(settings: ExternalCephSettings = externalSettingsFromEnv()) {
    this.#settings = settings;
  }

  async unavailableReason(): Promise<string | undefined> {
    for (const file of [this.#settings.confPath, this.#settings.keyringPath]) {
      if (!existsSync(file)) return `cannot read ${file} (CEPH_CONF / CEPH_KEYRING)`;
    }
    return undefined;
  }

  async start(options: CephStartOptions = {}): Promise<StartedCeph> {
    const s = this.#settings;
    const pools = s.pools.length > 0 ? s.pools : [...(options.pools ?? ["rbd"])];
    for (const file of [s.confPath, s.keyringPath]) {
      await access(file).catch(() => {
        throw new CephProviderError("CONFIG_MISSING", `cannot read ${file}`, { file });
      });
    }
    const cluster: StartedCluster = new StartedCluster({
      provider: this.name,
      confPath: s.confPath,
      keyringPath: s.keyringPath,
      clientName: s.clientName,
      pools,
      teardown: () => cluster.removeScratchImages(),
    });
    for (const pool of pools) {
      const r = await cluster.rbd(["ls", pool], { timeoutMs: 30_000 });
      if (r.exitCode !== 0) {
        throw new CephProviderError(
          r.stderr.includes("No such file") ? "POOL_MISSING" : "CLUSTER_UNREACHABLE",
          `rbd ls ${pool} failed on the external cluster (client.${s.clientName}, ${s.confPath})`,
          { pool, stderr: r.stderr.trim() },
        );
      }
    }
    return cluster;
  }
}
