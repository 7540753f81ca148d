// The README's main job, end to end: start the embedded lab (two clouds sharing a backup
// Ceph), put data in a few volumes in A, migrate them to B with progress, print the report.
// Exit 0 only when every volume arrived and every checksum matches.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildProgram } from "./cli.js";
import { MigratorError } from "./errors.js";
import { pattern, seedVolume, startEmbeddedLab } from "./lab/embedded.js";
import type { MigrationReport } from "./report/report.js";

const MiB = 1024 * 1024;

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "cinder-migrate-demo-"));
  const embedded = await startEmbeddedLab(dir, {
    delays: { backupCreate: 1500, backupImport: 400, backupRestore: 1500 },
  });
  try {
    process.stderr.write(
      `lab up: A ${embedded.lab.cluster("a").authUrl}, B ${embedded.lab.cluster("b").authUrl}, Ceph ${embedded.lab.rbdUrl}\n`,
    );
    const volumes = [
      await seedVolume(embedded, "a", {
        name: "db-data",
        size: 2,
        metadata: { app: "postgres" },
        description: "primary database",
        writes: [
          { offset: 0, data: pattern(1, 3 * MiB) },
          { offset: 1536 * MiB, data: pattern(2, MiB) },
        ],
      }),
      await seedVolume(embedded, "a", {
        name: "web-root",
        size: 1,
        writes: [{ offset: 4 * MiB, data: pattern(3, 512 * 1024) }],
      }),
      await seedVolume(embedded, "a", {
        name: "logs",
        size: 1,
        writes: [{ offset: 100 * MiB, data: Buffer.from("a line of log\n".repeat(1000)) }],
      }),
      await seedVolume(embedded, "a", { name: "scratch-empty", size: 1, writes: [] }),
    ];
    process.stderr.write(`seeded ${volumes.length} volumes in A: ${volumes.map((v) => v.name).join(", ")}\n`);
    const runId = "demo";
    let failed: unknown;
    try {
      await buildProgram().parseAsync(
        [
          "run",
          ...embedded.args,
          "--parallel",
          "4",
          "--poll-min",
          "100",
          "--state-dir",
          dir,
          "--run-id",
          runId,
          ...volumes.map((v) => v.id),
        ],
        { from: "user" },
      );
    } catch (error) {
      failed = error;
    }
    const report = JSON.parse(readFileSync(join(dir, `${runId}.report.json`), "utf8")) as MigrationReport;
    const allEqual = report.volumes.every(
      (v) => v.outcome === "migrated" && v.verified && v.checksums?.source === v.checksums?.target,
    );
    process.stderr.write(
      allEqual
        ? "\nevery volume arrived and every checksum matches\n"
        : "\nNOT every volume arrived with a matching checksum\n",
    );
    if (failed instanceof MigratorError) process.stderr.write(`cinder-migrate: ${failed.message}\n`);
    else if (failed) throw failed;
    return allEqual && !failed ? 0 : 1;
  } finally {
    await embedded.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
});
