import { spawn } from "node:child_process";
import { Readable } from "node:stream";
import type { RbdOptions, RbdResult } from "./types.js";

export const DEFAULT_RBD_TIMEOUT_MS = 60_000;

export interface ClusterIdentity {
  confPath: string;
  keyringPath: string;
  clientName: string;
}

/** The global options that point the ceph tools at one cluster, identity included. */
export function identityArgs(id: ClusterIdentity): string[] {
  return ["--conf", id.confPath, "--id", id.clientName, "--keyring", id.keyringPath];
}

/**
 * Runs a ceph command-line tool (rbd by default) to completion and collects its output.
 * Exit codes are data here, not failures: the contract suite compares them.
 */
export function runCephTool(
  command: string,
  args: readonly string[],
  options: RbdOptions & { env?: NodeJS.ProcessEnv } = {},
): Promise<RbdResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_RBD_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${command}: ${e.message}`, { cause: e }));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString("utf8");
      if (timedOut) {
        reject(
          new Error(`${command} ${args.join(" ")} did not finish within ${timeoutMs} ms; stderr: ${stderr}`),
        );
        return;
      }
      resolve({
        args,
        exitCode: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out),
        stderr,
      });
    });
    // rbd may exit before reading all of stdin (bad arguments): that is its answer, not ours
    child.stdin.on("error", () => {});
    if (options.input === undefined) {
      child.stdin.end();
    } else if (Buffer.isBuffer(options.input)) {
      child.stdin.end(options.input);
    } else {
      Readable.from(options.input).pipe(child.stdin);
    }
  });
}

/** Throws with rbd's own words when it failed; returns its result otherwise. */
export function expectOk(result: RbdResult): RbdResult {
  if (result.exitCode !== 0) {
    throw new Error(`rbd ${result.args.join(" ")} exited ${result.exitCode}: ${result.stderr.trim()}`);
  }
  return result;
}
