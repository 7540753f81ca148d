// The bench reads wrk through a Lua done hook that prints one JSON line; these pin the
// parsing and the script without running wrk (which is not part of the test path).
import { describe, expect, it } from "vitest";
import { parseWrkOutput, wrkScript, wrkVersion } from "../../src/bench/load.js";

const HUMAN_SUMMARY = `Running 5s test @ http://127.0.0.1:41111/v3/p/backups/b
  1 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.78ms    3.80ms  50.90ms   96.66%
  41931 requests in 5.01s, 45.91MB read
Requests/sec:   8362.69
`;

describe("wrk output", () => {
  it("reads the done hook's line, whatever wrk prints around it", () => {
    const output = `${HUMAN_SUMMARY}\nCINDERLAB_BENCH_RESULT {"requests":41931,"duration_us":5010000,"p50_us":1030,"p99_us":24150,"status_errors":0,"socket_errors":0}\n`;
    const result = parseWrkOutput(output, "http://x/");
    expect(result.requests).toBe(41931);
    expect(result.rps).toBeCloseTo(41931 / 5.01, 6);
    expect(result.p50Ms).toBeCloseTo(1.03);
    expect(result.p99Ms).toBeCloseTo(24.15);
  });

  it("refuses a run with non-2xx answers or socket errors, and output without the line", () => {
    const line = (status: number, socket: number) =>
      `CINDERLAB_BENCH_RESULT {"requests":10,"duration_us":1000000,"p50_us":1,"p99_us":2,"status_errors":${status},"socket_errors":${socket}}`;
    expect(() => parseWrkOutput(line(3, 0), "http://x/")).toThrow(/3 answers other than 2xx\/3xx/);
    expect(() => parseWrkOutput(line(0, 2), "http://x/")).toThrow(/2 socket errors/);
    expect(() => parseWrkOutput(HUMAN_SUMMARY, "http://x/")).toThrow(/no result line/);
    expect(() => parseWrkOutput('CINDERLAB_BENCH_RESULT {"requests":"many"}', "http://x/")).toThrow(
      /unreadable result line/,
    );
  });

  it("finds the version in Debian's and upstream's banners", () => {
    expect(wrkVersion("wrk debian/4.1.0-3+b2 [epoll] Copyright (C) 2012 Will Glozer\nUsage: wrk")).toBe(
      "4.1.0",
    );
    expect(wrkVersion("wrk 4.2.0 [epoll] Copyright (C) 2012 Will Glozer")).toBe("4.2.0");
    expect(wrkVersion("something else")).toBeUndefined();
  });

  it("writes the headers as Lua strings and refuses values it cannot write safely", () => {
    const script = wrkScript({ "X-Auth-Token": 'a"b\\c', "OpenStack-API-Version": "volume 3.70" });
    expect(script).toContain('wrk.headers["X-Auth-Token"] = "a\\"b\\\\c"');
    expect(script).toContain('wrk.headers["OpenStack-API-Version"] = "volume 3.70"');
    expect(script).toContain("done = function(summary, latency, requests)");
    expect(() => wrkScript({ "X-Auth-Token": "line\nbreak" })).toThrow(/not printable ASCII/);
  });
});
