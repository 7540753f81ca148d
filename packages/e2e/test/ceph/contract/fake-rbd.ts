import { existsSync } from "node:fs";
import { PassThrough, Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { RbdResult } from "../../../src/ceph/index.js";

// fake-rbd's CLI run in this process over an in-memory LocalRbd: the same argv, stdin and
// exit status as the `fake-rbd` binary, without a process per command.
type FakeRbdPackage = typeof import("@cinderlab/fake-rbd");

/** The built package entry, or undefined when fake-rbd has not been built yet. */
function fakeRbdEntry(): string | undefined {
  try {
    const entry = fileURLToPath(import.meta.resolve("@cinderlab/fake-rbd"));
    return existsSync(entry) ? entry : undefined;
  } catch {
    return undefined;
  }
}

export function fakeRbdBuilt(): boolean {
  return fakeRbdEntry() !== undefined;
}

export interface FakeRbd {
  rbd(args: readonly string[], options?: { input?: Buffer }): Promise<RbdResult>;
}

export async function startFakeRbd(pools: readonly string[]): Promise<FakeRbd> {
  if (!fakeRbdBuilt()) throw new Error("@cinderlab/fake-rbd is not built; run npm run build");
  const { LocalRbd, runRbdCli } = (await import("@cinderlab/fake-rbd")) as FakeRbdPackage;
  const backend = new LocalRbd();
  for (const pool of pools) {
    await backend.createPool(pool);
    await backend.initPool(pool);
  }
  return {
    async rbd(args, options = {}) {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      stdout.on("data", (b: Buffer) => out.push(b));
      stderr.on("data", (b: Buffer) => err.push(b));
      const exitCode = await runRbdCli(args, {
        stdin: Readable.from(options.input ? [options.input] : []),
        stdout,
        stderr,
        env: {},
        backend,
      });
      return { args, exitCode, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8") };
    },
  };
}
