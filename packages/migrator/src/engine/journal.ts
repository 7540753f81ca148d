// The journal's records and how they fold into per-volume state. Pure: the file adapter
// (journal-file.ts) and the in-memory one only store lines.
import { z } from "zod";
import { type StepName, stepName, type VolumeFacts, volumeFacts } from "./facts.js";

export const sideRef = z.object({
  /** how to reach the side again on resume: a clouds.yaml name, an openrc path, or "env" */
  kind: z.enum(["cloud", "openrc", "env"]),
  name: z.string(),
});
export type SideRef = z.infer<typeof sideRef>;

export const runOptions = z.object({
  incremental: z.boolean(),
  force: z.boolean(),
  verify: z.string(),
  cleanup: z.boolean(),
  typeMap: z.record(z.string(), z.string()),
  azMap: z.record(z.string(), z.string()),
  parallel: z.number().int().min(1),
  maxBackups: z.number().int().min(1),
  maxRestores: z.number().int().min(1),
  waitTimeoutMs: z.number().int().min(1),
  retries: z.number().int().min(0),
  /** hand the restored volume to this project with a volume transfer (accepted by `receiver`) */
  toProject: z.string().optional(),
});
export type RunOptions = z.infer<typeof runOptions>;

const cephSide = z.object({
  conf: z.string().optional(),
  keyring: z.string().optional(),
  user: z.string().optional(),
  pool: z.string(),
});
/** Paths and names only (a keyring path is not a secret; its content never enters the journal). */
export const cephSettings = z.object({
  rbdBin: z.string(),
  backup: cephSide.optional(),
  target: cephSide.optional(),
});
export type CephSettings = z.infer<typeof cephSettings>;

export const journalRecord = z.discriminatedUnion("t", [
  z.object({
    t: z.literal("run"),
    at: z.string(),
    runId: z.string(),
    from: sideRef,
    to: sideRef,
    options: runOptions,
    ceph: cephSettings.optional(),
    /** credentials of a user in the receiving project, for --to-project */
    receiver: sideRef.optional(),
    volumes: z.array(z.string()),
  }),
  z.object({ t: z.literal("resume"), at: z.string() }),
  z.object({ t: z.literal("before"), at: z.string(), volume: z.string(), step: stepName }),
  z.object({ t: z.literal("after"), at: z.string(), volume: z.string(), step: stepName, facts: volumeFacts }),
  z.object({ t: z.literal("failed"), at: z.string(), volume: z.string(), step: stepName, error: z.string() }),
  z.object({ t: z.literal("skipped"), at: z.string(), volume: z.string(), step: stepName, why: z.string() }),
  z.object({
    t: z.literal("outcome"),
    at: z.string(),
    volume: z.string(),
    outcome: z.enum(["migrated", "failed"]),
    reason: z.string().optional(),
  }),
]);
export type JournalRecord = z.infer<typeof journalRecord>;
export type RunHeader = Extract<JournalRecord, { t: "run" }>;

export interface StepTiming {
  step: StepName;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  status: "running" | "done" | "failed" | "skipped";
  note?: string;
}

export interface VolumeState {
  volumeId: string;
  facts: VolumeFacts;
  done: Set<StepName>;
  steps: StepTiming[];
  /** a step recorded "before" without "after": it may have acted; resume must look before acting */
  inFlight?: StepName;
  outcome?: "migrated" | "failed";
  reason?: string;
}

export interface RunState {
  header: RunHeader;
  volumes: Map<string, VolumeState>;
  resumes: number;
}

/** Appends records durably: when the promise resolves, the record survives a crash. */
export interface Journal {
  readonly path: string;
  append(record: JournalRecord): Promise<void>;
}

export function fold(records: JournalRecord[]): RunState {
  const [first, ...rest] = records;
  if (first?.t !== "run") throw new Error("journal does not start with a run record");
  const state: RunState = { header: first, volumes: new Map(), resumes: 0 };
  for (const id of first.volumes)
    state.volumes.set(id, { volumeId: id, facts: {}, done: new Set(), steps: [] });
  for (const r of rest) apply(state, r);
  return state;
}

export function apply(state: RunState, r: JournalRecord): void {
  if (r.t === "run") return;
  if (r.t === "resume") {
    state.resumes++;
    return;
  }
  const v = state.volumes.get(r.volume);
  if (!v) return;
  const ms = (a: string, b: string) => Date.parse(b) - Date.parse(a);
  const open = () =>
    v.steps.findLast((s) => s.step === (r as { step: StepName }).step && s.status === "running");
  switch (r.t) {
    case "before":
      v.inFlight = r.step;
      v.steps.push({ step: r.step, startedAt: r.at, status: "running" });
      break;
    case "after": {
      Object.assign(v.facts, r.facts);
      v.done.add(r.step);
      v.inFlight = undefined;
      const s = open();
      if (s) Object.assign(s, { status: "done", finishedAt: r.at, durationMs: ms(s.startedAt, r.at) });
      break;
    }
    case "failed": {
      v.inFlight = undefined;
      const s = open();
      if (s)
        Object.assign(s, {
          status: "failed",
          finishedAt: r.at,
          durationMs: ms(s.startedAt, r.at),
          note: r.error,
        });
      break;
    }
    case "skipped":
      v.done.add(r.step);
      v.steps.push({
        step: r.step,
        startedAt: r.at,
        finishedAt: r.at,
        durationMs: 0,
        status: "skipped",
        note: r.why,
      });
      break;
    case "outcome":
      v.outcome = r.outcome;
      v.reason = r.reason;
      break;
  }
}

export function parseJournal(text: string, file: string): { records: JournalRecord[]; tornTail: boolean } {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const records: JournalRecord[] = [];
  let tornTail = false;
  lines.forEach((line, i) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      // Only the last line may be torn: a crash in the middle of a write.
      if (i === lines.length - 1) {
        tornTail = true;
        return;
      }
      throw new JournalLineError(file, i + 1, "not JSON");
    }
    const r = journalRecord.safeParse(parsed);
    if (!r.success) throw new JournalLineError(file, i + 1, r.error.issues[0]?.message ?? "invalid record");
    records.push(r.data);
  });
  return { records, tornTail };
}

export class JournalLineError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly why: string,
  ) {
    super(`${file}:${line}: ${why}`);
  }
}

export class MemoryJournal implements Journal {
  readonly path = "memory";
  readonly records: JournalRecord[] = [];
  async append(record: JournalRecord): Promise<void> {
    this.records.push(structuredClone(record));
  }
}
