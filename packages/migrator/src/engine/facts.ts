// What the migration of one volume has learned and created so far. Each step returns a
// delta of these facts; the journal stores the deltas; folding them gives the state that
// resume continues from. No secrets belong here (a backup record is not one).
import { z } from "zod";

/**
 * The order of the procedure. The target volume is created first: B's quota and type are
 * proven before anything is made in A, and its creation runs alongside the backup instead
 * of on the critical path.
 */
export const STEP_NAMES = [
  "inspect",
  "create-volume",
  "backup",
  "wait-backup",
  "check-backup",
  "export",
  "import",
  "wait-import",
  "wait-volume",
  "restore",
  "wait-restore",
  "finalize",
  "verify",
  "transfer",
  "cleanup",
] as const;
export type StepName = (typeof STEP_NAMES)[number];
export const stepName = z.enum(STEP_NAMES);

const digest = z.object({
  sha256: z.string(),
  method: z.string(),
  bytes: z.number(),
  allocatedBytes: z.number(),
});

export const sourceFacts = z.object({
  id: z.string(),
  name: z.string().nullable(),
  description: z.string().nullable(),
  size: z.number(),
  status: z.string(),
  volumeType: z.string().nullable(),
  availabilityZone: z.string().nullable(),
  metadata: z.record(z.string(), z.string()),
  bootable: z.boolean(),
});
export type SourceFacts = z.infer<typeof sourceFacts>;

export const volumeFacts = z
  .object({
    source: sourceFacts,
    force: z.boolean(),
    incremental: z.boolean(),
    parentBackupId: z.string(),
    targetType: z.string().nullable(),
    targetAz: z.string().nullable(),
    backupId: z.string(),
    backupImage: z.string(),
    backupSnapshot: z.string(),
    backupChecked: z.boolean(),
    record: z.object({ backupService: z.string(), backupUrl: z.string() }),
    importedBackupId: z.string(),
    targetVolumeId: z.string(),
    restoreRequested: z.boolean(),
    sourceDigest: digest,
    targetDigest: digest,
    verified: z.boolean(),
    note: z.string(),
    cleanedUp: z.boolean(),
    transferredTo: z.string(),
  })
  .partial();
export type VolumeFacts = z.infer<typeof volumeFacts>;

/** The tag put in the name of every backup and volume a run creates, so a resumed step finds them. */
export function runTag(runId: string, sourceVolumeId: string): string {
  return `cinder-migrate-${runId}-${sourceVolumeId}`;
}

export function runDescription(runId: string, sourceVolumeId: string): string {
  return `cinder-migrate run ${runId} of volume ${sourceVolumeId}`;
}
