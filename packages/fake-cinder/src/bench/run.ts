// `npm run bench -w packages/fake-cinder`: throughput and latency of the hot reads, the
// in-process cross-cluster procedure, and memory. The server runs in a child process and
// autocannon (10 connections) in this one, so each gets a core. Not a test: it prints
// figures and the targets next to them.
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { cpuPerRequest } from "./cpu.js";
import { procedureBench } from "./procedure.js";

const DURATION_S = Number(process.env.BENCH_DURATION ?? "5");
const CONNECTIONS = 10;
const MiB = 1024 * 1024;

interface ServerInfo {
  url: string;
  projectId: string;
  token: string;
  backupId: string;
  heapBytes: number;
  rssBytes: number;
}

async function child<T>(script: string, args: string[]): Promise<{ proc: ChildProcess; info: T }> {
  const proc = fork(fileURLToPath(new URL(script, import.meta.url)), args, {
    execArgv: ["--expose-gc"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const [info] = (await Promise.race([
    once(proc, "message"),
    once(proc, "exit").then(([code]) => {
      throw new Error(`${script} exited with ${code} before it was ready`);
    }),
  ])) as [T];
  return { proc, info };
}

async function stop(proc: ChildProcess): Promise<void> {
  const exited = once(proc, "exit");
  proc.send("stop");
  await exited;
}

interface Load {
  rps: number;
  p99: number;
}

async function load(url: string, token: string, duration: number): Promise<Load> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration,
    headers: { "x-auth-token": token, "openstack-api-version": "volume 3.70" },
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors`);
  }
  return { rps: result.requests.average, p99: result.latency.p99 };
}

interface Target {
  text: string;
  met: (m: Load) => boolean;
}

interface Row {
  what: string;
  volumes: number;
  measured: Load;
  /** the empty Fastify route, measured just before and just after (mean) */
  reference: Load;
  target?: Target;
}

// The targets: 100x real Cinder 21 on the same machine (244 req/s backup show,
// 27.5 req/s volumes/detail with 100 volumes, one API worker, 10 connections).
const TARGETS: Record<string, Target> = {
  "backup show/100": { text: ">= 20,000 req/s, p99 < 5 ms", met: (m) => m.rps >= 20_000 && m.p99 < 5 },
  "volume list/detail/100": { text: ">= 2,500 req/s", met: (m) => m.rps >= 2_500 },
};

// The reference server runs for the whole bench; every figure is taken between two
// reference runs, so on a busy machine the ratio still says how close to an empty route
// the fake gets even when the absolute numbers wander with the neighbours' load.
const { proc: baselineProc, info: baseline } = await child<{ url: string }>("./baseline.js", []);
await load(baseline.url, "none", 1); // warm-up: JIT and connection setup
const reference = async (): Promise<Load> => load(baseline.url, "none", Math.max(1, DURATION_S / 2));

const rows: Row[] = [];
const memory: Array<{ volumes: number; heapMiB: number }> = [];
try {
  for (const volumes of [100, 1_000, 10_000]) {
    const { proc, info } = await child<ServerInfo>("./server.js", [String(volumes)]);
    try {
      const base = `${info.url}/v3/${info.projectId}`;
      const targets: Array<[string, string]> = [
        ["backup show", `${base}/backups/${info.backupId}`],
        ["volume list", `${base}/volumes`],
        ["volume list/detail", `${base}/volumes/detail`],
      ];
      for (const [what, url] of targets) {
        await load(url, info.token, 1); // warm-up
        const before = await reference();
        const measured = await load(url, info.token, DURATION_S);
        const after = await reference();
        const ref = { rps: (before.rps + after.rps) / 2, p99: Math.max(before.p99, after.p99) };
        const target = TARGETS[`${what}/${volumes}`];
        rows.push({ what, volumes, measured, reference: ref, ...(target ? { target } : {}) });
        console.log(
          `${what} with ${volumes} volumes: ${measured.rps.toFixed(0)} req/s, p99 ${measured.p99} ms (empty route ${ref.rps.toFixed(0)} req/s)`,
        );
      }
      memory.push({ volumes, heapMiB: info.heapBytes / MiB });
    } finally {
      await stop(proc);
    }
  }
} finally {
  await stop(baselineProc);
}

const procedure = await procedureBench();
for (let i = 0; i < 5; i++) await procedure.runOnce(); // warm-up
const times: number[] = [];
// CPU time beside wall time: on a busy machine the wall clock also counts waiting for a core
const cpuStart = process.cpuUsage();
for (let i = 0; i < 30; i++) times.push(await procedure.runOnce());
const cpuUsed = process.cpuUsage(cpuStart);
const cpuMsPerRun = (cpuUsed.user + cpuUsed.system) / 1000 / times.length;
await procedure.close();
times.sort((x, y) => x - y);
const median = times[Math.floor(times.length / 2)] ?? Number.NaN;

const { proc: labProc, info: lab } = await child<{ rssBytes: number }>("./idle-lab.js", []);
await stop(labProc);

const cpu = await cpuPerRequest(100);
for (const f of cpu) {
  console.log(
    `CPU per request (in-process inject, ${f.volumes} volumes) ${f.what}: ${f.cpuMsPerRequest.toFixed(3)} ms → at most ${(1000 / f.cpuMsPerRequest).toFixed(0)} req/s per core`,
  );
}

const per10k = memory.find((m) => m.volumes === 10_000)?.heapMiB ?? Number.NaN;
const idleMiB = lab.rssBytes / MiB;
const verdict = (ok: boolean) => (ok ? "meets" : "MISSES");

const table: string[][] = [
  ["what", "volumes", "target", "measured", "p99 ms", "empty route req/s", "ratio", "verdict"],
];
const refs = rows.map((r) => r.reference);
const meanRef = refs.reduce((sum, r) => sum + r.rps, 0) / refs.length;
table.push([
  "empty Fastify route (reference)",
  "",
  "-",
  `${meanRef.toFixed(0)} req/s (mean)`,
  String(Math.max(...refs.map((r) => r.p99))),
  "",
  "1.00",
  "",
]);
for (const r of rows) {
  table.push([
    r.what,
    String(r.volumes),
    r.target?.text ?? "-",
    `${r.measured.rps.toFixed(0)} req/s`,
    String(r.measured.p99),
    r.reference.rps.toFixed(0),
    (r.measured.rps / r.reference.rps).toFixed(2),
    r.target ? verdict(r.target.met(r.measured)) : "",
  ]);
}
table.push([
  "procedure in-process (4 MiB)",
  "",
  "< 50 ms",
  `${median.toFixed(1)} ms (median; CPU ${cpuMsPerRun.toFixed(1)} ms)`,
  "",
  "",
  "",
  verdict(median < 50),
]);
table.push([
  "idle lab, resident",
  "",
  "< 150 MiB",
  `${idleMiB.toFixed(1)} MiB`,
  "",
  "",
  "",
  verdict(idleMiB < 150),
]);
table.push(["heap per 10,000 volumes", "", "-", `${per10k.toFixed(1)} MiB`, "", "", "", ""]);
const widths = table[0]?.map((_, i) => Math.max(...table.map((row) => (row[i] ?? "").length))) ?? [];
console.log("");
console.log(
  `targets (issue 3) at ${CONNECTIONS} connections, ${DURATION_S} s each; the empty Fastify route is measured around every row`,
);
for (const row of table) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  "));
