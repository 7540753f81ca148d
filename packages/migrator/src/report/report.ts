// The final report, built from the folded journal alone, so `status` and the end of `run`
// say the same thing. What was created where, what was verified and how, what is left
// behind and the command that removes it.
import type { RunState, SideRef, StepTiming, VolumeState } from "../engine/journal.js";

export interface LeftBehind {
  side: "A" | "B" | "A+B";
  kind: "backup" | "volume";
  id: string;
  volume: string;
  why: string;
  command: string;
}

export interface VolumeReport {
  sourceVolumeId: string;
  name: string | null;
  sizeGb: number | null;
  outcome: "migrated" | "failed" | "pending";
  reason?: string;
  currentStep?: string;
  verified: boolean;
  verification: string;
  ids: { a: { volume: string; backup?: string }; b: { backup?: string; volume?: string } };
  checksums?: { source: string; target: string; method: string };
  durationMs?: number;
  steps: StepTiming[];
}

export interface MigrationReport {
  runId: string;
  from: string;
  to: string;
  startedAt: string;
  finishedAt: string;
  ok: boolean;
  totals: { volumes: number; migrated: number; failed: number; pending: number; verified: number };
  volumes: VolumeReport[];
  leftBehind: LeftBehind[];
  /** Cinder API requests this invocation sent after connecting (not counted by `status`) */
  apiCalls?: number;
}

export function sideLabel(ref: SideRef): string {
  return ref.kind === "env" ? "the OS_* environment" : ref.name;
}

/** How an operator reaches a side from a shell. */
export function osCommand(ref: SideRef): string {
  if (ref.kind === "cloud") return `openstack --os-cloud ${ref.name}`;
  if (ref.kind === "openrc") return `(. ${ref.name} && openstack`;
  return "openstack";
}

function close(ref: SideRef): string {
  return ref.kind === "openrc" ? ")" : "";
}

export function buildReport(state: RunState, now: Date): MigrationReport {
  const { header } = state;
  const states = [...state.volumes.values()];
  const volumes = states.map(volumeReport);
  const leftBehind = states.flatMap((v, i) => leftovers(volumes[i] as VolumeReport, v, state));
  const count = (o: VolumeReport["outcome"]) => volumes.filter((v) => v.outcome === o).length;
  return {
    runId: header.runId,
    from: sideLabel(header.from),
    to: sideLabel(header.to),
    startedAt: header.at,
    finishedAt: now.toISOString(),
    ok: volumes.every((v) => v.outcome === "migrated"),
    totals: {
      volumes: volumes.length,
      migrated: count("migrated"),
      failed: count("failed"),
      pending: count("pending"),
      verified: volumes.filter((v) => v.verified).length,
    },
    volumes,
    leftBehind,
  };
}

function volumeReport(v: VolumeState): VolumeReport {
  const f = v.facts;
  const verifyStep = v.steps.find((s) => s.step === "verify");
  let verification = "not yet verified";
  if (f.verified && f.sourceDigest && f.targetDigest) {
    verification = `sha256 equal (${f.sourceDigest.method}, ${f.sourceDigest.allocatedBytes} allocated bytes read)`;
  } else if (verifyStep?.status === "skipped") {
    verification = `content NOT verified: ${verifyStep.note?.replace(/^content NOT verified: /, "") ?? ""}`;
  } else if (verifyStep?.status === "failed") {
    verification = `verification FAILED: ${verifyStep.note ?? ""}`;
  }
  const first = v.steps[0]?.startedAt;
  const last = v.steps.at(-1)?.finishedAt;
  return {
    sourceVolumeId: v.volumeId,
    name: f.source?.name ?? null,
    sizeGb: f.source?.size ?? null,
    outcome: v.outcome ?? "pending",
    ...(v.reason ? { reason: v.reason } : {}),
    ...(v.outcome === undefined && v.steps.length ? { currentStep: v.steps.at(-1)?.step } : {}),
    verified: f.verified === true,
    verification,
    ids: {
      a: { volume: v.volumeId, ...(f.backupId ? { backup: f.backupId } : {}) },
      b: {
        ...(f.importedBackupId ? { backup: f.importedBackupId } : {}),
        ...(f.targetVolumeId ? { volume: f.targetVolumeId } : {}),
      },
    },
    ...(f.sourceDigest && f.targetDigest
      ? {
          checksums: {
            source: f.sourceDigest.sha256,
            target: f.targetDigest.sha256,
            method: f.sourceDigest.method,
          },
        }
      : {}),
    ...(first && last ? { durationMs: Date.parse(last) - Date.parse(first) } : {}),
    steps: v.steps,
  };
}

function leftovers(r: VolumeReport, v: VolumeState, state: RunState): LeftBehind[] {
  const { from, to } = state.header;
  const f = v.facts;
  const out: LeftBehind[] = [];
  if (f.cleanedUp) return out;
  const a = osCommand(from);
  const b = osCommand(to);
  if (f.backupId && f.importedBackupId) {
    out.push({
      side: "A+B",
      kind: "backup",
      id: f.backupId,
      volume: v.volumeId,
      why:
        r.outcome === "migrated"
          ? "migration backup kept (no --cleanup, or not verified); delete both together: B's copy shares A's base image"
          : "migration backup of a failed volume; delete both together: B's copy shares A's base image",
      command: `${b} volume backup delete ${f.importedBackupId}${close(to)} && ${a} volume backup delete ${f.backupId}${close(from)}`,
    });
  } else if (f.backupId) {
    out.push({
      side: "A",
      kind: "backup",
      id: f.backupId,
      volume: v.volumeId,
      why:
        r.outcome === "pending"
          ? "migration backup of an unfinished volume (resume the run first)"
          : "migration backup of a failed volume",
      command: `${a} volume backup delete ${f.backupId}${close(from)}`,
    });
  }
  if (f.targetVolumeId && r.outcome === "failed") {
    out.push({
      side: "B",
      kind: "volume",
      id: f.targetVolumeId,
      volume: v.volumeId,
      why: "target volume of a failed migration",
      command: `${b} volume delete ${f.targetVolumeId}${close(to)}`,
    });
  }
  return out;
}
