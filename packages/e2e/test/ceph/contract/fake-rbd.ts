import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { RbdResult } from "../../../src/ceph/index.js";

// fake-rbd's CLI run in this process over an in-memory LocalRbd: the same argv, stdin and
// exit status as the `fake-rbd` binary, without a process per command.
// TODO(lead): import `runRbdCli` from "@cinderlab/fake-rbd" once its index exports it;
// until then the built file is loaded by path.
const FAKE_RBD_DIST = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../fake-rbd/dist");

export function fakeRbdBuilt(): boolean {
  return existsSync(join(FAKE_RBD_DIST, "cli/run.js"));
}

type RunRbdCli = (
  argv: readonly string[],
  options: {
    stdin: Readable;
    stdout: NodeJS.WritableStream;
    stderr: NodeJS.WritableStream;
    env: NodeJS.ProcessEnv;
    backend: unknown;
  },
) => Promise<number>;

interface LocalRbdLike {
  createPool(pool: string): Promise<void>;
  initPool(pool: string): Promise<void>;
}

export interface FakeRbd {
  rbd(args: readonly string[], options?: { input?: Buffer }): Promise<RbdResult>;
}

export async function startFakeRbd(pools: readonly string[]): Promise<FakeRbd> {
  if (!fakeRbdBuilt()) throw new Error(`fake-rbd is not built (${FAKE_RBD_DIST}); run npm run build`);
  const cli = (await import(join(FAKE_RBD_DIST, "cli/run.js"))) as { runRbdCli: RunRbdCli };
  const lib = (await import(join(FAKE_RBD_DIST, "index.js"))) as { LocalRbd: new () => LocalRbdLike };
  const backend = new lib.LocalRbd();
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
      const exitCode = await cli.runRbdCli(args, {
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
