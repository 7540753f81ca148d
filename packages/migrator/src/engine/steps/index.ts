import type { StepName } from "../facts.js";
import type { Step } from "../step.js";
import { backup } from "./backup.js";
import { checkBackup } from "./check-backup.js";
import { cleanup } from "./cleanup.js";
import { createVolume } from "./create-volume.js";
import { exportStep } from "./export.js";
import { finalize } from "./finalize.js";
import { importStep } from "./import.js";
import { inspect } from "./inspect.js";
import { restore } from "./restore.js";
import { verify } from "./verify.js";
import { waitBackup } from "./wait-backup.js";
import { waitImport } from "./wait-import.js";
import { waitRestore } from "./wait-restore.js";
import { waitVolume } from "./wait-volume.js";

/** The cross-cluster procedure, in order (the same order as STEP_NAMES). */
export const STEPS: readonly Step[] = [
  inspect,
  createVolume,
  backup,
  waitBackup,
  checkBackup,
  exportStep,
  importStep,
  waitImport,
  waitVolume,
  restore,
  waitRestore,
  finalize,
  verify,
  cleanup,
];

/** Steps that hold a per-cluster slot from the first to the last (many concurrent backups starve cinder-backup). */
export const SLOTS: readonly { slot: "backup" | "restore"; first: StepName; last: StepName }[] = [
  { slot: "backup", first: "backup", last: "wait-backup" },
  { slot: "restore", first: "restore", last: "wait-restore" },
];
