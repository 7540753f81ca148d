// The contract of one step: a small named unit from context to facts. Steps never write
// the journal and never decide what runs next; the runner does both.
import { MigratorError } from "../errors.js";
import type { StepName, VolumeFacts } from "./facts.js";
import type { RunOptions } from "./journal.js";
import type { Poller } from "./poll.js";
import type { BlockStorage, CephAccess, Clock } from "./ports.js";

export interface StepContext {
  runId: string;
  volumeId: string;
  a: BlockStorage;
  b: BlockStorage;
  /** B as a user of the receiving project (--to-project) */
  receiver?: BlockStorage | undefined;
  ceph: CephAccess;
  clock: Clock;
  options: RunOptions;
  /** everything earlier steps found or created (read-only) */
  facts: Readonly<VolumeFacts>;
  /** this step may already have acted: it was in flight at a crash, or this is a retry */
  mayHaveActed: boolean;
  poll: Poller;
  signal: AbortSignal;
  /** progress and the crash hook's "during" point */
  onPoll(status: string): void;
}

export interface Step {
  name: StepName;
  /** a reason to skip this step for this volume, or undefined to run it */
  skip?(ctx: StepContext): string | undefined;
  run(ctx: StepContext): Promise<VolumeFacts>;
}

/** A step that cannot succeed for this volume; the reason goes into the report as is. */
export class StepFailed extends MigratorError {
  constructor(
    readonly step: StepName,
    reason: string,
  ) {
    super("STEP", reason, { exitCode: 1 });
  }
}

export function need<K extends keyof VolumeFacts>(
  ctx: StepContext,
  key: K,
  step: StepName,
): NonNullable<VolumeFacts[K]> {
  const value = ctx.facts[key];
  if (value === undefined || value === null) {
    throw new StepFailed(step, `internal: ${String(key)} is unknown before ${step}`);
  }
  return value as NonNullable<VolumeFacts[K]>;
}
