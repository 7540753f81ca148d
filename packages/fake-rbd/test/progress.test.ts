// Progress lines of export-diff and import-diff against what real rbd 16.2 printed for the
// e2e contract scenario's Cinder backup flow (packages/e2e/test/ceph/contract/scenario.ts,
// steps cinder-export-full ... cinder-import-incremental): the same streams must give the
// same "N% complete..." sequence on stderr.
import { PassThrough, Readable } from "node:stream";
import { beforeEach, describe, expect, it } from "vitest";
import { runRbdCli } from "../src/cli/run.js";
import {
  concatBytes,
  encodeBanner,
  encodeEnd,
  encodeFromSnap,
  encodeSize,
  encodeToSnap,
  encodeWrite,
} from "../src/diff/index.js";
import { DiffProgressScanner } from "../src/diff/progress.js";
import { LocalRbd } from "../src/local.js";
import { MiB, pattern } from "./model-helpers.js";

const KiB = 1024;

async function cli(backend: LocalRbd, argv: string[], stdin?: Uint8Array) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on("data", (c: Buffer) => out.push(c));
  stderr.on("data", (c: Buffer) => err.push(c));
  // small chunks: the reports must not depend on how the stream is split
  const chunks: Uint8Array[] = [];
  if (stdin) for (let at = 0; at < stdin.byteLength; at += 4099) chunks.push(stdin.subarray(at, at + 4099));
  const exitCode = await runRbdCli(argv, { backend, stdin: Readable.from(chunks), stdout, stderr, env: {} });
  return { stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8"), exitCode };
}

describe("progress of export-diff | import-diff, as real rbd 16.2 printed it", () => {
  let backend: LocalRbd;
  beforeEach(async () => {
    backend = new LocalRbd();
    await backend.createPool("contract");
    await backend.initPool("contract");
  });

  it("Cinder's full then incremental backup", async () => {
    const dv1 = concatBytes([
      encodeBanner(),
      encodeToSnap("w1"),
      encodeSize(16 * MiB),
      encodeWrite(1 * MiB, pattern(2 * MiB, 1)),
      encodeWrite(10 * MiB, pattern(64 * KiB, 2)),
      encodeEnd(),
    ]);
    const dv2 = concatBytes([
      encodeBanner(),
      encodeFromSnap("w1"),
      encodeToSnap("w2"),
      encodeSize(16 * MiB),
      encodeWrite(2 * MiB, new Uint8Array(256 * KiB)),
      encodeWrite(15 * MiB, pattern(4 * KiB, 3)),
      encodeEnd(),
    ]);
    const V = "contract/volume-v";
    const base = "contract/volume-v.backup.b1";
    const s1 = "backup.b1.snap.1700000001.0";
    const s2 = "backup.b2.snap.1700000002.0";
    const ok = { exitCode: 0 };
    expect(await cli(backend, ["create", "--size", "16M", V])).toMatchObject(ok);
    expect(await cli(backend, ["import-diff", "--no-progress", "-", V], dv1)).toMatchObject(ok);
    expect(await cli(backend, ["snap", "create", "--no-progress", `${V}@${s1}`])).toMatchObject(ok);
    expect(await cli(backend, ["create", "--size", "16M", base])).toMatchObject(ok);

    const full = await cli(backend, ["export-diff", "--pool", "contract", `${V}@${s1}`, "-"]);
    expect(full.stderr).toBe("\rExporting image: 50% complete...\rExporting image: 100% complete...done.\n");
    const fullImport = await cli(backend, ["import-diff", "--pool", "contract", "-", base], full.stdout);
    expect(fullImport.stderr).toBe(
      "\rImporting image diff: 6% complete...\rImporting image diff: 50% complete...\rImporting image diff: 62% complete...\rImporting image diff: 100% complete...done.\n",
    );

    expect(await cli(backend, ["import-diff", "--no-progress", "-", V], dv2)).toMatchObject(ok);
    expect(await cli(backend, ["snap", "create", "--no-progress", `${V}@${s2}`])).toMatchObject(ok);
    const incremental = await cli(backend, [
      "export-diff",
      "--pool",
      "contract",
      "--from-snap",
      s1,
      `${V}@${s2}`,
      "-",
    ]);
    expect(incremental.stderr).toBe(
      "\rExporting image: 12% complete...\rExporting image: 75% complete...\rExporting image: 100% complete...done.\n",
    );
    const incrementalImport = await cli(
      backend,
      ["import-diff", "--pool", "contract", "-", base],
      incremental.stdout,
    );
    expect(incrementalImport.stderr).toBe(
      "\rImporting image diff: 12% complete...\rImporting image diff: 75% complete...\rImporting image diff: 93% complete...\rImporting image diff: 100% complete...done.\n",
    );
  });
});

describe("DiffProgressScanner", () => {
  const stream = concatBytes([
    encodeBanner(),
    encodeToSnap("t"),
    encodeSize(100 * 4096),
    encodeWrite(0, concatBytes([new Uint8Array(8192), pattern(4096, 1), new Uint8Array(100)])),
    encodeWrite(50 * 4096, pattern(10, 2)),
    encodeEnd(),
  ]);

  const points = (mode: ConstructorParameters<typeof DiffProgressScanner>[0], split: number) => {
    const out: number[] = [];
    const scanner = new DiffProgressScanner(mode, (offset, total) =>
      out.push(Math.floor((offset * 100) / total)),
    );
    for (let at = 0; at < stream.byteLength; at += split) scanner.push(stream.subarray(at, at + split));
    return out;
  };

  it("reports the same points however the stream is split", () => {
    for (const mode of [
      { kind: "export" as const },
      { kind: "import-stdin" as const, sparseSize: 4096 },
      { kind: "import-file" as const, fileSize: stream.byteLength },
    ]) {
      const whole = points(mode, stream.byteLength);
      for (const split of [1, 7, 4096]) expect(points(mode, split)).toEqual(whole);
    }
  });

  it("stdin imports report each run of zero or data blocks at its offset", () => {
    // t and s: 0; w@0: zero run at 0, data run at 8192 (2%), the partial all-zero last
    // block is a zero run of its own at 12288 (3%); w@50*4096: 50%
    expect(points({ kind: "import-stdin", sparseSize: 4096 }, 13)).toEqual([0, 0, 2, 3, 50]);
    expect(points({ kind: "export" }, 13)).toEqual([0, 50]);
  });
});
