import { randomBytes } from "node:crypto";
import { expectOk, identityArgs, runCephTool } from "./rbd-runner.js";
import type { CephProviderName, RbdOptions, RbdResult, StartedCeph } from "./types.js";

export interface StartedClusterInit {
  provider: CephProviderName;
  confPath: string;
  keyringPath: string;
  clientName: string;
  pools: readonly string[];
  /** Tears the cluster (or the provider's traces on it) down; called at most once. */
  teardown: () => Promise<void>;
  /** rbd binary; tests of the provider seam may swap it. */
  rbdCommand?: string;
}

/** The StartedCeph every provider hands out; providers differ only in setup and teardown. */
export class StartedCluster implements StartedCeph {
  readonly provider: CephProviderName;
  readonly confPath: string;
  readonly keyringPath: string;
  readonly clientName: string;
  readonly pools: readonly string[];
  /** Prefix of every scratchName(); unique per start so parallel runs never collide. */
  readonly scratchPrefix = `cinderlab-e2e-${randomBytes(3).toString("hex")}-`;
  readonly #teardown: () => Promise<void>;
  readonly #rbdCommand: string;
  #stopping: Promise<void> | undefined;

  constructor(init: StartedClusterInit) {
    this.provider = init.provider;
    this.confPath = init.confPath;
    this.keyringPath = init.keyringPath;
    this.clientName = init.clientName;
    this.pools = init.pools;
    this.#teardown = init.teardown;
    this.#rbdCommand = init.rbdCommand ?? "rbd";
  }

  scratchName(base: string): string {
    return `${this.scratchPrefix}${base}`;
  }

  rbd(args: readonly string[], options?: RbdOptions): Promise<RbdResult> {
    return runCephTool(this.#rbdCommand, [...identityArgs(this), ...args], options);
  }

  clientEnv(): Record<string, string> {
    // CEPH_ARGS is read by every ceph tool and librados client, so children need no flags
    return {
      CEPH_CONF: this.confPath,
      CEPH_ARGS: `--id ${this.clientName} --keyring ${this.keyringPath}`,
    };
  }

  /** Idempotent, and safe to call concurrently (afterAll and a dispose may both run). */
  stop(): Promise<void> {
    this.#stopping ??= this.#teardown();
    return this.#stopping;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /**
   * Removes every image this start created through scratchName(), snapshots first
   * (unprotecting them; clones go before their parents by retrying). Used where the
   * cluster outlives the tests.
   */
  async removeScratchImages(): Promise<void> {
    let left: string[] = [];
    for (const pool of this.pools) {
      const listed = expectOk(await this.rbd(["ls", "--format", "json", pool]));
      const names = JSON.parse(listed.stdout.toString("utf8")) as string[];
      left.push(...names.filter((n) => n.startsWith(this.scratchPrefix)).map((n) => `${pool}/${n}`));
    }
    // a parent cannot go while a clone (possibly in another pool) exists: retry in passes
    for (let pass = 0; left.length > 0 && pass < 5; pass++) {
      const failed: string[] = [];
      for (const spec of left) {
        if (!(await this.#removeImage(spec))) failed.push(spec);
      }
      left = failed;
    }
    if (left.length > 0) throw new Error(`could not remove test images: ${left.join(", ")}`);
  }

  async #removeImage(spec: string): Promise<boolean> {
    const snaps = await this.rbd(["snap", "ls", "--format", "json", spec]);
    if (snaps.exitCode === 0) {
      const list = JSON.parse(snaps.stdout.toString("utf8")) as { name: string; protected?: string }[];
      for (const s of list) {
        if (s.protected === "true") await this.rbd(["snap", "unprotect", `${spec}@${s.name}`]);
      }
      await this.rbd(["snap", "purge", "--no-progress", spec]);
    }
    return (await this.rbd(["rm", "--no-progress", spec])).exitCode === 0;
  }
}
