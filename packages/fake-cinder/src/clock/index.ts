// What moves statuses over time. The model never sleeps: it schedules its asynchronous steps
// (creating→available, backing-up→available, ...) on a Clock. Servers use RealClock
// (setTimeout with configurable delays); tests use ManualClock and call advance(ms).

export interface ScheduledTask {
  cancel(): void;
}

export interface Clock {
  now(): Date;
  /** seconds since the epoch with sub-second fraction, like Python's time.time() */
  epochSeconds(): number;
  schedule(delayMs: number, task: () => void): ScheduledTask;
  /** cancels every task not yet run (reset, shutdown) */
  cancelAll(): void;
}

/** Time that moves only when a test says so. */
export class ManualClock implements Clock {
  #nowMs: number;
  #seq = 0;
  #tasks = new Map<number, { at: number; seq: number; task: () => void }>();

  constructor(start: Date | number = Date.UTC(2026, 0, 1, 12, 0, 0)) {
    this.#nowMs = typeof start === "number" ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.#nowMs);
  }

  epochSeconds(): number {
    return this.#nowMs / 1000;
  }

  schedule(delayMs: number, task: () => void): ScheduledTask {
    const seq = this.#seq++;
    this.#tasks.set(seq, { at: this.#nowMs + Math.max(0, delayMs), seq, task });
    return { cancel: () => this.#tasks.delete(seq) };
  }

  cancelAll(): void {
    this.#tasks.clear();
  }

  /** tasks scheduled and not yet run */
  get pending(): number {
    return this.#tasks.size;
  }

  /** ms until the next task is due, or undefined when none is scheduled */
  nextDueIn(): number | undefined {
    let min: number | undefined;
    for (const t of this.#tasks.values()) if (min === undefined || t.at < min) min = t.at;
    return min === undefined ? undefined : min - this.#nowMs;
  }

  /**
   * Moves time forward by ms, running every task that falls due, in time order (ties in
   * scheduling order). Tasks scheduled by a task run too if they fall due within the window.
   */
  advance(ms: number): void {
    const end = this.#nowMs + Math.max(0, ms);
    for (;;) {
      let next: { at: number; seq: number; task: () => void } | undefined;
      for (const t of this.#tasks.values()) {
        if (t.at <= end && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      }
      if (!next) break;
      this.#tasks.delete(next.seq);
      this.#nowMs = Math.max(this.#nowMs, next.at);
      next.task();
    }
    this.#nowMs = end;
  }

  /** sets the wall time without running anything (e.g. to pin a snapshot timestamp) */
  set(time: Date | number): void {
    this.#nowMs = typeof time === "number" ? time : time.getTime();
  }
}

/** Wall-clock time with setTimeout; for servers and labs. */
export class RealClock implements Clock {
  #timers = new Set<NodeJS.Timeout>();

  now(): Date {
    return new Date();
  }

  epochSeconds(): number {
    // sub-millisecond precision, so snapshot names look like Python's time.time()
    return (performance.timeOrigin + performance.now()) / 1000;
  }

  schedule(delayMs: number, task: () => void): ScheduledTask {
    const timer = setTimeout(
      () => {
        this.#timers.delete(timer);
        task();
      },
      Math.max(0, delayMs),
    );
    this.#timers.add(timer);
    return {
      cancel: () => {
        clearTimeout(timer);
        this.#timers.delete(timer);
      },
    };
  }

  cancelAll(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }
}

/** Python's repr() of a float as time.time() returns it: shortest round-trip digits, ".0" kept. */
export function pythonFloatRepr(value: number): string {
  const s = String(value);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/**
 * How long each asynchronous step takes, in ms. A step's delay is `base + perGiB × size`.
 * Defaults are small and roughly shaped like a real cluster (a volume is available about
 * 0.2 s after create).
 */
export interface Delays {
  volumeCreate: number;
  volumeDelete: number;
  volumeExtend: number;
  snapshotCreate: number;
  snapshotDelete: number;
  backupCreate: number;
  backupCreatePerGiB: number;
  backupRestore: number;
  backupRestorePerGiB: number;
  backupDelete: number;
  backupImport: number;
  backupResetStatus: number;
}

export const DEFAULT_DELAYS: Delays = {
  volumeCreate: 200,
  volumeDelete: 100,
  volumeExtend: 100,
  snapshotCreate: 100,
  snapshotDelete: 100,
  backupCreate: 500,
  backupCreatePerGiB: 0,
  backupRestore: 500,
  backupRestorePerGiB: 0,
  backupDelete: 200,
  backupImport: 100,
  backupResetStatus: 50,
};

export const ZERO_DELAYS: Delays = Object.fromEntries(
  Object.keys(DEFAULT_DELAYS).map((k) => [k, 0]),
) as unknown as Delays;
