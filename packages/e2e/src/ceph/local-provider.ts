import { spawn } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { StartedCluster } from "./started-cluster.js";
import { type CephProvider, CephProviderError, type CephStartOptions, type StartedCeph } from "./types.js";

// src/ceph and dist/ceph are both four levels below the repository root
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
export const LOCAL_UP = join(REPO_ROOT, "scripts/ceph/local-up.sh");
export const LOCAL_DOWN = join(REPO_ROOT, "scripts/ceph/local-down.sh");

/** What local-up.sh runs; without them it exits 3. */
const LOCAL_BINARIES = ["ceph-mon", "ceph-osd", "ceph", "rbd", "monmaptool", "ceph-authtool"];

function onPath(bin: string): boolean {
  return (process.env.PATH ?? "")
    .split(delimiter)
    .filter(Boolean)
    .some((dir) => {
      try {
        accessSync(join(dir, bin), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runScript(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<ScriptResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn("bash", [script, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString("utf8");
    });
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString("utf8");
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** local-up.sh prints the conf path; older recipes print `export CEPH_CONF=...`. */
export function parseConfPath(stdout: string): string | undefined {
  const last = stdout.trim().split("\n").at(-1)?.trim();
  if (!last) return undefined;
  return last.replace(/^export\s+CEPH_CONF=/, "").replace(/^["']|["']$/g, "");
}

export interface LocalProviderOptions {
  /** Where the cluster lives; default a new directory under the OS temp dir. */
  baseDir?: string;
  /** Marks the cluster's directory, for stopSessionClusters(); default CINDERLAB_CEPH_SESSION. */
  session?: string;
}

const DIR_PREFIX = "cinderlab-ceph-local-";

/**
 * Stops every cluster a session's local providers left running (a test process that died
 * before its afterAll) and returns their directories. The safety net of global teardown.
 */
export async function stopSessionClusters(session: string, baseDir = tmpdir()): Promise<string[]> {
  const prefix = `${DIR_PREFIX}${session}-`;
  const left = (await readdir(baseDir)).filter((d) => d.startsWith(prefix)).map((d) => join(baseDir, d));
  for (const parent of left) {
    await runScript(LOCAL_DOWN, [join(parent, "cluster")], process.env, 60_000);
    await rm(parent, { recursive: true, force: true });
  }
  return left;
}

/**
 * A throwaway single-node cluster from the Ceph packages installed on this machine
 * (scripts/ceph/local-up.sh: mon + memstore OSD on 127.0.0.1, daemons tracked by PID).
 */
export class LocalCephProvider implements CephProvider {
  readonly name = "local" as const;
  readonly #baseDir: string | undefined;
  readonly #session: string | undefined;

  constructor(options: LocalProviderOptions = {}) {
    this.#baseDir = options.baseDir;
    this.#session = options.session ?? process.env.CINDERLAB_CEPH_SESSION;
  }

  async unavailableReason(): Promise<string | undefined> {
    const missing = LOCAL_BINARIES.filter((bin) => !onPath(bin));
    if (missing.length > 0) {
      return `Ceph binaries not installed: ${missing.join(", ")} (Debian: ceph-mon ceph-osd ceph-common)`;
    }
    if (!existsSync(LOCAL_UP)) return `${LOCAL_UP} is missing`;
    return undefined;
  }

  async start(options: CephStartOptions = {}): Promise<StartedCeph> {
    const pools = options.pools ?? ["rbd"];
    const tag = this.#session === undefined ? "" : `${this.#session}-`;
    const parent = await mkdtemp(join(this.#baseDir ?? tmpdir(), `${DIR_PREFIX}${tag}`));
    const dir = join(parent, "cluster");
    const down = async () => {
      const r = await runScript(LOCAL_DOWN, [dir], process.env, 60_000);
      await rm(parent, { recursive: true, force: true });
      if (r.code !== 0) throw new Error(`local-down.sh ${dir} exited ${r.code}: ${r.stderr.trim()}`);
    };
    const env = { ...process.env, CEPH_POOLS: pools.join(" "), CEPH_MGR: options.manager ? "1" : "0" };
    const up = await runScript(LOCAL_UP, [dir], env, 180_000);
    const confPath = up.code === 0 ? parseConfPath(up.stdout) : undefined;
    if (confPath === undefined) {
      await down().catch(() => {});
      throw new CephProviderError(
        up.code === 3 ? "PROVIDER_UNAVAILABLE" : "START_FAILED",
        `local-up.sh could not start a cluster (exit ${up.code})`,
        { script: LOCAL_UP, dir, stderr: up.stderr.trim().split("\n").slice(-10).join("\n") },
      );
    }
    return new StartedCluster({
      provider: this.name,
      confPath,
      keyringPath: join(dirname(confPath), "ceph.client.admin.keyring"),
      clientName: "admin",
      pools,
      teardown: down,
    });
  }
}
