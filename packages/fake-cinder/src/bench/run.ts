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

interface Row {
  what: string;
  volumes: number;
  rps: number;
  p99: number;
}

async function load(url: string, token: string): Promise<{ rps: number; p99: number }> {
  const options = {
    url,
    connections: CONNECTIONS,
    headers: { "x-auth-token": token, "openstack-api-version": "volume 3.70" },
  };
  await autocannon({ ...options, duration: 1 }); // warm-up: JIT and connection setup
  const result = await autocannon({ ...options, duration: DURATION_S });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors`);
  }
  return { rps: result.requests.average, p99: result.latency.p99 };
}

const { proc: baselineProc, info: baseline } = await child<{ url: string }>("./baseline.js", []);
const ceiling = await load(baseline.url, "none");
await stop(baselineProc);
console.log(
  `baseline: an empty Fastify route on this machine: ${ceiling.rps.toFixed(0)} req/s  p99 ${ceiling.p99} ms`,
);

const rows: Row[] = [];
const memory: Array<{ volumes: number; heapMiB: number }> = [];
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
      const { rps, p99 } = await load(url, info.token);
      rows.push({ what, volumes, rps, p99 });
      console.log(
        `${what.padEnd(20)} ${String(volumes).padStart(6)} volumes: ${rps.toFixed(0).padStart(7)} req/s  p99 ${p99} ms`,
      );
    }
    memory.push({ volumes, heapMiB: info.heapBytes / MiB });
  } finally {
    await stop(proc);
  }
}

const procedure = await procedureBench();
for (let i = 0; i < 5; i++) await procedure.runOnce(); // warm-up
const times: number[] = [];
for (let i = 0; i < 30; i++) times.push(await procedure.runOnce());
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

const find = (what: string, volumes: number) => rows.find((r) => r.what === what && r.volumes === volumes);
const backupShow = find("backup show", 100);
const detail100 = find("volume list/detail", 100);
const per10k = memory.find((m) => m.volumes === 10_000)?.heapMiB ?? Number.NaN;
const idleMiB = lab.rssBytes / MiB;
const verdict = (ok: boolean) => (ok ? "meets" : "MISSES");

console.log("");
console.log(
  `cross-cluster procedure in-process, zero delays (4 MiB of data): median ${median.toFixed(1)} ms over ${times.length} runs`,
);
console.log(`memory per 10,000 volumes (heap growth after seeding): ${per10k.toFixed(1)} MiB`);
console.log(`idle lab (two clusters, fake-rbd server), resident: ${idleMiB.toFixed(1)} MiB`);
console.log("");
console.log("targets (issue 3):");
if (backupShow) {
  console.log(
    `  backup show ≥ 20,000 req/s, p99 < 5 ms: ${backupShow.rps.toFixed(0)} req/s, p99 ${backupShow.p99} ms → ${verdict(backupShow.rps >= 20_000 && backupShow.p99 < 5)}`,
  );
}
if (detail100) {
  console.log(
    `  volumes/detail (100 volumes) ≥ 2,500 req/s: ${detail100.rps.toFixed(0)} req/s → ${verdict(detail100.rps >= 2_500)}`,
  );
}
console.log(`  procedure < 50 ms: ${median.toFixed(1)} ms → ${verdict(median < 50)}`);
console.log(`  idle lab < 150 MiB: ${idleMiB.toFixed(1)} MiB → ${verdict(idleMiB < 150)}`);
