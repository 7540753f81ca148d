import { MemoryJournal, type RunOptions } from "../../src/engine/journal.js";
import { type EngineDeps, Migration } from "../../src/engine/runner.js";
import type { MemoryLab } from "./memory-lab.js";

export const defaultOptions: RunOptions = {
  incremental: false,
  force: false,
  verify: "full",
  cleanup: false,
  typeMap: {},
  azMap: {},
  parallel: 1,
  maxBackups: 4,
  maxRestores: 4,
  waitTimeoutMs: 600_000,
  retries: 4,
};

export function deps(lab: MemoryLab, journal: MemoryJournal, extra: Partial<EngineDeps> = {}): EngineDeps {
  return { a: lab.a, b: lab.b, ceph: lab.access(), clock: lab.clock, journal, retryBaseMs: 100, ...extra };
}

export function startRun(
  lab: MemoryLab,
  volumes: string[],
  options: Partial<RunOptions> = {},
  extra: Partial<EngineDeps> = {},
) {
  const journal = new MemoryJournal();
  const m = Migration.start(deps(lab, journal, extra), {
    runId: "r1",
    from: { kind: "cloud", name: "A" },
    to: { kind: "cloud", name: "B" },
    options: { ...defaultOptions, ...options },
    volumes,
  });
  return { journal, migration: m };
}
