// Plays an exercise's setup steps (data, see catalogue.ts) against a lab in this process,
// straight through the model: the trainee finds the lab as if a colleague had run the
// commands. Each step waits until the clusters are idle, so the next one sees its result.
import type { FaultRuleInput } from "../faults/index.js";
import type { Lab, LabCluster } from "../lab.js";
import type { RequestContext } from "../model/index.js";
import { SOURCE_VOLUME_NAME } from "./checks.js";
import { SEED_RANGES, seedBytes } from "./state.js";

export const TARGET_VOLUME_NAME = "pg-data-restored";

export type SetupStep =
  /** pg-data in A, with the seeded data; attached to a server when `attached` */
  | { kind: "source"; sizeGiB: number; attached?: boolean }
  | { kind: "fault"; cluster: "a" | "b"; rule: FaultRuleInput }
  /** a full backup of pg-data in A */
  | { kind: "backup" }
  /** export the last backup from A and import it into B */
  | { kind: "import" }
  /** an empty volume in B for the restore */
  | { kind: "target"; sizeGiB: number }
  /** restore the imported backup into the target */
  | { kind: "restore" }
  /** delete the imported backup in B (which removes the shared data from the pool) */
  | { kind: "deleteImported" }
  | { kind: "backupServiceDown"; cluster: "a" | "b" };

/** ids the steps made, for the steps after them (and for tests) */
export interface SetupResult {
  sourceId?: string;
  backupId?: string;
  targetId?: string;
  attachmentId?: string;
}

export const adminContext = (c: LabCluster): RequestContext => ({
  projectId: c.projectId,
  userId: c.admin.id,
  isAdmin: true,
});

export async function writeSourceData(lab: Lab, volumeId: string): Promise<void> {
  const a = lab.cluster("a");
  const ref = a.cloud.volumeImageRef(volumeId);
  for (const r of SEED_RANGES) await lab.rbd.writeImage(ref, r.offset, seedBytes(r.length, r.seed));
}

/** resolves when neither cluster has steps scheduled or running (stalled steps schedule none) */
export async function labIdle(lab: Lab): Promise<void> {
  for (const c of Object.values(lab.clusters)) await c.cloud.idle();
  await lab.settled();
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`exercise setup: ${what} comes before this step`);
  return value;
}

export async function runSetup(lab: Lab, steps: readonly SetupStep[]): Promise<SetupResult> {
  const a = lab.cluster("a");
  const b = lab.cluster("b");
  const ctxA = adminContext(a);
  const ctxB = adminContext(b);
  const made: SetupResult = {};
  for (const step of steps) {
    switch (step.kind) {
      case "source": {
        const v = a.cloud.createVolume(ctxA, { size: step.sizeGiB, name: SOURCE_VOLUME_NAME });
        await labIdle(lab);
        await writeSourceData(lab, v.id);
        made.sourceId = v.id;
        if (step.attached) {
          const at = a.cloud.createAttachment(ctxA, {
            volumeId: v.id,
            instanceUuid: "5a0c3b8e-6f0d-4a57-9a7e-0d3f1f6c2b11",
            connector: { host: "compute-1", mountpoint: "/dev/vdb" },
          });
          a.cloud.completeAttachment(ctxA, at.id);
          made.attachmentId = at.id;
        }
        break;
      }
      case "fault":
        lab.cluster(step.cluster).faults.add({ ...step.rule, cluster: step.cluster });
        break;
      case "backup":
        made.backupId = a.cloud.createBackup(ctxA, { volumeId: need(made.sourceId, "a source") }).id;
        break;
      case "import": {
        const record = a.cloud.exportRecord(ctxA, need(made.backupId, "a backup"));
        b.cloud.importRecord(ctxB, record.backupService, record.backupUrl);
        break;
      }
      case "target":
        made.targetId = b.cloud.createVolume(ctxB, { size: step.sizeGiB, name: TARGET_VOLUME_NAME }).id;
        break;
      case "restore":
        b.cloud.restoreBackup(ctxB, need(made.backupId, "an import"), {
          volumeId: need(made.targetId, "a target"),
        });
        break;
      case "deleteImported":
        b.cloud.deleteBackup(ctxB, need(made.backupId, "an import"));
        break;
      case "backupServiceDown":
        lab.cluster(step.cluster).cloud.setServiceState("cinder-backup", undefined, { up: false });
        break;
    }
    await labIdle(lab);
  }
  return made;
}
