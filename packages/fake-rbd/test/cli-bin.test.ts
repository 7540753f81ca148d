// The real executable: `node dist/cli/bin.js` as separate processes, a `fake-rbd serve`
// server in its own process, and a shell pipeline `export-diff | import-diff` exactly as
// Cinder's backup driver runs it, with the backup cluster chosen by a ceph.conf.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = resolve(fileURLToPath(new URL(".", import.meta.url)), "../dist/cli/bin.js");

interface Run {
  stdout: string;
  stderr: string;
  exitCode: number;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { PATH: process.env.PATH, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const exitCode = error ? Number((error as { code?: number }).code ?? 1) : 0;
        done({ stdout, stderr, exitCode });
      },
    );
  });
}

function sh(script: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((done) => {
    execFile(
      "/bin/sh",
      ["-c", script],
      { env: { PATH: process.env.PATH, ...env } },
      (error, stdout, stderr) => {
        done({ stdout, stderr, exitCode: error ? Number((error as { code?: number }).code ?? 1) : 0 });
      },
    );
  });
}

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

describe.skipIf(!existsSync(bin))("fake-rbd executable (dist/cli/bin.js)", () => {
  let server: ChildProcess;
  let url: string;
  let work: string;
  let backupConf: string;
  const serverErr: string[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "fake-rbd-bin-"));
    server = spawn(process.execPath, [bin, "serve", "--port", "0", "--clusters", "ceph,backup"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    server.stderr?.on("data", (c: Buffer) => serverErr.push(c.toString()));
    url = await new Promise<string>((ok, fail) => {
      let seen = "";
      server.stdout?.on("data", (c: Buffer) => {
        seen += c.toString();
        const line = seen.split("\n")[0];
        if (seen.includes("\n") && line) ok(line.trim());
      });
      server.once("exit", (code) => fail(new Error(`fake-rbd serve exited ${code}: ${serverErr.join("")}`)));
    });
    backupConf = join(work, "backup.conf");
    writeFileSync(
      backupConf,
      `[global]\nfsid = 00000000-0000-0000-0000-000000000000\nfake rbd url = ${url}\nfake rbd cluster = backup\n`,
    );
  });

  afterAll(() => {
    if (server.exitCode === null) server.kill("SIGKILL");
  });

  it("serve prints its loopback URL", () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("serve on a port in use says so and exits with the errno (the server thread's listen error)", async () => {
    const port = new URL(url).port;
    const second = await run(["serve", "--port", port]);
    expect(second.stderr).toContain(`listen EADDRINUSE: address already in use 127.0.0.1:${port}`);
    expect(second.exitCode).toBe(98);
  });

  it("runs a Cinder-style full and incremental backup through a shell pipe into the conf's cluster", async () => {
    const env = { FAKE_RBD_URL: url };
    expect((await run(["pool", "create", "volumes"], env)).exitCode).toBe(0);
    expect((await run(["--conf", backupConf, "pool", "create", "backups"])).exitCode).toBe(0);
    const raw = join(work, "volume.raw");
    const bytes = Buffer.alloc(12 * 2 ** 20);
    for (let i = 0; i < 2 ** 20; i++) bytes[i] = (i * 13) & 0xff;
    writeFileSync(raw, bytes);
    const imported = await run(["import", raw, "volumes/volume-1"], env);
    expect(imported.stderr).toMatch(/Importing image: 100% complete\.\.\.done\.\n$/);
    expect((await run(["snap", "create", "--no-progress", "volumes/volume-1@backup.1"], env)).exitCode).toBe(
      0,
    );
    expect(
      (await run(["-c", backupConf, "create", "--size", "12M", "backups/volume-1.backup"])).exitCode,
    ).toBe(0);

    const piped = await sh(
      `node "${bin}" export-diff --no-progress volumes/volume-1@backup.1 - | node "${bin}" --id cinder-backup --conf "${backupConf}" import-diff --no-progress - backups/volume-1.backup`,
      env,
    );
    expect(piped).toEqual({ stdout: "", stderr: "", exitCode: 0 });

    // an incremental on top, then a byte-for-byte comparison of both sides
    const more = join(work, "more.raw");
    writeFileSync(more, Buffer.alloc(4096, 0x5a));
    expect((await run(["import", "--no-progress", more, "volumes/scratch"], env)).exitCode).toBe(0);
    const incremental = await sh(
      `node "${bin}" snap create --no-progress volumes/volume-1@backup.2 && node "${bin}" export-diff --no-progress --from-snap backup.1 volumes/volume-1@backup.2 - | node "${bin}" -c "${backupConf}" import-diff --no-progress - backups/volume-1.backup`,
      env,
    );
    expect(incremental.exitCode).toBe(0);
    const snaps = await run(["-c", backupConf, "snap", "ls", "--format", "json", "backups/volume-1.backup"]);
    expect(JSON.parse(snaps.stdout).map((s: { name: string }) => s.name)).toEqual(["backup.1", "backup.2"]);

    const source = join(work, "source.img");
    const copy = join(work, "copy.img");
    expect((await run(["export", "--no-progress", "volumes/volume-1@backup.2", source], env)).exitCode).toBe(
      0,
    );
    expect(
      (await run(["-c", backupConf, "export", "--no-progress", "backups/volume-1.backup@backup.2", copy]))
        .exitCode,
    ).toBe(0);
    expect(sha256(copy)).toBe(sha256(source));
    expect(sha256(source)).toBe(createHash("sha256").update(bytes).digest("hex"));
  }, 120_000);

  it("reports rbd's error text and exits with rbd's status", async () => {
    const env = { FAKE_RBD_URL: url };
    expect(await run(["info", "volumes/nope"], env)).toEqual({
      stdout: "",
      stderr: "rbd: error opening image nope: (2) No such file or directory\n",
      exitCode: 2,
    });
    const exists = await run(["export", "--no-progress", "volumes/volume-1", join(work, "source.img")], env);
    expect(exists).toMatchObject({ stderr: "rbd: export error: (17) File exists\n", exitCode: 17 });
  });

  it("says where to configure the server when none is given", async () => {
    const result = await run(["ls", "volumes"], { HOME: work });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("FAKE_RBD_URL");
  });

  it("serve stops cleanly on SIGTERM", async () => {
    const exited = new Promise<number | null>((ok) => server.once("exit", (code) => ok(code)));
    server.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(serverErr.join("")).toContain("SIGTERM received, stopping");
  });
});
