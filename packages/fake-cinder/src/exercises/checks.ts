// Pure rules for "the migration ended in a correct state". Each returns the problems it
// finds, worded for the trainee: what is wrong, where, and what it means.
import type { BackupState, ClusterState, LabState, VolumeState } from "./state.js";
import { SOURCE_FINGERPRINT } from "./state.js";

export const SOURCE_VOLUME_NAME = "pg-data";

/** statuses a volume or backup may be left in once an operator is done */
const SETTLED_VOLUME = new Set(["available", "in-use"]);

const label = (v: VolumeState): string => `volume ${v.id}${v.name ? ` (${v.name})` : ""}`;
const attached = (v: VolumeState) => v.attachments.filter((a) => a.attachStatus === "attached");

function cluster(state: LabState, name: string): ClusterState {
  const c = state.clusters[name];
  if (!c) throw new Error(`the lab state has no cluster ${name}`);
  return c;
}

/** A backup's data is in the pool when some image there carries its `backup.<id>.snap.*` snapshot. */
export function backupDataInPool(state: LabState, backup: BackupState): boolean {
  const prefix = `backup.${backup.id}.snap.`;
  return state.backupPool.images.some((i) => i.snaps.some((s) => s.startsWith(prefix)));
}

/** Nothing left half-done: no volume or backup in a transitional or error status. */
export function noLooseEnds(state: LabState): string[] {
  const problems: string[] = [];
  for (const [name, c] of Object.entries(state.clusters)) {
    for (const v of c.volumes) {
      if (!SETTLED_VOLUME.has(v.status)) problems.push(`${label(v)} in ${name.toUpperCase()} is ${v.status}`);
      if (v.status === "available" && attached(v).length > 0)
        problems.push(
          `${label(v)} in ${name.toUpperCase()} says available but is still attached to server ${attached(v)[0]?.instanceUuid}: its status was reset instead of detaching it`,
        );
    }
    for (const b of c.backups) {
      if (b.status !== "available")
        problems.push(
          `backup ${b.id} in ${name.toUpperCase()} is ${b.status}${b.failReason ? ` (fail_reason: ${b.failReason})` : ""}`,
        );
    }
  }
  return problems;
}

/** Every backup listed as available still has its data in the backup pool. */
export function backupsHaveData(state: LabState): string[] {
  const problems: string[] = [];
  for (const [name, c] of Object.entries(state.clusters)) {
    for (const b of c.backups) {
      if (b.status === "available" && !backupDataInPool(state, b))
        problems.push(
          `backup ${b.id} in ${name.toUpperCase()} is listed as available but its data is gone from pool ${state.backupPool.name}: a restore from it would fail`,
        );
    }
  }
  return problems;
}

export function backupServicesUp(state: LabState): string[] {
  const problems: string[] = [];
  for (const [name, c] of Object.entries(state.clusters)) {
    for (const s of c.services) {
      if (s.binary === "cinder-backup" && (s.state !== "up" || s.status !== "enabled"))
        problems.push(`cinder-backup on ${s.host} (${name.toUpperCase()}) is ${s.state}/${s.status}`);
    }
  }
  return problems;
}

/** A keeps the source, intact and detached, and a backup of it that can still be restored. */
export function sourceKept(state: LabState): string[] {
  const a = cluster(state, "a");
  const source = a.volumes.find((v) => v.name === SOURCE_VOLUME_NAME);
  if (!source) return [`the source volume ${SOURCE_VOLUME_NAME} is gone from A`];
  const problems: string[] = [];
  if (a.fingerprints[source.id] !== SOURCE_FINGERPRINT)
    problems.push(`${label(source)} in A no longer holds its original data`);
  if (attached(source).length > 0 && source.status === "in-use")
    problems.push(`${label(source)} in A is still attached: the procedure backs up a detached volume`);
  const kept = a.backups.filter(
    (b) => b.volumeId === source.id && b.status === "available" && backupDataInPool(state, b),
  );
  if (kept.length === 0)
    problems.push(
      `A has no available backup of ${SOURCE_VOLUME_NAME} whose data is in pool ${state.backupPool.name}`,
    );
  return problems;
}

/** B holds the source's data in an available volume, and no volume there without it. */
export function targetRestored(state: LabState): string[] {
  const b = cluster(state, "b");
  const problems: string[] = [];
  const good = b.volumes.filter(
    (v) => v.status === "available" && b.fingerprints[v.id] === SOURCE_FINGERPRINT,
  );
  if (good.length === 0) problems.push(`no available volume in B holds the data of ${SOURCE_VOLUME_NAME}`);
  for (const v of b.volumes) {
    if (SETTLED_VOLUME.has(v.status) && b.fingerprints[v.id] !== SOURCE_FINGERPRINT)
      problems.push(
        `${label(v)} in B does not hold the data of ${SOURCE_VOLUME_NAME}: restore into it or delete it`,
      );
  }
  return problems;
}

/** What every exercise ends with: the whole migration done and nothing broken on the way. */
export function migrationProblems(state: LabState): string[] {
  return [
    ...backupServicesUp(state),
    ...noLooseEnds(state),
    ...backupsHaveData(state),
    ...sourceKept(state),
    ...targetRestored(state),
  ];
}
