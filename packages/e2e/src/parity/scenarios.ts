// The parity scenarios, written once for both targets. Each returns nothing: what it
// recorded (ScenarioRun) is the result. Step labels are the snapshot keys: keep them stable.
// Every point that looks at a resource before real Cinder's services are done with it (a
// show right after a create or a restore, every polling) is a race point (`observe`,
// `waitFor`): what real Cinder shows there depends on timing, so it is recorded as one of
// the legitimate observations, never as the one answer.
import { need, type ScenarioRun } from "./run.js";

export interface Scenario {
  name: string;
  description: string;
  run(s: ScenarioRun): Promise<void>;
}

type Cluster = "a" | "b";

/** creates an available volume; records the create, the show while creating, the polling and the show after */
async function volume(
  s: ScenarioRun,
  cluster: Cluster,
  name: string,
  size: number,
  prefix: string | null,
): Promise<string> {
  const label = (what: string): string | null => (prefix === null ? null : `${prefix} ${what}`.trim());
  const created = await s.expect(label("create"), cluster, "POST", "/volumes", 202, {
    body: { volume: { name, size } },
  });
  const id = need(created.volume, "volume").id;
  await s.observe(label("show while creating"), cluster, "volumes", id, ["creating"]);
  await s.waitFor(label("status while creating"), cluster, "volumes", id, ["available"]);
  // real cinder-volume saves "available" at the end of its create flow and shared_targets
  // and service_uuid in a second save just after: a show can fall between the two
  await s.call(label("show when available"), cluster, "GET", `/volumes/${id}`, { race: true });
  return id;
}

async function backup(
  s: ScenarioRun,
  cluster: Cluster,
  volumeId: string,
  name: string,
  prefix: string | null,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const label = (what: string): string | null => (prefix === null ? null : `${prefix} ${what}`.trim());
  const created = await s.expect(label("create"), cluster, "POST", "/backups", 202, {
    body: { backup: { volume_id: volumeId, name, ...extra } },
  });
  const id = need(created.backup, "backup").id;
  await s.observe(label("show while creating"), cluster, "backups", id, ["creating"]);
  await s.waitFor(label("status while creating"), cluster, "backups", id, ["available"]);
  await s.waitFor(label("volume status during backup"), cluster, "volumes", volumeId, ["available"]);
  await s.call(label("show when available"), cluster, "GET", `/backups/${id}`);
  return id;
}

async function exportImport(
  s: ScenarioRun,
  backupId: string,
  prefix: string | null,
): Promise<{ service: string; url: string }> {
  const label = (what: string): string | null => (prefix === null ? null : `${prefix} ${what}`.trim());
  const exported = await s.expect(
    label("export in A"),
    "a",
    "GET",
    `/backups/${backupId}/export_record`,
    200,
  );
  const record = need(exported["backup-record"], "backup-record");
  await s.expect(label("import in B"), "b", "POST", "/backups/import_record", 201, {
    body: { "backup-record": record },
  });
  await s.waitFor(label("status after import"), "b", "backups", backupId, ["available"]);
  await s.call(label("show in B after import"), "b", "GET", `/backups/${backupId}`);
  return { service: record.backup_service, url: record.backup_url };
}

async function attach(s: ScenarioRun, cluster: Cluster, volumeId: string): Promise<void> {
  await s.expect(null, cluster, "POST", `/volumes/${volumeId}/action`, 202, {
    body: { "os-attach": { host_name: "parity-host", mountpoint: "/dev/vdb", mode: "rw" } },
  });
  await s.waitFor(null, cluster, "volumes", volumeId, ["in-use"]);
}

async function restore(
  s: ScenarioRun,
  backupId: string,
  volumeId: string | null,
  prefix: string,
): Promise<string> {
  const body = volumeId === null ? { restore: {} } : { restore: { volume_id: volumeId } };
  const restored = await s.expect(`${prefix} restore`, "b", "POST", `/backups/${backupId}/restore`, 202, {
    body,
  });
  const target = need(restored.restore, "restore").volume_id;
  await s.observe(`${prefix} backup while restoring`, "b", "backups", backupId, ["restoring"]);
  await s.observe(`${prefix} volume while restoring`, "b", "volumes", target, ["restoring-backup"]);
  await s.waitFor(`${prefix} volume status while restoring`, "b", "volumes", target, ["available"]);
  await s.waitFor(`${prefix} backup status while restoring`, "b", "backups", backupId, ["available"]);
  await s.call(`${prefix} volume after restore`, "b", "GET", `/volumes/${target}`);
  await s.call(`${prefix} backup after restore`, "b", "GET", `/backups/${backupId}`);
  return target;
}

export const scenarios: Scenario[] = [
  {
    name: "cross-cluster",
    description:
      "the whole procedure: volume and backup in A, export, import in B, restore into a new volume in B",
    async run(s) {
      const source = await volume(s, "a", "parity-source", 1, "A volume");
      const full = await backup(s, "a", source, "parity-full", "A backup");
      await s.pool("backup pool after backup");
      await exportImport(s, full, "");
      const target = await volume(s, "b", "parity-target", 1, "B target");
      await restore(s, full, target, "B");
      await s.pool("backup pool after restore");
    },
  },
  {
    name: "volume-refusals",
    description: "backup-create refused for a volume in error, and for an in-use volume without force",
    async run(s) {
      const v = await volume(s, "a", "parity-refusals", 1, null);
      await s.expect(null, "a", "POST", `/volumes/${v}/action`, 202, {
        body: { "os-reset_status": { status: "error" } },
      });
      await s.call("backup-create of a volume in error", "a", "POST", "/backups", {
        body: { backup: { volume_id: v } },
      });
      await s.expect(null, "a", "POST", `/volumes/${v}/action`, 202, {
        body: { "os-reset_status": { status: "available" } },
      });
      await attach(s, "a", v);
      await s.call("volume in use", "a", "GET", `/volumes/${v}`);
      await s.call("backup-create of an in-use volume without force", "a", "POST", "/backups", {
        body: { backup: { volume_id: v } },
      });
      await s.call("backups after the refusals", "a", "GET", "/backups/detail");
    },
  },
  {
    name: "incremental-and-refusals",
    description:
      "full + incremental backup of a 2 GB volume in A, both exported and imported, the incremental restored in B; the import, restore, export and delete refusals around them",
    async run(s) {
      const source = await volume(s, "a", "parity-incr-source", 2, null);
      const full = await backup(s, "a", source, "parity-incr-full", null);
      const incr = await backup(s, "a", source, "parity-incr", "A incremental", { incremental: true });
      await s.pool("backup pool after incremental");
      await s.call("delete of a backup with dependents", "a", "DELETE", `/backups/${full}`);
      const fullRecord = await exportImport(s, full, "full");
      await exportImport(s, incr, "incremental");
      await s.call("duplicate import", "b", "POST", "/backups/import_record", {
        body: { "backup-record": { backup_service: fullRecord.service, backup_url: fullRecord.url } },
      });
      await s.call("import with a garbage backup_url", "b", "POST", "/backups/import_record", {
        body: {
          "backup-record": { backup_service: fullRecord.service, backup_url: "bm90IGEgYmFja3VwIHJlY29yZA==" },
        },
      });
      const small = await volume(s, "b", "parity-too-small", 1, null);
      await s.call("restore into a too-small volume", "b", "POST", `/backups/${incr}/restore`, {
        body: { restore: { volume_id: small } },
      });
      const busy = await volume(s, "b", "parity-busy", 2, null);
      await attach(s, "b", busy);
      await s.call("restore into an in-use volume", "b", "POST", `/backups/${incr}/restore`, {
        body: { restore: { volume_id: busy } },
      });
      const target = await volume(s, "b", "parity-incr-target", 2, null);
      await restore(s, incr, target, "incremental");
      await s.pool("backup pool after incremental restore");
      await s.expect(null, "a", "POST", `/backups/${full}/action`, 202, {
        body: { "os-reset_status": { status: "error" } },
      });
      // on real Cinder the reset is a cast to the backup service: wait until it has landed
      await s.waitFor(null, "a", "backups", full, ["error"]);
      await s.call("export of a backup in error", "a", "GET", `/backups/${full}/export_record`);
    },
  },
  {
    name: "import-unknown-service",
    description:
      "import of a record naming a backup service B does not run: accepted (201), then the backup service fails it",
    async run(s) {
      const source = await volume(s, "a", "parity-unknown-service", 1, null);
      const full = await backup(s, "a", source, "parity-unknown-service-full", null);
      const exported = await s.expect(null, "a", "GET", `/backups/${full}/export_record`, 200);
      const record = need(exported["backup-record"], "backup-record");
      await s.call("import with an unknown backup service", "b", "POST", "/backups/import_record", {
        body: {
          "backup-record": {
            backup_service: "cinder.backup.drivers.nfs.NFSBackupDriver",
            backup_url: record.backup_url,
          },
        },
      });
      await s.waitFor("status after import", "b", "backups", full, ["available", "error"]);
      await s.call("show in B after the failed import", "b", "GET", `/backups/${full}`);
      await s.call("import again with the right service", "b", "POST", "/backups/import_record", {
        body: { "backup-record": exported["backup-record"] },
      });
    },
  },
  {
    name: "restore-variants",
    description: "restore with no target volume (Cinder creates one) and restore into a bigger volume",
    async run(s) {
      const source = await volume(s, "a", "parity-variants", 1, null);
      const full = await backup(s, "a", source, "parity-variants-full", null);
      await exportImport(s, full, null);
      await restore(s, full, null, "no target");
      const big = await volume(s, "b", "parity-bigger", 2, null);
      await restore(s, full, big, "bigger");
    },
  },
  {
    name: "delete-imported",
    description: "deleting the imported backup in B while A still lists it: the shared base image goes",
    async run(s) {
      const source = await volume(s, "a", "parity-delete", 1, null);
      const full = await backup(s, "a", source, "parity-delete-full", null);
      await exportImport(s, full, null);
      await s.pool("backup pool before delete in B");
      await s.expect("delete in B", "b", "DELETE", `/backups/${full}`, 202);
      await s.waitFor("status while deleting in B", "b", "backups", full, ["deleted"]);
      await s.pool("backup pool after delete in B");
      await s.call("A still shows the backup", "a", "GET", `/backups/${full}`);
      await s.call("A backup list", "a", "GET", "/backups/detail");
    },
  },
  {
    name: "in-use-force",
    description:
      "an attached volume: its shape at 3.0, 3.44 and 3.70, a forced backup of it, and the volume's status during and after",
    async run(s) {
      const v = await volume(s, "a", "parity-attached", 1, null);
      await attach(s, "a", v);
      for (const mv of ["3.0", "3.44", "3.70"]) {
        await s.call(`attached volume ${mv}`, "a", "GET", `/volumes/${v}`, { microversion: mv });
      }
      const created = await s.expect("forced backup-create", "a", "POST", "/backups", 202, {
        body: { backup: { volume_id: v, name: "parity-forced", force: true } },
      });
      const b = need(created.backup, "backup").id;
      await s.waitFor("forced backup status", "a", "backups", b, ["available"]);
      await s.waitFor("attached volume status after the backup", "a", "volumes", v, ["in-use"]);
      await s.call("forced backup when available", "a", "GET", `/backups/${b}`);
      await s.call("attached volume after the backup", "a", "GET", `/volumes/${v}`);
    },
  },
  {
    name: "more-refusals",
    description:
      "incremental backup with no full backup, restore of a backup in error, restore into a volume of another status, backup of a missing volume",
    async run(s) {
      const v = await volume(s, "a", "parity-more-refusals", 1, null);
      await s.call("incremental with no full backup", "a", "POST", "/backups", {
        body: { backup: { volume_id: v, incremental: true } },
      });
      await s.call("backup of a missing volume", "a", "POST", "/backups", {
        body: { backup: { volume_id: "9f0e5a52-1b1e-4c55-8d7e-0a0b0c0d0e0f" } },
      });
      const b = await backup(s, "a", v, "parity-more-refusals-full", null);
      const target = await volume(s, "a", "parity-more-refusals-target", 1, null);
      await s.expect(null, "a", "POST", `/volumes/${target}/action`, 202, {
        body: { "os-reset_status": { status: "error" } },
      });
      await s.call("restore into a volume in error", "a", "POST", `/backups/${b}/restore`, {
        body: { restore: { volume_id: target } },
      });
      await s.expect(null, "a", "POST", `/backups/${b}/action`, 202, {
        body: { "os-reset_status": { status: "error" } },
      });
      await s.waitFor(null, "a", "backups", b, ["error"]);
      await s.call("restore of a backup in error", "a", "POST", `/backups/${b}/restore`, {
        body: { restore: {} },
      });
    },
  },
  {
    name: "list-shapes",
    description: "volume and backup list and detail at microversions 3.0, 3.44 and 3.70",
    async run(s) {
      const v = await volume(s, "a", "parity-shapes", 1, null);
      const b = await backup(s, "a", v, "parity-shapes-full", null);
      for (const mv of ["3.0", "3.44", "3.70"]) {
        await s.call(`volumes ${mv}`, "a", "GET", "/volumes", { microversion: mv });
        await s.call(`volumes detail ${mv}`, "a", "GET", "/volumes/detail", { microversion: mv });
        await s.call(`volume show ${mv}`, "a", "GET", `/volumes/${v}`, { microversion: mv });
        await s.call(`backups ${mv}`, "a", "GET", "/backups", { microversion: mv });
        await s.call(`backups detail ${mv}`, "a", "GET", "/backups/detail", { microversion: mv });
        await s.call(`backup show ${mv}`, "a", "GET", `/backups/${b}`, { microversion: mv });
      }
    },
  },
];
