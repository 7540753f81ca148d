// Read-only: what a run would do and what stops it, decided from facts gathered up front.
// Pure: the command gathers PlanInput through the ports; this file only judges.
import type { Limits, ServiceView, VolumeView } from "../engine/ports.js";

export interface PlanInput {
  volumes: VolumeView[];
  options: {
    force: boolean;
    incremental: boolean;
    typeMap: Record<string, string>;
    azMap: Record<string, string>;
  };
  a: {
    label: string;
    isAdmin: boolean;
    backupServices: ServiceView[] | string;
    backupDriver: BackupDriverFact;
    limits: Limits;
  };
  b: {
    label: string;
    isAdmin: boolean;
    backupServices: ServiceView[] | string;
    backupDriver: BackupDriverFact;
    limits: Limits;
    volumeTypes: string[];
    availabilityZones: string[];
    /** names of volumes that already exist in B */
    existingNames: Set<string>;
  };
  /** per source volume: id of the newest migration backup and whether B has it (for --incremental) */
  parents: Map<string, { backupId?: string; inB: boolean }>;
  /**
   * per source volume: its cinder-migrate backups in A whose id B already has, with the name
   * each side gives it (an import keeps the record's name, so equal names mean an earlier import).
   */
  idsInB: Map<string, { backupId: string; nameInA: string | null; nameInB: string | null }[]>;
  ceph: { backup: string; target: string };
}

/** the driver class path read from an export record, or why it could not be read */
export type BackupDriverFact = { driver: string } | { unknown: string };

export interface PlannedVolume {
  id: string;
  name: string | null;
  size: number;
  status: string;
  action: string;
  targetType: string | null;
  targetAz: string | null;
  blockers: string[];
  warnings: string[];
}

export interface Plan {
  ok: boolean;
  volumes: PlannedVolume[];
  blockers: string[];
  warnings: string[];
  needs: { volumes: number; gigabytes: number; backups: number; backupGigabytes: number };
  /** driver class paths as read from each side's export records; null when unknown */
  backupDrivers: { a: string | null; b: string | null };
}

/**
 * The driver module a class path belongs to: `cinder.backup.drivers.ceph.CephBackupDriver` and
 * the Pike-era `cinder.backup.drivers.ceph` are one family. B imports a record only when its own
 * driver path starts with the record's, so a different module can never import it.
 */
export function driverFamily(path: string): string {
  const parts = path.split(".");
  const last = parts.at(-1) ?? "";
  return parts.length > 1 && /^[A-Z]/.test(last) ? parts.slice(0, -1).join(".") : path;
}

function compareDrivers(input: PlanInput, blockers: string[], warnings: string[]): void {
  const { a, b } = input;
  if ("driver" in a.backupDriver && "driver" in b.backupDriver) {
    const fa = driverFamily(a.backupDriver.driver);
    const fb = driverFamily(b.backupDriver.driver);
    if (fa !== fb)
      blockers.push(
        `backup drivers differ: ${a.label} uses ${a.backupDriver.driver}, ${b.label} uses ${b.backupDriver.driver}; ${b.label} cannot import ${a.label}'s backups`,
      );
    return;
  }
  const unknown = [a, b]
    .map((side) => ("unknown" in side.backupDriver ? `${side.label}: ${side.backupDriver.unknown}` : null))
    .filter((x) => x !== null);
  warnings.push(`backup driver family on both sides: unknown (${unknown.join("; ")})`);
}

export function makePlan(input: PlanInput): Plan {
  const blockers: string[] = [];
  const warnings: string[] = [];
  for (const side of [input.a, input.b]) {
    if (!side.isAdmin) blockers.push(`${side.label}: not admin; backup export/import are admin-only`);
    const svc = side.backupServices;
    if (typeof svc === "string") warnings.push(`${side.label}: backup services not checked: ${svc}`);
    else if (!svc.some((s) => s.binary === "cinder-backup" && s.state === "up" && s.status === "enabled")) {
      blockers.push(`${side.label}: no cinder-backup service is up and enabled`);
    }
  }
  compareDrivers(input, blockers, warnings);
  for (const [what, note] of Object.entries(input.ceph)) {
    if (note !== "ok") warnings.push(`${what} Ceph: ${note}; content will NOT be verified`);
  }
  const volumes = input.volumes.map((v) => planVolume(v, input));
  const gigabytes = input.volumes.reduce((s, v) => s + v.size, 0);
  const needs = {
    volumes: input.volumes.length,
    gigabytes,
    backups: input.volumes.length,
    backupGigabytes: gigabytes,
  };
  const room = (label: string, what: string, max: number, used: number, need: number) => {
    if (max >= 0 && used + need > max)
      blockers.push(`${label}: quota ${what} ${used}/${max} has no room for ${need} more`);
  };
  const lb = input.b.limits;
  room(input.b.label, "volumes", lb.maxTotalVolumes, lb.totalVolumesUsed, needs.volumes);
  room(input.b.label, "gigabytes", lb.maxTotalVolumeGigabytes, lb.totalGigabytesUsed, needs.gigabytes);
  room(input.b.label, "backups", lb.maxTotalBackups, lb.totalBackupsUsed, needs.backups);
  room(
    input.b.label,
    "backup_gigabytes",
    lb.maxTotalBackupGigabytes,
    lb.totalBackupGigabytesUsed,
    needs.backupGigabytes,
  );
  const la = input.a.limits;
  room(input.a.label, "backups", la.maxTotalBackups, la.totalBackupsUsed, needs.backups);
  room(
    input.a.label,
    "backup_gigabytes",
    la.maxTotalBackupGigabytes,
    la.totalBackupGigabytesUsed,
    needs.backupGigabytes,
  );
  return {
    ok: blockers.length === 0 && volumes.every((v) => v.blockers.length === 0),
    volumes,
    blockers,
    warnings,
    needs,
    backupDrivers: {
      a: "driver" in input.a.backupDriver ? input.a.backupDriver.driver : null,
      b: "driver" in input.b.backupDriver ? input.b.backupDriver.driver : null,
    },
  };
}

function planVolume(v: VolumeView, input: PlanInput): PlannedVolume {
  const { options, b } = input;
  const blockers: string[] = [];
  const warnings: string[] = [];
  let action = options.incremental ? "incremental backup" : "full backup";
  if (v.status === "in-use") {
    if (options.force) action += " (forced: in-use)";
    else blockers.push("in-use: detach it or pass --force");
  } else if (v.status !== "available") {
    blockers.push(`status ${v.status}: must be available (or in-use with --force)`);
  }
  const targetType = v.volumeType === null ? null : (options.typeMap[v.volumeType] ?? v.volumeType);
  if (targetType !== null && !b.volumeTypes.includes(targetType)) {
    blockers.push(
      `volume type "${targetType}" does not exist in ${b.label} (map it with --type-map ${v.volumeType}=<type>)`,
    );
  }
  const targetAz =
    v.availabilityZone === null ? null : (options.azMap[v.availabilityZone] ?? v.availabilityZone);
  if (targetAz !== null && b.availabilityZones.length && !b.availabilityZones.includes(targetAz)) {
    blockers.push(
      `availability zone "${targetAz}" does not exist in ${b.label} (map it with --az-map ${v.availabilityZone}=<az>)`,
    );
  }
  if (v.name && b.existingNames.has(v.name))
    warnings.push(`a volume named "${v.name}" already exists in ${b.label}`);
  if (options.incremental) {
    const p = input.parents.get(v.id);
    if (!p?.backupId) blockers.push("--incremental: no earlier cinder-migrate backup of this volume in A");
    else if (!p.inB) blockers.push(`--incremental: parent backup ${p.backupId} is not in ${b.label}`);
  }
  for (const hit of input.idsInB.get(v.id) ?? []) {
    // Same id and same name is what resume accepts as an earlier import of this backup.
    if (hit.nameInB !== hit.nameInA)
      blockers.push(
        `backup id ${hit.backupId} already exists in ${b.label} as "${hit.nameInB ?? ""}", not an import of ${input.a.label}'s "${hit.nameInA ?? ""}": ${b.label} would refuse the import`,
      );
  }
  return {
    id: v.id,
    name: v.name,
    size: v.size,
    status: v.status,
    action,
    targetType,
    targetAz,
    blockers,
    warnings,
  };
}

export function renderPlan(plan: Plan): string {
  const lines = [
    "| volume | name | GB | status | action | type in B | AZ in B | blockers / warnings |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const v of plan.volumes) {
    const notes = [...v.blockers.map((b) => `BLOCKED: ${b}`), ...v.warnings].join("; ") || "ok";
    lines.push(
      `| ${v.id} | ${v.name ?? ""} | ${v.size} | ${v.status} | ${v.action} | ${v.targetType ?? "default"} | ${v.targetAz ?? "default"} | ${notes} |`,
    );
  }
  lines.push(
    "",
    `Needs in B: ${plan.needs.volumes} volumes, ${plan.needs.gigabytes} GB, ${plan.needs.backups} backups, ${plan.needs.backupGigabytes} backup GB.`,
  );
  lines.push(
    `Backup drivers: ${plan.backupDrivers.a ?? "unknown"} (from) → ${plan.backupDrivers.b ?? "unknown"} (to).`,
  );
  for (const b of plan.blockers) lines.push(`BLOCKED: ${b}`);
  for (const w of plan.warnings) lines.push(`warning: ${w}`);
  lines.push(
    plan.ok ? "Nothing blocks this migration." : "Something blocks this migration; nothing was changed.",
    "",
  );
  return lines.join("\n");
}
