// Waiting on conditions instead of sleeping: every wait in the e2e suite polls a
// condition with a short interval and a deadline, and says what it was waiting for
// when the deadline passes.
import { setTimeout as delay } from "node:timers/promises";

export class WaitTimeout extends Error {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    readonly last: unknown,
  ) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${describe(last)}`);
    this.name = "WaitTimeout";
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export interface PollOptions {
  /** what is awaited, for the timeout message */
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
  /** stop waiting early (e.g. the process under test died) */
  abort?: () => Error | undefined;
}

/**
 * Calls `probe` until it returns something other than `undefined`; errors thrown by
 * the probe count as "not yet" and are kept for the timeout message.
 */
export async function pollUntil<T>(probe: () => Promise<T | undefined>, options: PollOptions): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const aborted = options.abort?.();
    if (aborted) throw aborted;
    try {
      const value = await probe();
      if (value !== undefined) return value;
      last = "(not yet)";
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) throw new WaitTimeout(options.what, timeoutMs, last);
    await delay(intervalMs);
  }
}

/** Resolves once `url` answers with a status below 500 (any answer means it listens). */
export async function waitForHttp(url: string, options: Omit<PollOptions, "what"> & { what?: string } = {}) {
  await pollUntil(
    async () => {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      return res.status < 500 ? res.status : undefined;
    },
    { ...options, what: options.what ?? `${url} to answer` },
  );
}
