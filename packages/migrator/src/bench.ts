// `npm run bench -w packages/migrator`: 100 volumes through the embedded lab with fixed
// delays (backup 2 s, import 0.5 s, volume create 0.2 s, restore 2 s) at --parallel 10.
// The lab runs in this process and `cinder-migrate run` in its own, as an operator would.
// Prints wall time (from the run's journal header to its report) against the critical-path
// ideal, and Cinder API calls per volume. Flags: --volumes N, --parallel N, --with-ceph
// (also check and verify every volume through fake-rbd).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { pattern, seedVolume, startEmbeddedLab } from "./lab/embedded.js";
import type { MigrationReport } from "./report/report.js";

const { values } = parseArgs({
  options: {
    volumes: { type: "string", default: "100" },
    parallel: { type: "string", default: "10" },
    "with-ceph": { type: "boolean", default: false },
  },
});
const count = Number(values.volumes);
const parallel = Number(values.parallel);
const delays = {
  volumeCreate: 200,
  backupCreate: 2000,
  backupImport: 500,
  backupRestore: 2000,
  backupDelete: 200,
};

const dir = mkdtempSync(join(tmpdir(), "cinder-migrate-bench-"));
const big = count * 10;
const embedded = await startEmbeddedLab(dir, {
  delays,
  quotas: { volumes: big, gigabytes: big * 10, backups: big, backupGigabytes: big * 10, snapshots: big },
});
try {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const v = await seedVolume(embedded, "a", {
      name: `bench-${i}`,
      size: 1,
      writes: [{ offset: i * 4096, data: pattern(i, 4096) }],
    });
    ids.push(v.id);
  }
  const sides = embedded.args.slice(0, embedded.args.indexOf("--rbd-bin"));
  const ceph = values["with-ceph"] ? embedded.args.slice(embedded.args.indexOf("--rbd-bin")) : [];
  const args = [
    fileURLToPath(new URL("./bin.js", import.meta.url)),
    "run",
    ...sides,
    ...ceph,
    "--parallel",
    String(parallel),
    "--poll-min",
    "50",
    "--poll-max",
    "2000",
    "--state-dir",
    dir,
    "--run-id",
    "bench",
    "--output",
    "json",
    ...ids,
  ];
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "inherit"] });
    child.on("close", resolve);
  });
  const report = JSON.parse(readFileSync(join(dir, "bench.report.json"), "utf8")) as MigrationReport;
  const wallMs = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  // the critical path of one volume: backup → import → restore (the target volume is made alongside)
  const chainMs = delays.backupCreate + delays.backupImport + delays.backupRestore;
  const idealMs = Math.ceil(count / parallel) * chainMs;
  const perVolume = (report.apiCalls ?? Number.NaN) / count;
  const byStep = new Map<string, number[]>();
  for (const v of report.volumes) {
    for (const st of v.steps)
      if (st.durationMs !== undefined) byStep.set(st.step, [...(byStep.get(st.step) ?? []), st.durationMs]);
  }
  const stepMs = Object.fromEntries(
    [...byStep].map(([k, xs]) => {
      const sorted = [...xs].sort((x, y) => x - y);
      const mean = Math.round(xs.reduce((x, y) => x + y, 0) / xs.length);
      return [k, { median: sorted[Math.floor(xs.length / 2)], mean, max: sorted.at(-1) }];
    }),
  );
  // how busy the lanes were: time from each backup's start to its restore's end, over lanes × wall
  let laneMs = 0;
  for (const v of report.volumes) {
    const start = v.steps.find((st) => st.step === "backup")?.startedAt;
    const end = v.steps.find((st) => st.step === "wait-restore")?.finishedAt;
    if (start && end) laneMs += Date.parse(end) - Date.parse(start);
  }
  const result = {
    volumes: count,
    parallel,
    migrated: report.totals.migrated,
    verified: report.totals.verified,
    exitCode: code,
    wallSeconds: wallMs / 1000,
    idealSeconds: idealMs / 1000,
    ratio: Number((wallMs / idealMs).toFixed(3)),
    apiCallsPerVolume: Number(perVolume.toFixed(1)),
    laneUtilisation: Number((laneMs / (parallel * wallMs)).toFixed(3)),
    meanLaneChainMs: Math.round(laneMs / count),
    goals: { ratio: 1.1, apiCallsPerVolume: 30 },
    stepMs,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.exitCode = report.totals.migrated === count && result.ratio <= 1.1 && perVolume <= 30 ? 0 : 1;
} finally {
  await embedded.close();
  rmSync(dir, { recursive: true, force: true });
}
