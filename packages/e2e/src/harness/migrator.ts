// The built `cinder-migrate` binary, run as an operator runs it: a child process whose
// exit code and output the tiers that drive it on real Ceph or real Cinder assert on.
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** packages/migrator/dist/bin.js (from src/harness or dist/harness alike) */
export const MIGRATOR_BIN = resolve(
  fileURLToPath(new URL(".", import.meta.url)),
  "../../../migrator/dist/bin.js",
);

export function runMigrator(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [MIGRATOR_BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
    });
    child.on("error", fail);
    child.on("close", (code) => done({ code: code ?? 1, stdout, stderr }));
  });
}
