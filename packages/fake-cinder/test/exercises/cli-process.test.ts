// `fake-cinder lab --exercise` and `--check` as processes (dist/bin.js, as a trainer runs
// them): the planted restore failure is seen through Cinder's API, a wrong recovery makes
// --check exit 1 naming the problem, the right one makes it exit 0.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../../dist/bin.js", import.meta.url));
let dir: string;
let lab: ChildProcess;
let stdout = "";
let ready: { clusters: Record<string, { cinderNoauth: string; projectId: string }> };

async function waitForFile(file: string, child: ChildProcess): Promise<string> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the lab exited ${child.exitCode}: ${stdout}`);
    const text = await readFile(file, "utf8").catch(() => undefined);
    if (text) return text;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "exercise-cli-"));
  lab = spawn(
    process.execPath,
    [bin, "lab", "--exercise", "restore-error", "--ready-file", join(dir, "lab.json"), "--delay-ms", "20"],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  lab.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  ready = JSON.parse(await waitForFile(join(dir, "lab.json"), lab));
});

afterAll(async () => {
  if (lab && lab.exitCode === null) {
    const exited = new Promise((r) => lab.once("exit", r));
    lab.kill("SIGTERM");
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
});

function check() {
  return spawnSync(
    process.execPath,
    [bin, "lab", "--check", "--exercise", "restore-error", "--ready-file", join(dir, "lab.json")],
    {
      encoding: "utf8",
    },
  );
}

/** Cinder B through its noauth endpoint, as an admin */
function cinderB() {
  const b = ready.clusters.b;
  if (!b) throw new Error("no cluster b in the ready file");
  const base = `${b.cinderNoauth}/v3/${b.projectId}`;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        "x-auth-token": `trainee:${b.projectId}`,
        "content-type": "application/json",
        "openstack-api-version": "volume 3.70",
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const volumeStatus = async (id: string) => (await call("GET", `/volumes/${id}`)).volume.status as string;
  const waitVolume = async (id: string, status: string) => {
    for (;;) {
      const now = await volumeStatus(id);
      if (now === status) return;
      if (now.startsWith("error")) throw new Error(`volume ${id} went ${now}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { call, volumeStatus, waitVolume };
}

describe("fake-cinder lab --exercise restore-error, as processes", () => {
  it("briefs the trainee without telling the fix", () => {
    expect(stdout).toContain("# Exercise restore-error: A restore ending in error_restoring");
    expect(stdout).toContain("fake-cinder lab --check --exercise restore-error");
    expect(stdout).not.toMatch(/delete|reset-state/i);
  });

  it("--check tells a wrong recovery (target reset to available) from the right one", async () => {
    const b = cinderB();
    const volumes = (await b.call("GET", "/volumes/detail")).volumes as Array<{ id: string; status: string }>;
    const failed = volumes.find((v) => v.status === "error_restoring");
    expect(failed).toBeDefined();
    const backup = ((await b.call("GET", "/backups/detail")).backups as Array<{ id: string }>)[0];
    if (!failed || !backup) throw new Error("the planted state is missing");

    // wrong: make the failed target look fine
    await b.call("POST", `/volumes/${failed.id}/action`, { "os-reset_status": { status: "available" } });
    const wrong = check();
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toContain("exercise restore-error: FAIL: 2 problems:");
    expect(wrong.stdout).toContain("  - no available volume in B holds the data of pg-data");

    // right: restore again into that volume, now that it is available
    await b.call("POST", `/backups/${backup.id}/restore`, { restore: { volume_id: failed.id } });
    await b.waitVolume(failed.id, "available");
    const right = check();
    expect(right.stderr).toBe("");
    expect(right.stdout).toMatch(/^exercise restore-error: PASS/);
    expect(right.status).toBe(0);
  });

  it("--check without --exercise says what it needs, exit 2", () => {
    const run = spawnSync(process.execPath, [bin, "lab", "--check"], { encoding: "utf8" });
    expect(run.stderr.trim()).toBe("fake-cinder: --check needs --exercise NAME");
    expect(run.status).toBe(2);
  });
});
