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
import { transfer } from "./transfer.js";
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
  transfer,
  cleanup,
];

export type SlotName = "lane" | "backup" | "restore";

/**
 * Steps that hold a slot from the first to the last, acquired in this order (so no two
 * volumes wait on each other crosswise). "lane": the --parallel volumes moving data; the
 * steps before it (inspect, target volume) and after it (finalize, verify, cleanup) run
 * outside, so the next volume is ready when a lane frees. "backup"/"restore": the
 * per-cluster caps (many concurrent backups starve a real cinder-backup service).
 */
export const SLOTS: readonly { slot: SlotName; first: StepName; last: StepName }[] = [
  { slot: "lane", first: "backup", last: "wait-restore" },
  { slot: "backup", first: "backup", last: "wait-backup" },
  { slot: "restore", first: "restore", last: "wait-restore" },
];
