// The process harness itself: a child started on a free port is awaited by polling
// (no fixed sleep), its output is captured, and stop() leaves no process behind.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sourceOpenrc } from "../../src/harness/openrc.js";
import { freePort } from "../../src/harness/ports.js";
import { ManagedProcess } from "../../src/harness/process.js";
import { pollUntil, WaitTimeout, waitForHttp } from "../../src/harness/wait.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const dirs: string[] = [];
function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "cinderlab-harness-"));
  dirs.push(dir);
  return dir;
}

describe("e2e harness", () => {
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("starts a server process, waits for it, captures its log and stops it by pid", async () => {
    const dir = scratchDir();
    const port = await freePort();
    const server = `require("node:http").createServer((q, s) => s.end("ok")).listen(${port}, "127.0.0.1", () => console.log("listening ${port}"));`;
    const proc = ManagedProcess.start({
      name: "tiny server",
      command: process.execPath,
      args: ["-e", server],
      logFile: join(dir, "tiny.log"),
    });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/`, { abort: () => proc.deathError(), timeoutMs: 10_000 });
      expect(alive(proc.pid)).toBe(true);
    } finally {
      await proc.stop();
    }
    expect(alive(proc.pid)).toBe(false);
    expect(proc.exit()?.signal).toBe("SIGTERM");
    expect(readFileSync(join(dir, "tiny.log"), "utf8")).toContain(`listening ${port}`);
  });

  it("reports an early exit instead of waiting out the deadline", async () => {
    const dir = scratchDir();
    const proc = ManagedProcess.start({
      name: "crasher",
      command: process.execPath,
      args: ["-e", 'console.error("boom: bad flag"); process.exit(3)'],
      logFile: join(dir, "crasher.log"),
    });
    const started = Date.now();
    await expect(
      pollUntil(async () => undefined, { what: "never", timeoutMs: 10_000, abort: () => proc.deathError() }),
    ).rejects.toThrow(/crasher \(pid \d+\) exited early \(code 3.*boom: bad flag/s);
    expect(Date.now() - started).toBeLessThan(5_000);
    await proc.stop();
  });

  it("times out with what it waited for and what it last saw", async () => {
    const error = await pollUntil(
      async () => {
        throw new Error("connection refused");
      },
      { what: "the moon", timeoutMs: 100, intervalMs: 10 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeout);
    expect(String(error)).toContain("waiting for the moon; last seen: connection refused");
  });

  it("reads an openrc by sourcing it with bash", () => {
    const dir = scratchDir();
    const file = join(dir, "a.openrc");
    writeFileSync(
      file,
      "# comment\nexport OS_AUTH_URL=http://127.0.0.1:5000/v3\nexport OS_PASSWORD='p a$$ word'\nUNRELATED=1\n",
    );
    expect(sourceOpenrc(file)).toEqual({
      OS_AUTH_URL: "http://127.0.0.1:5000/v3",
      OS_PASSWORD: "p a$$ word",
    });
    writeFileSync(file, "export OS_AUTH_URL=(\n");
    expect(() => sourceOpenrc(file)).toThrow(/bash could not source/);
  });
});
