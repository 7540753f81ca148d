// The CLI in-process: options, one-line errors with a non-zero code, openrc files that
// bash can source, and the ready file.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CliIo, main } from "../src/cli.js";

function capture(stopWhen?: (io: { out: string[] }) => boolean) {
  const out: string[] = [];
  const err: string[] = [];
  let release: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    release = resolve;
  });
  const io: CliIo = {
    out: (line) => {
      out.push(line);
      if (stopWhen?.({ out })) release();
    },
    err: (line) => err.push(line),
    waitForStop: () => {
      if (!stopWhen) release();
      return stopped;
    },
  };
  return { io, out, err, stop: release };
}

function sourced(file: string): Record<string, string> {
  const run = spawnSync("/bin/bash", ["--noprofile", "--norc", "-c", 'set -e; . "$1"; env -0', "_", file], {
    env: { PATH: "/usr/bin:/bin" },
    encoding: "utf8",
  });
  expect(run.status).toBe(0);
  return Object.fromEntries(
    run.stdout
      .split("\0")
      .filter((e) => /^(OS_|CINDER_)/.test(e))
      .map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]),
  );
}

describe("fake-cinder CLI", () => {
  it("lab writes sourceable openrc files and a ready file, then stops cleanly", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fake-cinder-cli-"));
    const ready = join(dir, "lab.json");
    const { io, out } = capture();
    const code = await main(["lab", "--openrc-dir", dir, "--ready-file", ready, "--delay-ms", "0"], io);
    expect(code).toBe(0);
    const description = JSON.parse(readFileSync(ready, "utf8"));
    expect(Object.keys(description.clusters)).toEqual(["a", "b"]);
    expect(description.rbd.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(description.backupPool).toBe("backups");
    const admin = sourced(description.clusters.a.openrc.admin);
    expect(admin).toMatchObject({
      OS_AUTH_URL: `${description.clusters.a.keystone}/v3`,
      OS_USERNAME: "admin",
      OS_PROJECT_NAME: "admin",
      OS_USER_DOMAIN_NAME: "Default",
      OS_PROJECT_DOMAIN_NAME: "Default",
      OS_IDENTITY_API_VERSION: "3",
    });
    expect(admin.OS_PASSWORD?.length).toBeGreaterThan(8);
    expect(statSync(description.clusters.a.openrc.admin).mode & 0o777).toBe(0o600);
    const noauth = sourced(description.clusters.b.openrc.noauth);
    expect(noauth).toEqual({
      OS_AUTH_TYPE: "noauth",
      OS_USER_ID: expect.any(String),
      OS_PROJECT_ID: description.clusters.b.projectId,
      CINDER_ENDPOINT: `${description.clusters.b.cinderNoauth}/v3/${description.clusters.b.projectId}`,
    });
    expect(out.join("\n")).toContain(`source ${description.clusters.a.openrc.admin}`);
  });

  it("serve prints an openrc for one cluster", async () => {
    const { io, out } = capture();
    const code = await main(["serve", "--port", "0", "--keystone-port", "0", "--no-serve-rbd"], io);
    expect(code).toBe(0);
    const text = out.join("\n");
    expect(text).toMatch(/export OS_AUTH_URL='http:\/\/127\.0\.0\.1:\d+\/v3'/);
    expect(text).not.toContain("# cluster b ");
  });

  it("answers bad input with one line and exit code 2", async () => {
    for (const argv of [
      ["lab", "--delay-ms", "soon"],
      ["lab", "--fault", "not json"],
      ["lab", "--fault", '{"operation":"nope","action":{"kind":"fail"}}'],
      ["serve", "--port", "99999"],
      ["lab", "--release-a", "grizzly"],
      ["lab", "--frobnicate"],
      ["nonsense"],
    ]) {
      const { io, err } = capture();
      const code = await main(argv, io);
      expect({ argv, code }).toEqual({ argv, code: 2 });
      expect(err.length, `stderr of ${argv.join(" ")}: ${err.join(" | ")}`).toBe(1);
      expect(err[0]).not.toMatch(/\n\s+at /);
    }
  });

  it("says what a port must be, in words, for any bad --port", async () => {
    for (const value of ["abc", "99999", "1.5"]) {
      const { io, err } = capture();
      expect(await main(["serve", "--port", value], io)).toBe(2);
      expect(err).toEqual([
        "fake-cinder: invalid option --port: a TCP port is a whole number from 0 to 65535",
      ]);
    }
  });
});
