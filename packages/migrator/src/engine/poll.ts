// Waiting for Cinder's asynchronous statuses without hammering the API: the poller learns
// how long each kind of wait takes (an EWMA over the run), sleeps most of that before the
// first look, then looks often near the expected end. Until it has learned, it backs off
// from a short first interval.
import { StepTimeout } from "../errors.js";
import type { Clock } from "./ports.js";

export interface PollSettings {
  minIntervalMs: number;
  maxIntervalMs: number;
}

export interface WaitSpec<T> {
  /** what is being waited for, for messages: "backup 1234 in A" */
  what: string;
  /** a key shared by waits that take about as long: "backup", "import", "restore" */
  kind: string;
  fetch: () => Promise<T | undefined>;
  status: (item: T | undefined) => string;
  /** true when the wait is over */
  done: (item: T | undefined) => boolean;
  /** a reason when it can never succeed (an error status) */
  failed: (item: T | undefined) => string | undefined;
  timeoutMs: number;
  /** called after each poll (crash hook "during", progress) */
  onPoll?: (status: string) => void;
  signal?: AbortSignal;
}

export class WaitFailed extends Error {}

export class Poller {
  private readonly estimates = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly settings: PollSettings = { minIntervalMs: 250, maxIntervalMs: 5000 },
  ) {}

  async until<T>(spec: WaitSpec<T>): Promise<T | undefined> {
    const start = this.clock.now();
    const estimate = this.estimates.get(spec.kind);
    const { minIntervalMs: min, maxIntervalMs: max } = this.settings;
    let interval = min;
    // Most of the expected time passes before the first look.
    if (estimate !== undefined && estimate * 0.9 > min) {
      await this.clock.sleep(Math.min(estimate * 0.9, spec.timeoutMs));
    }
    for (;;) {
      spec.signal?.throwIfAborted();
      const item = await spec.fetch();
      const status = spec.status(item);
      spec.onPoll?.(status);
      const reason = spec.failed(item);
      if (reason !== undefined) throw new WaitFailed(reason);
      if (spec.done(item)) {
        this.learn(spec.kind, this.clock.now() - start);
        return item;
      }
      const elapsed = this.clock.now() - start;
      if (elapsed >= spec.timeoutMs) throw new StepTimeout(spec.what, spec.timeoutMs, status);
      let sleep = interval;
      if (estimate !== undefined) {
        sleep = clamp(estimate / 20, min, max);
      } else {
        // gentle growth: a doubling would detect a 2 s operation only at 3.75 s
        interval = Math.min(max, interval * 1.25);
      }
      await this.clock.sleep(Math.max(1, Math.min(sleep, spec.timeoutMs - elapsed)));
    }
  }

  private learn(kind: string, ms: number): void {
    const old = this.estimates.get(kind);
    this.estimates.set(kind, old === undefined ? ms : old * 0.7 + ms * 0.3);
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}
