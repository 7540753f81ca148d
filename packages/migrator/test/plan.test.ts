import { describe, expect, it } from "vitest";
import { parseMap, parseVerify } from "../src/commands/shared.js";
import type { Limits, VolumeView } from "../src/engine/ports.js";
import { driverFamily, makePlan, type PlanInput, renderPlan } from "../src/plan/plan.js";

const limits = (over: Partial<Limits> = {}): Limits => ({
  maxTotalVolumes: 10,
  maxTotalVolumeGigabytes: 1000,
  maxTotalBackups: 10,
  maxTotalBackupGigabytes: 1000,
  totalVolumesUsed: 0,
  totalGigabytesUsed: 0,
  totalBackupsUsed: 0,
  totalBackupGigabytesUsed: 0,
  ...over,
});
const vol = (over: Partial<VolumeView>): VolumeView => ({
  id: "v",
  name: "n",
  description: null,
  size: 1,
  status: "available",
  volumeType: "ssd",
  availabilityZone: "nova",
  metadata: {},
  bootable: false,
  attachments: 0,
  ...over,
});
const up = [{ binary: "cinder-backup", host: "h", status: "enabled", state: "up", zone: "nova" }];
const ceph = { driver: "cinder.backup.drivers.ceph.CephBackupDriver" };
const input = (over: Partial<PlanInput> = {}): PlanInput => ({
  volumes: [vol({ id: "v1" })],
  options: { force: false, incremental: false, typeMap: {}, azMap: {} },
  a: { label: "A", isAdmin: true, backupServices: up, backupDriver: ceph, limits: limits() },
  b: {
    label: "B",
    isAdmin: true,
    backupServices: up,
    backupDriver: ceph,
    limits: limits(),
    volumeTypes: ["ssd"],
    availabilityZones: ["nova"],
    existingNames: new Set(),
  },
  parents: new Map(),
  idsInB: new Map(),
  ceph: { backup: "ok", target: "ok" },
  ...over,
});

describe("plan", () => {
  it("passes a clean migration", () => {
    const p = makePlan(input());
    expect(p.ok).toBe(true);
    expect(p.volumes[0]?.action).toBe("full backup");
  });

  it("names every blocker: in-use without --force, bad status, unmapped type and AZ, quota, no backup service, not admin", () => {
    const p = makePlan(
      input({
        volumes: [
          vol({ id: "v1", status: "in-use" }),
          vol({ id: "v2", status: "error" }),
          vol({ id: "v3", volumeType: "gold", availabilityZone: "az9", size: 5 }),
        ],
        a: { label: "A", isAdmin: false, backupServices: up, backupDriver: ceph, limits: limits() },
        b: {
          label: "B",
          isAdmin: true,
          backupServices: [{ ...up[0], state: "down" } as (typeof up)[0]],
          backupDriver: ceph,
          limits: limits({ totalVolumesUsed: 8 }),
          volumeTypes: ["ssd"],
          availabilityZones: ["nova"],
          existingNames: new Set(["n"]),
        },
      }),
    );
    expect(p.ok).toBe(false);
    expect(p.volumes.map((v) => v.blockers)).toEqual([
      ["in-use: detach it or pass --force"],
      ["status error: must be available (or in-use with --force)"],
      [
        'volume type "gold" does not exist in B (map it with --type-map gold=<type>)',
        'availability zone "az9" does not exist in B (map it with --az-map az9=<az>)',
      ],
    ]);
    expect(p.volumes[0]?.warnings).toEqual(['a volume named "n" already exists in B']);
    expect(p.blockers).toEqual([
      "A: not admin; backup export/import are admin-only",
      "B: no cinder-backup service is up and enabled",
      "B: quota volumes 8/10 has no room for 3 more",
    ]);
    expect(p.needs).toEqual({ volumes: 3, gigabytes: 7, backups: 3, backupGigabytes: 7 });
  });

  it("maps types and AZs, allows in-use with --force, and warns when content cannot be verified", () => {
    const p = makePlan(
      input({
        volumes: [vol({ id: "v1", status: "in-use", volumeType: "gold" })],
        options: { force: true, incremental: false, typeMap: { gold: "ssd" }, azMap: {} },
        ceph: { backup: "no access configured (--backup-ceph-conf)", target: "ok" },
      }),
    );
    expect(p.ok).toBe(true);
    expect(p.volumes[0]).toMatchObject({ action: "full backup (forced: in-use)", targetType: "ssd" });
    expect(p.warnings).toEqual([
      "backup Ceph: no access configured (--backup-ceph-conf); content will NOT be verified",
    ]);
  });
});

describe("plan: backup driver family and backup-id collisions", () => {
  const withDrivers = (a: PlanInput["a"]["backupDriver"], b: PlanInput["b"]["backupDriver"]) => {
    const base = input();
    return makePlan({ ...base, a: { ...base.a, backupDriver: a }, b: { ...base.b, backupDriver: b } });
  };

  it("reads the family as the module path up to the driver module", () => {
    expect(driverFamily("cinder.backup.drivers.ceph.CephBackupDriver")).toBe("cinder.backup.drivers.ceph");
    expect(driverFamily("cinder.backup.drivers.ceph")).toBe("cinder.backup.drivers.ceph");
    expect(driverFamily("cinder.backup.drivers.swift.SwiftBackupDriver")).toBe("cinder.backup.drivers.swift");
  });

  it("blocks when the drivers differ and names both, in the table and in JSON", () => {
    const p = withDrivers(ceph, { driver: "cinder.backup.drivers.swift.SwiftBackupDriver" });
    expect(p.ok).toBe(false);
    expect(p.blockers).toEqual([
      "backup drivers differ: A uses cinder.backup.drivers.ceph.CephBackupDriver, B uses cinder.backup.drivers.swift.SwiftBackupDriver; B cannot import A's backups",
    ]);
    expect(JSON.parse(JSON.stringify(p)).backupDrivers).toEqual({
      a: "cinder.backup.drivers.ceph.CephBackupDriver",
      b: "cinder.backup.drivers.swift.SwiftBackupDriver",
    });
    expect(renderPlan(p)).toContain(
      "BLOCKED: backup drivers differ: A uses cinder.backup.drivers.ceph.CephBackupDriver",
    );
  });

  it("accepts a Pike-era module path against the class path of the same driver", () => {
    const p = withDrivers({ driver: "cinder.backup.drivers.ceph" }, ceph);
    expect(p.ok).toBe(true);
    expect(p.warnings).toEqual([]);
  });

  it("warns, without blocking, when no side has a backup to read the driver from", () => {
    const none = { unknown: "no backups to read the driver from" };
    const p = withDrivers(ceph, none);
    expect(p.ok).toBe(true);
    expect(p.warnings).toEqual([
      "backup driver family on both sides: unknown (B: no backups to read the driver from)",
    ]);
    expect(p.backupDrivers).toEqual({ a: "cinder.backup.drivers.ceph.CephBackupDriver", b: null });
    expect(renderPlan(p)).toContain(
      "Backup drivers: cinder.backup.drivers.ceph.CephBackupDriver (from) → unknown (to).",
    );
  });

  it("blocks a backup id B already holds under another name, and accepts B's earlier import of it", () => {
    const p = makePlan(
      input({
        volumes: [vol({ id: "v1" }), vol({ id: "v2" })],
        options: { force: false, incremental: true, typeMap: {}, azMap: {} },
        parents: new Map([
          ["v1", { backupId: "b1", inB: true }],
          ["v2", { backupId: "b2", inB: true }],
        ]),
        idsInB: new Map([
          ["v1", [{ backupId: "b1", nameInA: "cinder-migrate-r1-v1", nameInB: "cinder-migrate-r1-v1" }]],
          ["v2", [{ backupId: "b2", nameInA: "cinder-migrate-r1-v2", nameInB: "nightly" }]],
        ]),
      }),
    );
    expect(p.ok).toBe(false);
    expect(p.volumes.map((v) => v.blockers)).toEqual([
      [],
      [
        'backup id b2 already exists in B as "nightly", not an import of A\'s "cinder-migrate-r1-v2": B would refuse the import',
      ],
    ]);
  });
});

describe("option parsing", () => {
  it("reads maps and verification modes, and refuses malformed ones with one line", () => {
    expect(parseMap("gold=ssd,nova=az1", "--type-map")).toEqual({ gold: "ssd", nova: "az1" });
    expect(() => parseMap("gold", "--type-map")).toThrow('--type-map: "gold" is not FROM=TO');
    expect(parseVerify("sample:5")).toBe("sample:5%");
    expect(parseVerify("none")).toBe("none");
    expect(() => parseVerify("sample:0%")).toThrow(/use full, none or sample:N%/);
  });
});
