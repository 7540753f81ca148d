// `npm run bench -w packages/fake-cinder`: throughput and latency of the hot reads, the
// in-process cross-cluster procedure, and memory. The server runs in a child process and
// the load generator (wrk when installed, else autocannon; see load.ts) in another, 10
// connections. Not a test: it prints figures, the issue's targets next to them and a
// summary (BENCH_DURATION=seconds and BENCH_VOLUMES=100 shorten it). Every figure is
// taken between two runs of the references (an empty Fastify route and a plain node:http
// server), so on a busy machine the ratios still say how close to those ceilings the fake
// gets; the server's CPU per request is printed too, since it hardly moves with the
// neighbours' load.
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { cpuPerRequest } from "./cpu.js";
import { cpuReport } from "./cpu-ipc.js";
import { chooseGenerator, type LoadResult } from "./load.js";
import { procedureBench } from "./procedure.js";

const CONNECTIONS = 10;

/** A setting from the environment, or one clear line and exit 2 (no stack trace). */
function setting<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    console.error(`bench: ${(error as Error).message}`);
    process.exit(2);
  }
}

const DURATION_S = setting(() => {
  const seconds = Number(process.env.BENCH_DURATION ?? "5");
  if (!Number.isInteger(seconds) || seconds < 1) {
    throw new Error(
      `BENCH_DURATION: ${JSON.stringify(process.env.BENCH_DURATION)} is not a whole number of seconds`,
    );
  }
  return seconds;
});
const REFERENCE_S = Math.max(1, Math.round(DURATION_S / 2));
// BENCH_VOLUMES=100 runs only the cluster the targets are set for (a quicker check)
const VOLUME_COUNTS = setting(() =>
  (process.env.BENCH_VOLUMES ?? "100,1000,10000").split(",").map((n) => {
    const count = Number(n.trim());
    if (!Number.isInteger(count) || count < 1)
      throw new Error(`BENCH_VOLUMES: ${JSON.stringify(n)} is not a count`);
    return count;
  }),
);
const MiB = 1024 * 1024;

interface ServerInfo {
  url: string;
  projectId: string;
  token: string;
  backupId: string;
  volumeId: string;
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

/** The child's CPU time so far, in microseconds. */
async function cpuTime(proc: ChildProcess): Promise<number> {
  const reply = once(proc, "message");
  proc.send("cpu");
  const [message] = await reply;
  const report = cpuReport.parse(message);
  return report.user + report.system;
}

interface Measured extends LoadResult {
  /** the server process's CPU time per request answered (µs) */
  cpuUs: number;
  /** the machine's 1-minute load average when the run ended */
  load: number;
}

const generator = setting(() => chooseGenerator());
const BENCH_HEADERS = (token: string) => ({ "X-Auth-Token": token, "OpenStack-API-Version": "volume 3.70" });

async function measure(
  proc: ChildProcess,
  url: string,
  durationS: number,
  headers?: Record<string, string>,
): Promise<Measured> {
  const before = await cpuTime(proc);
  const result = await generator.run({
    url,
    connections: CONNECTIONS,
    durationS,
    ...(headers ? { headers } : {}),
  });
  const after = await cpuTime(proc);
  return { ...result, cpuUs: (after - before) / Math.max(1, result.requests), load: loadavg()[0] ?? 0 };
}

interface References {
  fastify: Measured;
  plain: Measured;
}

interface Target {
  text: string;
  met: (m: Measured) => boolean;
  /** real Cinder 21 on this machine, one API worker, 10 connections (issue 3) */
  realCinderRps: number;
}

interface Row {
  what: string;
  volumes: number;
  measured: Measured;
  /** the references measured just before and just after (req/s: mean; p99: the worse) */
  reference: References;
  target?: Target;
  realCinderRps?: number;
}

// The issue's targets: 100x real Cinder 21 on the same machine (244 req/s backup show,
// 27.5 req/s volumes/detail with 100 volumes, one API worker, 10 connections).
const TARGETS: Record<string, Target> = {
  "backup show/100": {
    text: ">= 20,000 req/s, p99 < 5 ms",
    met: (m) => m.rps >= 20_000 && m.p99Ms < 5,
    realCinderRps: 244,
  },
  "volume list/detail/100": { text: ">= 2,500 req/s", met: (m) => m.rps >= 2_500, realCinderRps: 27.5 },
};
const REAL_CINDER: Record<string, number> = { "volume show/100": 112 };

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

const mean = (a: Measured, b: Measured): Measured => ({
  rps: (a.rps + b.rps) / 2,
  p50Ms: Math.max(a.p50Ms, b.p50Ms),
  p99Ms: Math.max(a.p99Ms, b.p99Ms),
  requests: a.requests + b.requests,
  cpuUs: (a.cpuUs * a.requests + b.cpuUs * b.requests) / Math.max(1, a.requests + b.requests),
  load: Math.max(a.load, b.load),
});

console.log(
  `load generator: ${generator.name}${generator.fallbackReason ? ` (fallback: ${generator.fallbackReason})` : ""}; ` +
    `${CONNECTIONS} connections, ${DURATION_S} s per figure, references ${REFERENCE_S} s before and after each`,
);

const { proc: baselineProc, info: baseline } = await child<{ fastifyUrl: string; plainUrl: string }>(
  "./baseline.js",
  [],
);
const references = async (): Promise<References> => ({
  fastify: await measure(baselineProc, `${baseline.fastifyUrl}/`, REFERENCE_S),
  plain: await measure(baselineProc, `${baseline.plainUrl}/`, REFERENCE_S),
});
await references(); // warm-up: JIT and connection setup

const rows: Row[] = [];
const memory: Array<{ volumes: number; heapMiB: number }> = [];
try {
  for (const volumes of VOLUME_COUNTS) {
    const { proc, info } = await child<ServerInfo>("./server.js", [String(volumes)]);
    try {
      const base = `${info.url}/v3/${info.projectId}`;
      const headers = BENCH_HEADERS(info.token);
      const targets: Array<[string, string]> = [
        ["backup show", `${base}/backups/${info.backupId}`],
        ["volume show", `${base}/volumes/${info.volumeId}`],
        ["volume list", `${base}/volumes`],
        ["volume list/detail", `${base}/volumes/detail`],
      ];
      for (const [what, url] of targets) {
        await measure(proc, url, 1, headers); // warm-up
        const before = await references();
        const measured = await measure(proc, url, DURATION_S, headers);
        const after = await references();
        const reference = {
          fastify: mean(before.fastify, after.fastify),
          plain: mean(before.plain, after.plain),
        };
        const key = `${what}/${volumes}`;
        const target = TARGETS[key];
        const realCinderRps = target?.realCinderRps ?? REAL_CINDER[key];
        rows.push({
          what,
          volumes,
          measured,
          reference,
          ...(target ? { target } : {}),
          ...(realCinderRps ? { realCinderRps } : {}),
        });
        console.log(
          `${what}, ${fmt(volumes)} volumes: ${fmt(measured.rps)} req/s, p99 ${fmt(measured.p99Ms, 2)} ms, ` +
            `server CPU ${fmt(measured.cpuUs)} µs/req | empty Fastify route ${fmt(reference.fastify.rps)} req/s, ` +
            `plain node:http ${fmt(reference.plain.rps)} req/s | load ${fmt(measured.load, 2)}`,
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
const verdict = (ok: boolean) => (ok ? "met" : "MISSED");
const loadNow = loadavg()[0] ?? 0;

const table: string[][] = [
  [
    "what",
    "volumes",
    "target",
    "req/s",
    "p99 ms",
    "server CPU µs/req",
    "÷ empty Fastify",
    "÷ plain http",
    "× real Cinder",
    "load",
    "verdict",
  ],
];
const allRefs = rows.map((r) => r.reference);
for (const [name, pick] of [
  ["plain node:http, small JSON (reference)", (r: References) => r.plain],
  ["empty Fastify route (reference)", (r: References) => r.fastify],
] as const) {
  const refs = allRefs.map(pick);
  const n = Math.max(1, refs.length);
  table.push([
    name,
    "",
    "-",
    `${fmt(refs.reduce((sum, r) => sum + r.rps, 0) / n)} (mean)`,
    fmt(Math.max(0, ...refs.map((r) => r.p99Ms)), 2),
    fmt(refs.reduce((sum, r) => sum + r.cpuUs, 0) / n),
    "",
    "",
    "",
    "",
    "",
  ]);
}
for (const r of rows) {
  table.push([
    r.what,
    fmt(r.volumes),
    r.target?.text ?? "-",
    fmt(r.measured.rps),
    fmt(r.measured.p99Ms, 2),
    fmt(r.measured.cpuUs),
    (r.measured.rps / r.reference.fastify.rps).toFixed(2),
    (r.measured.rps / r.reference.plain.rps).toFixed(2),
    r.realCinderRps ? `${fmt(r.measured.rps / r.realCinderRps)}×` : "",
    fmt(r.measured.load, 2),
    r.target ? verdict(r.target.met(r.measured)) : "",
  ]);
}
const widths = table[0]?.map((_, i) => Math.max(...table.map((row) => (row[i] ?? "").length))) ?? [];
console.log("");
console.log(`figures (${generator.name}, ${CONNECTIONS} connections, ${DURATION_S} s each)`);
for (const row of table) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  "));
if (!Number.isNaN(per10k)) console.log(`heap per 10,000 volumes: ${fmt(per10k, 1)} MiB`);

console.log("");
console.log(
  `summary: issue 3 targets on this machine (load generator ${generator.name}; load now ${fmt(loadNow, 2)})`,
);
for (const r of rows) {
  if (!r.target) continue;
  const m = r.measured;
  console.log(
    `  ${verdict(r.target.met(m)).padEnd(6)}  ${r.what}, ${fmt(r.volumes)} volumes: ${r.target.text}; measured ${fmt(m.rps)} req/s, ` +
      `p99 ${fmt(m.p99Ms, 2)} ms (${(m.rps / r.target.realCinderRps).toFixed(0)}× real Cinder's ${fmt(r.target.realCinderRps, 1)}; ` +
      `${(m.rps / r.reference.fastify.rps).toFixed(2)} of the empty Fastify route, ${(m.rps / r.reference.plain.rps).toFixed(2)} of plain node:http; load ${fmt(m.load, 2)})`,
  );
}
console.log(
  `  ${verdict(median < 50).padEnd(6)}  procedure in-process (4 MiB): < 50 ms; measured ${fmt(median, 1)} ms median (CPU ${fmt(cpuMsPerRun, 1)} ms)`,
);
console.log(
  `  ${verdict(idleMiB < 150).padEnd(6)}  idle lab, resident: < 150 MiB; measured ${fmt(idleMiB, 1)} MiB`,
);
if (loadNow > 1) {
  console.log(
    `  (the machine was busy: req/s and p99 move with the load; the ratios and CPU per request hold better)`,
  );
}
