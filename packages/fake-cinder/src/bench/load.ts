// The load generators of the bench. wrk (C, epoll) when it is installed: it needs a
// fraction of a core for what autocannon (Node) needs a whole one, and on a two-core
// machine that core is the server's ceiling. autocannon is the fallback, and the output
// always names the generator, since figures from the two are not comparable.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { z } from "zod";

export interface LoadOptions {
  url: string;
  connections: number;
  durationS: number;
  headers?: Record<string, string>;
}

export interface LoadResult {
  rps: number;
  /** latency percentiles in milliseconds */
  p50Ms: number;
  p99Ms: number;
  requests: number;
}

export interface LoadGenerator {
  /** e.g. "wrk 4.1.0 (1 thread)" */
  name: string;
  run(options: LoadOptions): Promise<LoadResult>;
}

/** The first line wrk prints: "wrk debian/4.1.0-3+b2 [epoll] Copyright ..." or "wrk 4.2.0 [epoll] ...". */
export function wrkVersion(banner: string): string | undefined {
  const match = /^wrk\s+(?:\S*\/)?(\d+(?:\.\d+)+)/m.exec(banner);
  return match?.[1];
}

/** wrk on PATH, or undefined. (`wrk --version` prints its banner and usage, and exits 1.) */
export function findWrk(): string | undefined {
  const probe = spawnSync("wrk", ["--version"], { encoding: "utf8" });
  if (probe.error) return undefined;
  return wrkVersion(`${probe.stdout}${probe.stderr}`) ?? "unknown version";
}

const RESULT_TAG = "CINDERLAB_BENCH_RESULT ";

/** What the Lua `done` hook prints: wrk's own counters, so no scraping of its human summary. */
const wrkResult = z.object({
  requests: z.number().int().nonnegative(),
  duration_us: z.number().positive(),
  p50_us: z.number().nonnegative(),
  p99_us: z.number().nonnegative(),
  status_errors: z.number().int().nonnegative(),
  socket_errors: z.number().int().nonnegative(),
});

function luaString(value: string): string {
  // header values the bench sends are tokens and versions: printable ASCII only
  if (!/^[\x20-\x7e]*$/.test(value))
    throw new Error(`bench header value ${JSON.stringify(value)} is not printable ASCII`);
  return `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/** The wrk script: request headers, and a done hook that prints the figures as one JSON line. */
export function wrkScript(headers: Record<string, string>): string {
  const lines = Object.entries(headers).map(
    ([name, value]) => `wrk.headers[${luaString(name)}] = ${luaString(value)}`,
  );
  lines.push(
    "done = function(summary, latency, requests)",
    "  local e = summary.errors",
    `  io.write(string.format('\\n${RESULT_TAG}{"requests":%.0f,"duration_us":%.0f,"p50_us":%.0f,"p99_us":%.0f,"status_errors":%.0f,"socket_errors":%.0f}\\n',`,
    "    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),",
    "    e.status, e.connect + e.read + e.write + e.timeout))",
    "end",
  );
  return `${lines.join("\n")}\n`;
}

/** Reads the done hook's line from wrk's output; a run with failed requests is an error. */
export function parseWrkOutput(output: string, url: string): LoadResult {
  const line = output.split("\n").find((l) => l.startsWith(RESULT_TAG));
  if (line === undefined) throw new Error(`wrk ${url}: no result line in its output:\n${output}`);
  const parsed = wrkResult.safeParse(JSON.parse(line.slice(RESULT_TAG.length)));
  if (!parsed.success) throw new Error(`wrk ${url}: unreadable result line ${line}`);
  const r = parsed.data;
  if (r.status_errors > 0 || r.socket_errors > 0) {
    throw new Error(
      `wrk ${url}: ${r.status_errors} answers other than 2xx/3xx and ${r.socket_errors} socket errors`,
    );
  }
  return {
    rps: r.requests / (r.duration_us / 1e6),
    p50Ms: r.p50_us / 1000,
    p99Ms: r.p99_us / 1000,
    requests: r.requests,
  };
}

function wrkGenerator(version: string): LoadGenerator {
  return {
    // one thread: it keeps up with 10 connections and leaves the other core to the server
    name: `wrk ${version} (1 thread)`,
    run: async ({ url, connections, durationS, headers = {} }) => {
      const dir = mkdtempSync(join(tmpdir(), "cinderlab-bench-"));
      try {
        const script = join(dir, "bench.lua");
        writeFileSync(script, wrkScript(headers));
        // a generous timeout: a slow answer (a 10,000-volume list on a busy machine) is a
        // figure, not an error; wrk counts timeouts as socket errors, which fail the run
        const args = [
          "-t1",
          `-c${connections}`,
          `-d${durationS}s`,
          "--timeout",
          "10s",
          "--latency",
          "-s",
          script,
          url,
        ];
        const child = spawn("wrk", args, { stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
          output += chunk;
        });
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
          output += chunk;
        });
        const code = await new Promise<number | null>((resolve, reject) => {
          child.once("error", reject);
          child.once("close", resolve);
        });
        if (code !== 0) throw new Error(`wrk ${url} exited with ${code}:\n${output}`);
        return parseWrkOutput(output, url);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

const autocannonGenerator: LoadGenerator = {
  name: "autocannon (in the bench's own Node process)",
  run: async ({ url, connections, durationS, headers = {} }) => {
    const result = await autocannon({ url, connections, duration: durationS, headers });
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(`${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors`);
    }
    return {
      rps: result.requests.average,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      requests: result.requests.total,
    };
  },
};

/**
 * wrk when installed, else autocannon. BENCH_LOAD=autocannon forces the fallback;
 * BENCH_LOAD=wrk makes a missing wrk an error.
 */
export function chooseGenerator(
  choice = process.env.BENCH_LOAD,
): LoadGenerator & { fallbackReason?: string } {
  if (choice !== undefined && choice !== "" && choice !== "wrk" && choice !== "autocannon") {
    throw new Error(`BENCH_LOAD must be "wrk" or "autocannon", not ${JSON.stringify(choice)}`);
  }
  if (choice === "autocannon") return { ...autocannonGenerator, fallbackReason: "BENCH_LOAD=autocannon" };
  const version = findWrk();
  if (version !== undefined) return wrkGenerator(version);
  if (choice === "wrk")
    throw new Error("BENCH_LOAD=wrk but wrk is not on PATH (Debian: apt-get install wrk)");
  return { ...autocannonGenerator, fallbackReason: "wrk is not installed (Debian: apt-get install wrk)" };
}
