// Start and stop the project's throwaway real Ceph (scripts/ceph/local-up.sh, local-down.sh)
// from a test, and run the real `rbd` against it. A test that uses it:
//
//   const ceph = await startLocalCeph({ pools: ["rbd"] });   // in beforeAll
//   await ceph.rbd(["create", "--size", "16M", "rbd/x"]);
//   await ceph.stop();                                         // in afterAll, always
//
// Each cluster gets its own directory under the OS temp dir and its own free loopback ports
// (local-up.sh picks them), so parallel test files do not collide.
import { execFile, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, constants, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../../..");
export const cephScripts = join(repoRoot, "scripts", "ceph");

/** The binaries local-up.sh needs; the rbd tests are only meaningful with all of them. */
const REQUIRED_BINARIES = ["ceph-mon", "ceph-osd", "ceph", "rbd", "monmaptool", "ceph-authtool"];

export function missingCephBinaries(): string[] {
  const dirs = (process.env.PATH ?? "").split(delimiter).filter(Boolean);
  return REQUIRED_BINARIES.filter(
    (bin) =>
      !dirs.some((dir) => {
        try {
          accessSync(join(dir, bin), constants.X_OK);
          return true;
        } catch {
          return false;
        }
      }),
  );
}

/** Why the live Ceph tests cannot run here, or undefined when they can. */
export function cephUnavailableReason(): string | undefined {
  const missing = missingCephBinaries();
  if (missing.length === 0) return undefined;
  return `Ceph binaries not installed: ${missing.join(", ")} (Debian: ceph-mon ceph-osd ceph-common)`;
}

export interface RbdResult {
  stdout: Buffer;
  stderr: string;
  exitCode: number;
}

export interface RbdRunOptions {
  /** bytes for rbd's stdin (used with `-` as a path) */
  input?: Uint8Array | Readable;
}

export interface LocalCeph {
  dir: string;
  conf: string;
  pools: string[];
  /** milliseconds local-up.sh took to a working `rbd pool init` */
  bringUpMs: number;
  /** `rbd -c CONF ...args`; never throws on a non-zero exit: look at exitCode */
  rbd(args: string[], options?: RbdRunOptions): Promise<RbdResult>;
  /** like rbd() but throws with rbd's stderr when it fails */
  rbdOk(args: string[], options?: RbdRunOptions): Promise<Buffer>;
  /** sha256 and byte count of `rbd export SPEC -`, hashed as it streams */
  exportSha256(spec: string): Promise<{ sha256: string; size: number }>;
  stop(): Promise<void>;
}

const cephTimeoutMs = 120_000;

function runScript(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      join(cephScripts, script),
      args,
      { env: { ...process.env, ...env }, timeout: cephTimeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new Error(`${script} ${args.join(" ")} failed (${error.message.split("\n")[0]}):\n${stderr}`),
          );
        } else {
          resolvePromise(stdout);
        }
      },
    );
  });
}

function runRbd(conf: string, args: string[], options: RbdRunOptions = {}): Promise<RbdResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn("rbd", ["-c", conf, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill("SIGKILL"), cephTimeoutMs);
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    // rbd may exit before reading all of stdin (e.g. a bad banner): that is not our error
    child.stdin.on("error", () => {});
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString("utf8"),
        exitCode: code ?? (signal ? 128 : 1),
      });
    });
    const { input } = options;
    if (input === undefined) child.stdin.end();
    else if (input instanceof Uint8Array) child.stdin.end(input);
    else input.pipe(child.stdin);
  });
}

function exportSha256(conf: string, spec: string): Promise<{ sha256: string; size: number }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn("rbd", ["-c", conf, "export", "--no-progress", spec, "-"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const hash = createHash("sha256");
    let size = 0;
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      hash.update(chunk);
      size += chunk.length;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolvePromise({ sha256: hash.digest("hex"), size });
      else reject(new Error(`rbd export ${spec} exited ${code}: ${stderr.trim()}`));
    });
  });
}

/**
 * Every cluster this process started and has not stopped yet, stopped when the process exits
 * without afterAll having run (local-up.sh's CEPH_OWNER_PID watcher covers a SIGKILL).
 */
const running = new Set<string>();
let exitHookInstalled = false;
function stopAllAtExit(): void {
  for (const dir of running) {
    try {
      execFileSync(join(cephScripts, "local-down.sh"), [dir], { stdio: "ignore", timeout: 30_000 });
    } catch {
      // best effort: the process is exiting anyway
    }
  }
}

export async function startLocalCeph(options: { pools?: string[]; mgr?: boolean } = {}): Promise<LocalCeph> {
  const pools = options.pools ?? ["rbd"];
  const dir = mkdtempSync(join(tmpdir(), "cinderlab-ceph-"));
  if (!exitHookInstalled) {
    process.once("exit", stopAllAtExit);
    exitHookInstalled = true;
  }
  running.add(dir);
  const started = performance.now();
  let conf: string;
  try {
    // local-up.sh stops whatever it started when it fails; this only forgets the dir
    conf = (
      await runScript("local-up.sh", [dir], {
        CEPH_POOLS: pools.join(" "),
        CEPH_MGR: options.mgr ? "1" : "0",
        // if this process is killed outright, the cluster stops itself
        CEPH_OWNER_PID: String(process.pid),
      })
    ).trim();
  } catch (error) {
    running.delete(dir);
    await runScript("local-down.sh", [dir], {}).catch(() => {});
    throw error;
  }
  const bringUpMs = Math.round(performance.now() - started);
  let stopped = false;
  return {
    dir,
    conf,
    pools,
    bringUpMs,
    rbd: (args, runOptions) => runRbd(conf, args, runOptions),
    async rbdOk(args, runOptions) {
      const result = await runRbd(conf, args, runOptions);
      if (result.exitCode !== 0) {
        throw new Error(`rbd ${args.join(" ")} exited ${result.exitCode}: ${result.stderr.trim()}`);
      }
      return result.stdout;
    },
    exportSha256: (spec) => exportSha256(conf, spec),
    async stop() {
      if (stopped) return;
      stopped = true;
      await runScript("local-down.sh", [dir], {});
      running.delete(dir);
    },
  };
}
