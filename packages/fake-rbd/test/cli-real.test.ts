// The fake-rbd CLI against what real rbd 16.2 printed (test/fixtures/real, recorded by
// scripts/record-real-rbd.sh): the recorded scenario is replayed, and every recorded command
// runs through `runRbdCli` at the same point of the timeline, in-process (LocalRbd) and
// through the HTTP server (RemoteRbd). stdout, stderr and the exit status must match, up to
// run-specific values (ids, times) and librbd's racy log placement.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RbdBackend } from "../src/backend.js";
import { formatBytes } from "../src/cli/format.js";
import { runRbdCli } from "../src/cli/run.js";
import { LocalRbd } from "../src/local.js";
import { RemoteRbd } from "../src/remote.js";
import { type RunningRbdServer, startRbdServer } from "../src/server/start.js";
import {
  applyStep,
  fixturesDir,
  isJsonOutput,
  loadErrors,
  loadManifest,
  loadOutputs,
  normaliseJsonText,
  normalisePlain,
  type Observation,
  pattern,
  splitStderr,
} from "./helpers/ceph-fixtures.js";

const manifest = loadManifest();
const observations = [...loadOutputs(), ...loadErrors()].sort((a, b) => a.seq - b.seq);

/** Where the fake cannot (or does not yet) print what rbd printed, and why. */
const KNOWN_DIFFERENCES: Record<string, string> = {
  // rbd's usage lists ~150 verbs the fake does not have; the error line and status match.
  "unknown-command": "stdout",
};

interface Result {
  stdout: Buffer;
  stderr: string;
  exitCode: number;
}

async function cli(backend: RbdBackend, argv: string[], stdin?: Buffer): Promise<Result> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on("data", (c: Buffer) => out.push(c));
  stderr.on("data", (c: Buffer) => err.push(c));
  const exitCode = await runRbdCli(argv, {
    backend,
    stdin: Readable.from(stdin ? [stdin] : []),
    stdout,
    stderr,
    env: {},
  });
  return { stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8"), exitCode };
}

/**
 * Intermediate progress updates of most verbs depend on librbd's internals; the final one
 * is kept. Export, import, export-diff and import-diff report at offsets the stream and
 * sizes fix, so theirs are compared as printed.
 */
function normaliseProgress(text: string): string {
  return text.replace(
    /\r(?!(?:Exporting image|Importing image(?: diff)?):)[^\r\n]*?: \d+% complete\.\.\.(?=\r)/g,
    "",
  );
}

function normaliseStderr(stderr: string): { text: string; logs: string[] } {
  const { text, logs } = splitStderr(stderr);
  return {
    text: normaliseProgress(text)
      .split("\n")
      .filter((line) => line !== "" && line !== "\r")
      .join("\n"),
    logs,
  };
}

function expectSame(o: Observation, actual: Result) {
  const label = `${o.name}: rbd ${o.argv.join(" ")}`;
  expect(actual.exitCode, `${label}\nstderr: ${actual.stderr}`).toBe(o.exitCode);
  expect(
    normaliseStderr(actual.stderr),
    `${label}\n${JSON.stringify(normaliseStderr(actual.stderr))}\n${JSON.stringify(normaliseStderr(o.stderr))}`,
  ).toEqual(normaliseStderr(o.stderr));
  if (KNOWN_DIFFERENCES[o.name] === "stdout") return;
  const expected = o.stdoutBase64 ? Buffer.from(o.stdoutBase64, "base64") : Buffer.from(o.stdout, "utf8");
  if (isJsonOutput(o)) {
    expect(normaliseJsonText(actual.stdout.toString("utf8")), label).toBe(
      normaliseJsonText(expected.toString("utf8")),
    );
  } else {
    expect(normalisePlain(actual.stdout.toString("utf8")), label).toBe(
      normalisePlain(expected.toString("utf8")),
    );
  }
}

/**
 * Replays the recorded timeline: before step k run the observations that saw steps[0:k]; rbd
 * steps go through the CLI under test too (their status and output are part of the record).
 */
async function replay(backend: RbdBackend, work: string, check: (o: Observation, r: Result) => void) {
  const sub = (arg: string) => arg.replace("{work}", work).replace("{fixtures}", fixturesDir);
  await backend.createPool(manifest.pool);
  await backend.initPool(manifest.pool);
  const files = new Map<string, Uint8Array>();
  for (let k = 0; k <= manifest.steps.length; k++) {
    for (const o of observations.filter((x) => x.afterStep === k)) {
      const stdin = o.stdinBase64 ? Buffer.from(o.stdinBase64, "base64") : undefined;
      check(o, await cli(backend, o.argv.map(sub), stdin));
    }
    const step = manifest.steps[k];
    if (!step) continue;
    if (step.op === "file") {
      const bytes = new Uint8Array(step.size);
      for (const w of step.writes) bytes.set(pattern(w.seed, w.length), w.offset);
      writeFileSync(sub(step.path), bytes);
    } else if (step.op === "rbd") {
      // an export the recorder wrote into the fixtures goes to the scratch dir here (the
      // recorded file stays for the import that follows, which then reads real rbd's bytes)
      const argv =
        step.argv[0] === "export"
          ? step.argv.map((a) => a.replace("{fixtures}/streams", "{work}"))
          : step.argv;
      const result = await cli(backend, argv.map(sub));
      expect(result.exitCode, `step ${k}: rbd ${step.argv.join(" ")}\n${result.stderr}`).toBe(step.exitCode);
      expect(normaliseStderr(result.stderr), `step ${k}: rbd ${step.argv.join(" ")}`).toEqual(
        normaliseStderr(step.stderr),
      );
    } else {
      await applyStep(backend, manifest.pool, step, files);
    }
  }
}

describe(`fake-rbd CLI vs real rbd (${manifest.recordedWith.split(" (")[0]})`, () => {
  it("in-process: every recorded command prints what rbd printed and exits with its status", async () => {
    const work = mkdtempSync(join(tmpdir(), "fake-rbd-cli-"));
    const seen: string[] = [];
    const mismatches: string[] = [];
    await replay(new LocalRbd(), work, (o, r) => {
      seen.push(o.name);
      try {
        expectSame(o, r);
      } catch (error) {
        mismatches.push(error instanceof Error ? error.message : String(error));
      }
    });
    expect(mismatches.join("\n\n")).toBe("");
    expect(seen).toHaveLength(observations.length);
  });

  describe("through the HTTP server (RemoteRbd)", () => {
    let server: RunningRbdServer;
    let remote: RemoteRbd;
    beforeAll(async () => {
      server = await startRbdServer({ backend: new LocalRbd() });
      remote = new RemoteRbd({ url: server.url });
    });
    afterAll(async () => {
      await remote.close();
      await server.close();
    });

    it("every recorded command gives the same output and status as in-process", async () => {
      const work = mkdtempSync(join(tmpdir(), "fake-rbd-cli-remote-"));
      await replay(remote, work, expectSame);
    });
  });
});

describe("fake-rbd CLI argument handling (as verified on real rbd 16.2)", () => {
  const backend = new LocalRbd();
  beforeAll(async () => {
    await backend.createPool("volumes");
  });

  it.each([
    [["ls", "--bogus"], "rbd: unrecognised option '--bogus'\n", 1],
    [["ls", "volumes", "extra"], "rbd: too many arguments\n", 1],
    [["ls", "--format", "yaml", "volumes"], "rbd: the argument for option '--format' is invalid\n", 1],
    [["create", "--size", "1.5G", "volumes/x"], "rbd: the argument for option '--size' is invalid\n", 1],
    [["create", "--size", "10X", "volumes/x"], "rbd: the argument for option '--size' is invalid\n", 1],
    [
      ["create", "--size", "1M", "volumes/bad@x"],
      "rbd: snapshot name specified for a command that doesn't use it\n",
      22,
    ],
    [["snap", "create", "volumes/d1@"], "rbd: invalid spec 'volumes/d1@'\n", 22],
    [["info"], "rbd: image name was not specified\n", 22],
    [
      ["info", "--pretty-format", "volumes/x"],
      "rbd: --pretty-format only works when --format is json or xml\n",
      22,
    ],
    [["resize", "volumes/x"], "rbd: must specify --size <M/G/T>\n", 22],
    [
      ["mv", "volumes/a", "other/b"],
      "rbd: mv/rename across pools not supported\nsource pool: volumes dest pool: other\n",
      22,
    ],
    [["snap", "rename", "volumes/a@s", "s2"], "rbd: destination snapshot name was not specified\n", 22],
    [
      ["du", "volumes"],
      "rbd: error opening default pool 'rbd'\nEnsure that the default pool has been created or specify an alternate pool name.\n",
      2,
    ],
  ] as const)("rbd %j", async (argv, stderr, exitCode) => {
    const result = await cli(backend, [...argv]);
    expect(result.stderr).toBe(stderr);
    expect(result.exitCode).toBe(exitCode);
  });

  it("parses --size as rbd does: bare numbers are MiB, B/K/M/G/T suffixes are powers of 1024", async () => {
    const sizes: [string, number][] = [
      ["1536", 1536 * 2 ** 20],
      ["2048K", 2 * 2 ** 20],
      ["2000B", 2000],
      ["3T", 3 * 2 ** 40],
      ["1G", 2 ** 30],
    ];
    for (const [i, [text, bytes]] of sizes.entries()) {
      expect((await cli(backend, ["create", "--size", text, `volumes/size${i}`])).exitCode).toBe(0);
      expect((await backend.imageInfo({ pool: "volumes", image: `size${i}` })).size).toBe(bytes);
    }
    const listing = (await cli(backend, ["ls", "-l", "volumes"])).stdout.toString();
    // byte_u_t: whole units without decimals, otherwise at most 7 characters
    expect(listing).toContain("size0  1.5 GiB            2");
    expect(listing).toContain("size1    2 MiB            2");
    expect(listing).toContain("size2  2.0 KiB            2");
  });

  it("global options work before and after the verb, and -p/--image/--snap replace the spec", async () => {
    await cli(backend, ["create", "--size", "4M", "-p", "volumes", "--image", "flags"]);
    await cli(backend, [
      "--cluster",
      "ceph",
      "snap",
      "create",
      "--pool",
      "volumes",
      "--image",
      "flags",
      "--snap",
      "s",
    ]);
    const json = await cli(backend, ["snap", "ls", "volumes/flags", "--format", "json", "--cluster", "ceph"]);
    expect(JSON.parse(json.stdout.toString())).toMatchObject([
      { name: "s", protected: "false", size: 4 * 2 ** 20 },
    ]);
  });

  it("takes a verb's options before the verb too, as rbd's Shell does", async () => {
    // the contract suite's global-format-first step: real rbd accepted `--format json info IMG`
    await cli(backend, ["create", "--size", "4M", "volumes/early"]);
    const info = await cli(backend, ["--format", "json", "info", "volumes/early"]);
    expect(info.stderr).toBe("");
    expect(info.exitCode).toBe(0);
    expect(JSON.parse(info.stdout.toString())).toMatchObject({ name: "early", size: 4 * 2 ** 20 });
    const snap = await cli(backend, [
      "-p",
      "volumes",
      "--no-progress",
      "snap",
      "--image",
      "early",
      "create",
      "--snap",
      "x",
    ]);
    expect(snap).toMatchObject({ stderr: "", exitCode: 0 });
    const ls = await cli(backend, ["--format=json", "snap", "ls", "volumes/early"]);
    expect(JSON.parse(ls.stdout.toString())).toMatchObject([{ name: "x" }]);
  });

  it("an unknown verb is named with the rest of the command line, as rbd names it", async () => {
    const run = await cli(backend, ["--format", "json", "frobnicate", "volumes/x", "extra"]);
    expect(run.stderr).toBe("error: unknown option 'frobnicate volumes/x extra'\n\n");
    expect(run.exitCode).toBe(1);
    const group = await cli(backend, ["snap", "frob", "volumes/x"]);
    expect(group.stderr).toBe("error: unknown option 'snap frob volumes/x'\n\n");
  });

  it("--format xml is refused with one clear line", async () => {
    const result = await cli(backend, ["ls", "--format", "xml", "volumes"]);
    expect(result.stderr).toBe("rbd: --format xml is not supported by fake-rbd (use json or plain)\n");
    expect(result.exitCode).toBe(95);
  });

  it("without a backend or a server address it names the settings to use", async () => {
    const stderr = new PassThrough();
    const err: Buffer[] = [];
    stderr.on("data", (c: Buffer) => err.push(c));
    const exitCode = await runRbdCli(["ls", "volumes"], {
      stdin: Readable.from([]),
      stdout: new PassThrough(),
      stderr,
      env: {},
      connect: (url) => new RemoteRbd({ url }),
    });
    expect(exitCode).toBe(2);
    expect(Buffer.concat(err).toString()).toMatch(/FAKE_RBD_URL.*--fake-rbd-url.*fake rbd url = http/);
  });
});

describe("byte_u_t rendering", () => {
  it.each([
    [0, "0 B"],
    [2000, "2.0 KiB"],
    [2048, "2 KiB"],
    [10239, "10 KiB"],
    [1280 * 1024, "1.2 MiB"], // printf rounds an exact tie to even: 1.25 -> 1.2
    [1536 * 2 ** 20, "1.5 GiB"],
    [3 * 2 ** 40, "3 TiB"],
    [3301221339088, "3.0 TiB"],
  ])("%d bytes -> %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
