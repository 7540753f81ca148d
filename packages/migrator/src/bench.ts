// `npm run bench -w packages/migrator`: 100 volumes through the embedded lab with fixed
// delays (backup 2 s, import 0.5 s, volume create 0.2 s, restore 2 s) at --parallel 10.
// Prints wall time against the critical-path ideal, and Cinder API calls per volume.
// Flags: --volumes N, --parallel N, --with-ceph (also check and verify through fake-rbd).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { cephAccess } from "./commands/shared.js";
import { FileJournal } from "./engine/journal-file.js";
import { realClock } from "./engine/ports.js";
import { Migration } from "./engine/runner.js";
import { pattern, seedVolume, startEmbeddedLab } from "./lab/embedded.js";
import { cloudFromOpenrc } from "./openstack/config.js";
import { connectCinder } from "./openstack/connect.js";

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
  const seeded = [];
  for (let i = 0; i < count; i++) {
    seeded.push(
      await seedVolume(embedded, "a", {
        name: `bench-${i}`,
        size: 1,
        writes: [{ offset: i * 4096, data: pattern(i, 4096) }],
      }),
    );
  }
  let calls = 0;
  const http = { onRequest: () => void calls++ };
  const a = await connectCinder(cloudFromOpenrc(embedded.openrc.a), { requireAdmin: "export", http });
  const b = await connectCinder(cloudFromOpenrc(embedded.openrc.b), { requireAdmin: "import", http });
  const setupCalls = calls;
  const ceph = values["with-ceph"]
    ? cephAccess({
        rbdBin: embedded.rbdBin,
        backup: { conf: embedded.cephConf.backup, pool: embedded.lab.backupPool },
        target: { conf: embedded.cephConf.b, pool: embedded.lab.cluster("b").volumePool },
      })
    : {};
  const journal = FileJournal.create(dir, "bench");
  const started = Date.now();
  const migration = Migration.start(
    { a, b, ceph, clock: realClock, journal, poll: { minIntervalMs: 100, maxIntervalMs: 2000 } },
    {
      runId: "bench",
      from: { kind: "openrc", name: embedded.openrc.a },
      to: { kind: "openrc", name: embedded.openrc.b },
      volumes: seeded.map((v) => v.id),
      options: {
        incremental: false,
        force: false,
        verify: values["with-ceph"] ? "full" : "none",
        cleanup: false,
        typeMap: {},
        azMap: {},
        parallel,
        maxBackups: parallel,
        maxRestores: parallel,
        waitTimeoutMs: 600_000,
        retries: 5,
      },
    },
  );
  const state = await migration.run();
  const wallMs = Date.now() - started;
  const migrated = [...state.volumes.values()].filter((v) => v.outcome === "migrated").length;
  // the critical path of one volume: backup → import → restore (the target volume is created alongside)
  const chainMs = delays.backupCreate + delays.backupImport + delays.backupRestore;
  const idealMs = Math.ceil(count / parallel) * chainMs;
  const perVolume = (calls - setupCalls) / count;
  const byStep = new Map<string, number[]>();
  for (const v of state.volumes.values()) {
    for (const st of v.steps)
      if (st.durationMs !== undefined) byStep.set(st.step, [...(byStep.get(st.step) ?? []), st.durationMs]);
  }
  const stepMeanMs = Object.fromEntries(
    [...byStep].map(([k, xs]) => {
      const sorted = [...xs].sort((x, y) => x - y);
      return [
        k,
        {
          mean: Math.round(xs.reduce((x, y) => x + y, 0) / xs.length),
          min: sorted[0],
          median: sorted[Math.floor(sorted.length / 2)],
        },
      ];
    }),
  );
  const result = {
    volumes: count,
    parallel,
    migrated,
    verify: values["with-ceph"] ? "full (fake-rbd)" : "none (API only)",
    wallSeconds: wallMs / 1000,
    idealSeconds: idealMs / 1000,
    ratio: Number((wallMs / idealMs).toFixed(3)),
    apiCallsPerVolume: Number(perVolume.toFixed(1)),
    goals: { ratio: 1.1, apiCallsPerVolume: 30 },
    stepMeanMs,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.exitCode = migrated === count && result.ratio <= 1.1 && perVolume <= 30 ? 0 : 1;
} finally {
  await embedded.close();
  rmSync(dir, { recursive: true, force: true });
}
