import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RbdResult, StartedCeph } from "../../src/ceph/index.js";
import { cephUnavailable, startCeph } from "./cluster.js";
import { type FakeRbd, fakeRbdBuilt, startFakeRbd } from "./contract/fake-rbd.js";
import { normaliseJson, normaliseSnapTable, normaliseText, splitStderr } from "./contract/normalise.js";
import { contractScenario, type OutputKind, type Step } from "./contract/scenario.js";

// Issue 5, item 1: the same scenario against real rbd (16.2, on the provider's cluster) and
// fake-rbd (in memory); exit codes, normalised stdout and stderr, and export-diff streams
// byte for byte must agree. A difference the fake keeps on purpose is listed below with its
// reason (and in docs/fidelity.md); a listed difference that disappears fails too, so the
// list stays true.
const KNOWN_DIFFERENCES: Record<string, string> = {
  "unknown-verb":
    "real rbd prints its whole top-level usage (~150 verbs, most of which fake-rbd does not have) on " +
    "stdout; fake-rbd prints its own usage. The error line naming the rest of the command line and " +
    "the exit code agree.",
};

const REPORT = process.env.RBD_CONTRACT_REPORT ?? "/tmp/cinderlab-notes/rbd-contract-diffs.md";
// `RBD_CONTRACT_JSON=test/parity/rbd-contract.json npm run test:ceph` refreshes the data that
// docs/fidelity.md's rbd section is generated from (`npm run fidelity`).
const REPORT_JSON = process.env.RBD_CONTRACT_JSON;
const POOL = "contract";

interface Side {
  exitCode: number;
  stdout: string;
  /** rbd's own stderr text, JSON-quoted so whitespace shows in the report. */
  stderr: string;
  /** librbd log lines, sorted: their place among rbd's lines is racy in real rbd. */
  log: string;
}

function view(kind: OutputKind, r: RbdResult): Side {
  const text = r.stdout.toString("utf8");
  let stdout: string;
  switch (kind) {
    case "json":
      stdout =
        r.exitCode === 0 && text.trim() ? JSON.stringify(normaliseJson(JSON.parse(text)), null, 1) : text;
      break;
    case "text":
      stdout = normaliseText(text);
      break;
    case "snap-table":
      stdout = normaliseSnapTable(text);
      break;
    case "bytes":
      // what a failing rbd had already written (header records) depends on when its output
      // buffer was flushed: sometimes 37 bytes, sometimes none
      stdout =
        r.exitCode === 0
          ? `${r.stdout.length} bytes, sha256 ${createHash("sha256").update(r.stdout).digest("hex")}`
          : "(partial output of a failed command: not compared)";
      break;
    case "sha256":
      stdout = `${r.stdout.length} bytes, sha256 ${createHash("sha256").update(r.stdout).digest("hex")}`;
      break;
  }
  const { rbd, log } = splitStderr(r.stderr);
  return {
    exitCode: r.exitCode,
    stdout,
    stderr: JSON.stringify(rbd),
    log: log.map((l) => JSON.stringify(l)).join("\n"),
  };
}

/** The shape test/parity/rbd-contract.json has, read by the fidelity report. */
function summary(outcomes: Outcome[]) {
  const differing = outcomes.filter((o) => o.differs.length > 0);
  return {
    source:
      "written by packages/e2e/test/ceph/rbd-contract.test.ts (RBD_CONTRACT_JSON) from a run against real rbd",
    recordedAt: new Date().toISOString().slice(0, 10),
    compared: outcomes.length,
    matched: outcomes.length - differing.length,
    differences: differing.map((o) => ({
      case: o.step.id,
      what: `${o.differs.join(", ")} differ`,
      reason: KNOWN_DIFFERENCES[o.step.id] ?? "not a known difference: a fake-rbd bug to fix",
    })),
  };
}

interface Outcome {
  step: Step;
  real: Side;
  fake: Side;
  /** Unnormalised stderr, for the report. */
  raw: { real: string; fake: string };
  realBytes?: Buffer;
  fakeBytes?: Buffer;
  differs: ("exit code" | "stdout" | "stderr" | "log")[];
  ms: { real: number; fake: number };
}

function firstByteDifference(a: Buffer, b: Buffer): string {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i])
      return `first differing byte at offset ${i} (real 0x${a[i]?.toString(16)}, fake 0x${b[i]?.toString(16)})`;
  }
  return a.length === b.length ? "identical" : `common prefix of ${n} bytes, then lengths differ`;
}

function report(outcomes: Outcome[], provider: string): string {
  const sum = (f: (o: Outcome) => number) => outcomes.reduce((n, o) => n + f(o), 0);
  const same = outcomes.filter((o) => o.differs.length === 0);
  const lines = [
    "# rbd contract: real rbd 16.2 vs fake-rbd",
    "",
    `Provider: ${provider}. Scenario: packages/e2e/test/ceph/contract/scenario.ts (${outcomes.length} steps).`,
    "Compared: exit code, stderr (normalised: librbd log prefix, dates, image ids), stdout",
    "(JSON with run-specific fields replaced, text, snapshot tables, export-diff bytes, export sha256).",
    "",
    `Matching: ${same.length}/${outcomes.length}: ${same.map((o) => o.step.id).join(", ") || "none"}`,
    "",
    `Time: real rbd ${sum((o) => o.ms.real)} ms, fake-rbd ${sum((o) => o.ms.fake)} ms over all steps.`,
    "",
    "Facts about real rbd 16.2 that the comparison has to allow for (not differences):",
    "- rbd's own messages and librbd's log lines reach stderr from two threads; their order is",
    "  random from run to run, and a log line can land inside an rbd line",
    "  (`rbd: create error: <log line>\\n(17) File exists`). Log lines are compared as a sorted",
    "  list; where librbd logged, rbd's own text is compared without its line breaks.",
    "- When stderr is a file or a socket (Node's pipe stdio is a socketpair), real rbd adds an",
    "  empty line per log line, somewhere; through a real pipe (Cinder's processutils) it does not.",
    "- A failing export-diff may or may not have written its first records (37 bytes) to stdout",
    "  before it fails, depending on buffer flushing: stdout of failed byte-stream steps is not compared.",
    "- Snapshot ids depend on the pool's history (every snapshot made or refused in it counts;",
    "  the testcontainers readiness probe leaves real rbd starting at 5, a fresh pool at 4), so",
    "  they are replaced by placeholders like image ids and timestamps. fake-rbd's numbering",
    "  (4 in a fresh pool, +1 per snapshot) is pinned against the recorded fixtures instead.",
    "",
  ];
  for (const o of outcomes.filter((x) => x.differs.length > 0)) {
    lines.push(`## ${o.step.id}: ${o.differs.join(", ")} differ`, "", `\`rbd ${o.step.argv.join(" ")}\``, "");
    const known = KNOWN_DIFFERENCES[o.step.id];
    if (known) lines.push(`Known: ${known}`, "");
    if (o.differs.includes("exit code"))
      lines.push(`- exit code: real ${o.real.exitCode}, fake ${o.fake.exitCode}`);
    for (const field of ["stdout", "stderr", "log"] as const) {
      if (!o.differs.includes(field)) continue;
      lines.push(
        `- ${field}, real:`,
        "```",
        o.real[field],
        "```",
        `- ${field}, fake:`,
        "```",
        o.fake[field],
        "```",
      );
    }
    if (o.differs.includes("stderr") || o.differs.includes("log")) {
      lines.push(
        `- raw stderr, real: \`${JSON.stringify(o.raw.real)}\``,
        `- raw stderr, fake: \`${JSON.stringify(o.raw.fake)}\``,
      );
    }
    if (o.realBytes && o.fakeBytes && o.differs.includes("stdout")) {
      lines.push(`- stream: ${firstByteDifference(o.realBytes, o.fakeBytes)}`);
    }
    lines.push("");
  }
  return lines.join("\n");
}

// without a built fake-rbd the suite skips, except in CI where that is a broken build
describe.skipIf(cephUnavailable || (!fakeRbdBuilt() && process.env.CI !== "true"))(
  "rbd contract: real rbd vs fake-rbd",
  () => {
    let ceph: StartedCeph;
    let fake: FakeRbd;
    let pool: string;
    let scenario: Step[];
    const outcomes: Outcome[] = [];
    const printed = new Map<string, { real: Buffer; fake: Buffer }>();

    beforeAll(async () => {
      ceph = await startCeph([POOL]);
      pool = ceph.pools[0] ?? POOL;
      fake = await startFakeRbd([pool]);
      scenario = contractScenario(pool, (b) => ceph.scratchName(b));
    });
    afterAll(async () => {
      if (outcomes.length > 0) {
        await mkdir(dirname(REPORT), { recursive: true });
        await writeFile(REPORT, report(outcomes, ceph.provider));
        if (REPORT_JSON) await writeFile(REPORT_JSON, `${JSON.stringify(summary(outcomes), null, 1)}\n`);
      }
      await ceph?.stop();
    });

    // The scenario needs the pool name, which the provider decides; the steps' order and ids
    // do not depend on it, so they are listed from a placeholder and run with the real one.
    const steps = contractScenario(POOL, (b) => b);
    for (const [index, template] of steps.entries()) {
      it.skipIf(template.poolWide && process.env.CEPH_PROVIDER === "external")(template.id, async () => {
        const step = scenario[index] as Step;
        const piped = step.inputFrom === undefined ? undefined : printed.get(step.inputFrom);
        if (step.inputFrom !== undefined && piped === undefined)
          throw new Error(`step ${step.inputFrom} did not run`);
        const realInput = piped ? { input: piped.real } : step.input ? { input: step.input } : {};
        const fakeInput = piped ? { input: piped.fake } : step.input ? { input: step.input } : {};
        const t0 = performance.now();
        const realRun = await ceph.rbd(step.argv, realInput);
        const t1 = performance.now();
        const fakeRun = await fake.rbd(step.argv, fakeInput);
        printed.set(step.id, { real: realRun.stdout, fake: fakeRun.stdout });
        const ms = { real: Math.round(t1 - t0), fake: Math.round(performance.now() - t1) };
        const real = view(step.stdout, realRun);
        const fakeSide = view(step.stdout, fakeRun);
        const differs: Outcome["differs"] = [];
        if (real.exitCode !== fakeSide.exitCode) differs.push("exit code");
        if (real.stdout !== fakeSide.stdout) differs.push("stdout");
        if (real.stderr !== fakeSide.stderr) differs.push("stderr");
        if (real.log !== fakeSide.log) differs.push("log");
        const raw = { real: realRun.stderr, fake: fakeRun.stderr };
        const outcome: Outcome = { step, real, fake: fakeSide, differs, ms, raw };
        if (step.stdout === "bytes")
          Object.assign(outcome, { realBytes: realRun.stdout, fakeBytes: fakeRun.stdout });
        outcomes.push(outcome);

        if (KNOWN_DIFFERENCES[step.id]) {
          expect(differs, `listed as a known difference, but real and fake now agree`).not.toEqual([]);
        } else {
          expect({ ...fakeSide }).toEqual({ ...real });
        }
      });
    }
  },
);
