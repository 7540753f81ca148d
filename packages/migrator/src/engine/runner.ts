// The orchestrator: runs each volume's steps in order, writes the journal before and after
// every step, holds per-cluster slots around backups and restores, retries what is worth
// retrying, and stops a volume (never the run) on its first real failure.

import { isRetryable, MigratorError } from "../errors.js";
import { backoff } from "../openstack/http.js";
import { STEP_NAMES, type StepName, type VolumeFacts } from "./facts.js";
import {
  apply,
  fold,
  type Journal,
  type JournalRecord,
  type RunHeader,
  type RunState,
  type VolumeState,
} from "./journal.js";
import { Poller, type PollSettings, WaitFailed } from "./poll.js";
import type { BlockStorage, CephAccess, Clock } from "./ports.js";
import { Semaphore } from "./semaphore.js";
import { type StepContext, StepFailed } from "./step.js";
import { SLOTS, type SlotName, STEPS } from "./steps/index.js";

/**
 * Where a crash hook may fire: after "before" is journalled, while a wait polls ("during"),
 * after the step acted but before "after" is journalled ("acted": the window where work
 * exists that the journal does not know about), and after "after" is journalled.
 */
export type CrashPhase = "before" | "during" | "acted" | "after";

export type EngineEvent =
  | {
      type: "step";
      volume: string;
      step: StepName;
      phase: "start" | "done" | "skipped" | "failed";
      index: number;
      total: number;
      durationMs?: number;
      note?: string;
    }
  | { type: "retry"; volume: string; step: StepName; attempt: number; error: string; delayMs: number }
  | { type: "poll"; volume: string; step: StepName; status: string }
  | { type: "outcome"; volume: string; outcome: "migrated" | "failed"; reason?: string };

export interface EngineDeps {
  a: BlockStorage;
  b: BlockStorage;
  receiver?: BlockStorage;
  ceph: CephAccess;
  clock: Clock;
  journal: Journal;
  poll?: PollSettings;
  /** called after each journal write and each poll; the CLI SIGKILLs itself here for crash tests */
  crashPoint?: (volume: string, step: StepName, phase: CrashPhase) => void;
  onEvent?: (event: EngineEvent) => void;
  signal?: AbortSignal;
  retryBaseMs?: number;
}

/** Thrown by a crash hook in tests to stop everything the way SIGKILL would: no more writes. */
export class SimulatedCrash extends Error {}

export class Migration {
  readonly state: RunState;
  private readonly poller: Poller;
  private readonly slots: Record<SlotName, Semaphore>;
  private halted: unknown;
  private opening: JournalRecord | undefined;

  private constructor(
    private readonly deps: EngineDeps,
    state: RunState,
  ) {
    this.state = state;
    this.poller = new Poller(deps.clock, deps.poll);
    const o = state.header.options;
    this.slots = {
      lane: new Semaphore(o.parallel),
      backup: new Semaphore(o.maxBackups),
      restore: new Semaphore(o.maxRestores),
    };
  }

  /** A new run; its header is journalled when run() starts. */
  static start(deps: EngineDeps, header: Omit<RunHeader, "t" | "at">): Migration {
    const record: RunHeader = { t: "run", at: new Date(deps.clock.now()).toISOString(), ...header };
    const m = new Migration(deps, fold([record]));
    m.opening = record;
    return m;
  }

  /** Continues from a journal's records; a resume marker is journalled when run() starts. */
  static resume(deps: EngineDeps, records: JournalRecord[]): Migration {
    const m = new Migration(deps, fold(records));
    m.opening = { t: "resume", at: m.iso() };
    return m;
  }

  get runId(): string {
    return this.state.header.runId;
  }

  private iso(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }

  private async write(record: JournalRecord): Promise<void> {
    await this.deps.journal.append(record);
    apply(this.state, record);
  }

  private emit(event: EngineEvent): void {
    this.deps.onEvent?.(event);
  }

  /** Runs every volume without an outcome; resolves when all have one (or the run is halted). */
  async run(): Promise<RunState> {
    if (this.opening) {
      await this.write(this.opening);
      this.opening = undefined;
    }
    const queue = [...this.state.volumes.values()].filter((v) => v.outcome === undefined);
    const workers = Array.from(
      { length: Math.min(this.state.header.options.parallel, queue.length) },
      async () => {
        for (let v = queue.shift(); v && this.halted === undefined; v = queue.shift()) {
          await this.migrateVolume(v);
        }
      },
    );
    await Promise.all(workers);
    if (this.halted !== undefined) throw this.halted;
    return this.state;
  }

  private async migrateVolume(v: VolumeState): Promise<void> {
    const held = new Set<SlotName>();
    try {
      for (const [index, step] of STEPS.entries()) {
        if (v.done.has(step.name)) continue;
        if (this.halted !== undefined) return;
        this.deps.signal?.throwIfAborted();
        const ok = await this.runStep(v, step, index, held);
        if (!ok) return;
      }
      await this.write({ t: "outcome", at: this.iso(), volume: v.volumeId, outcome: "migrated" });
      this.emit({ type: "outcome", volume: v.volumeId, outcome: "migrated" });
    } catch (error) {
      this.halt(error);
    } finally {
      for (const s of held) this.slots[s].release();
    }
  }

  private halt(error: unknown): void {
    this.halted ??= error;
  }

  private async runStep(
    v: VolumeState,
    step: (typeof STEPS)[number],
    index: number,
    held: Set<SlotName>,
  ): Promise<boolean> {
    const total = STEPS.length;
    const options = this.state.header.options;
    const wasInFlight = v.inFlight === step.name;
    const ctx: StepContext = {
      runId: this.runId,
      volumeId: v.volumeId,
      a: this.deps.a,
      b: this.deps.b,
      receiver: this.deps.receiver,
      ceph: this.deps.ceph,
      clock: this.deps.clock,
      options,
      facts: v.facts,
      mayHaveActed: wasInFlight,
      poll: this.poller,
      signal: this.deps.signal ?? new AbortController().signal,
      onPoll: (status) => {
        this.emit({ type: "poll", volume: v.volumeId, step: step.name, status });
        this.deps.crashPoint?.(v.volumeId, step.name, "during");
      },
    };
    const why = step.skip?.(ctx);
    if (why !== undefined) {
      await this.write({ t: "skipped", at: this.iso(), volume: v.volumeId, step: step.name, why });
      this.emit({
        type: "step",
        volume: v.volumeId,
        step: step.name,
        phase: "skipped",
        index,
        total,
        note: why,
      });
      return true;
    }
    const at = STEP_NAMES.indexOf(step.name);
    const groups = SLOTS.filter((g) => at >= STEP_NAMES.indexOf(g.first) && at <= STEP_NAMES.indexOf(g.last));
    for (const g of groups) {
      if (held.has(g.slot)) continue;
      await this.slots[g.slot].acquire();
      held.add(g.slot);
    }
    if (this.halted !== undefined) return false;
    const started = this.deps.clock.now();
    if (!wasInFlight) await this.write({ t: "before", at: this.iso(), volume: v.volumeId, step: step.name });
    this.emit({ type: "step", volume: v.volumeId, step: step.name, phase: "start", index, total });
    this.deps.crashPoint?.(v.volumeId, step.name, "before");
    let facts: VolumeFacts;
    for (let attempt = 1; ; attempt++) {
      try {
        facts = await step.run({ ...ctx, mayHaveActed: wasInFlight || attempt > 1 });
        this.deps.crashPoint?.(v.volumeId, step.name, "acted");
        break;
      } catch (error) {
        if (error instanceof SimulatedCrash || isAbort(error)) throw error;
        if (isRetryable(error) && attempt <= options.retries) {
          const delayMs = backoff(this.deps.retryBaseMs ?? 1000, attempt, error);
          this.emit({
            type: "retry",
            volume: v.volumeId,
            step: step.name,
            attempt,
            error: message(error),
            delayMs,
          });
          await this.deps.clock.sleep(delayMs);
          continue;
        }
        const reason = message(error);
        await this.write({ t: "failed", at: this.iso(), volume: v.volumeId, step: step.name, error: reason });
        await this.write({
          t: "outcome",
          at: this.iso(),
          volume: v.volumeId,
          outcome: "failed",
          reason: `${step.name}: ${reason}`,
        });
        this.emit({
          type: "step",
          volume: v.volumeId,
          step: step.name,
          phase: "failed",
          index,
          total,
          note: reason,
        });
        this.emit({
          type: "outcome",
          volume: v.volumeId,
          outcome: "failed",
          reason: `${step.name}: ${reason}`,
        });
        return false;
      }
    }
    await this.write({ t: "after", at: this.iso(), volume: v.volumeId, step: step.name, facts });
    this.emit({
      type: "step",
      volume: v.volumeId,
      step: step.name,
      phase: "done",
      index,
      total,
      durationMs: this.deps.clock.now() - started,
    });
    for (const g of groups) {
      if (g.last !== step.name || !held.has(g.slot)) continue;
      held.delete(g.slot);
      this.slots[g.slot].release();
    }
    this.deps.crashPoint?.(v.volumeId, step.name, "after");
    return true;
  }
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === "AbortError";
}

function message(error: unknown): string {
  if (error instanceof StepFailed || error instanceof WaitFailed || error instanceof MigratorError)
    return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
