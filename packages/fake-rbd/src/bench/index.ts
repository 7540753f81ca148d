// `npm run bench -w packages/fake-rbd` (after a build): prints fake-rbd's figures.
//
// Hook for more suites: a module `src/bench/server.ts` (through the CLI and the HTTP
// server, target 500 MiB/s) that exports `suite: BenchSuite` is picked up when built.
import { loadavg } from "node:os";
import { type BenchRow, type BenchSuite, formatSummary, formatTable } from "./harness.js";
import { memorySuite, throughputSuite } from "./in-process.js";

async function optionalSuite(path: string): Promise<BenchSuite | undefined> {
  try {
    const mod = (await import(path)) as { suite?: BenchSuite };
    return mod.suite;
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_MODULE_NOT_FOUND") return undefined;
    throw error;
  }
}

/** The 1, 5 and 15 minute load averages: figures from a busy machine read differently. */
function load(): string {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");
}

async function main(): Promise<void> {
  const loadBefore = load();
  const rows: BenchRow[] = [];
  const report = (row: BenchRow) => {
    rows.push(row);
    process.stderr.write(`  ${row.name.trim()}: ${row.value.toFixed(1)} ${row.unit}\n`);
  };
  // `npm run bench -- server` runs the HTTP and CLI figures only (the slow, noisy ones)
  const only = process.argv[2];
  if (only !== "server") {
    // memory first, while the process is still small
    await memorySuite(report);
    await throughputSuite(report);
  }
  const server = await optionalSuite("./server.js");
  if (server && only !== "in-process") await server(report);
  const loadAfter = load();
  process.stdout.write(
    `fake-rbd bench (node ${process.version}, ${process.platform}/${process.arch}, load average ${loadBefore} at start, ${loadAfter} at end)\n`,
  );
  process.stdout.write(`${formatTable(rows)}\n\nsummary\n${formatSummary(rows)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
