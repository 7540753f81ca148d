// The procedure one step at a time, for doing it by hand and for teaching it: each command
// is one Cinder call (plus an optional wait) and prints what the next command needs.
import { readFileSync, writeFileSync } from "node:fs";
import { Command } from "commander";
import { z } from "zod";
import { Poller } from "../engine/poll.js";
import type { BlockStorage } from "../engine/ports.js";
import { realClock } from "../engine/ports.js";
import { MigratorError, NotFound, RecordInvalid, UsageError } from "../errors.js";
import { connectCinder } from "../openstack/connect.js";
import {
  cephAccess,
  cephOptions,
  cephSettings,
  cloudConfig,
  outputOption,
  sideOptions,
  sideRef,
} from "./shared.js";
import { selectVolumes } from "./volumes.js";

function print(output: string, human: string, json: unknown): void {
  process.stdout.write(output === "json" ? `${JSON.stringify(json)}\n` : `${human}\n`);
}

async function waitStatus(
  side: BlockStorage,
  what: "backup" | "volume",
  id: string,
  target: string,
  timeoutS: number,
): Promise<void> {
  const errors = ["error", "error_restoring"];
  await new Poller(realClock).until<{ status: string; failReason?: string | null }>({
    what: `${what} ${id} in ${side.label}`,
    kind: what,
    fetch: async () => (what === "backup" ? await side.getBackup(id) : await side.getVolume(id)),
    status: (x) => x?.status ?? "missing",
    done: (x) => x?.status === target,
    failed: (x) =>
      !x
        ? `${what} ${id} disappeared`
        : errors.includes(x.status)
          ? `${what} ${id} is ${x.status}${x.failReason ? `: ${x.failReason}` : ""}`
          : undefined,
    timeoutMs: timeoutS * 1000,
  });
}

const common = z.object({
  output: z.enum(["human", "json"]),
  wait: z.boolean().optional(),
  waitTimeout: z.number(),
});

function withWait(cmd: Command): Command {
  return cmd
    .option("--wait", "wait until the result is available")
    .option("--wait-timeout <seconds>", "how long to wait", (v) => Number(v), 3600);
}

export function backupCommand(): Command {
  const cmd = withWait(
    new Command("backup")
      .description("create a backup of a volume in A (step 1 of the procedure)")
      .argument("<volume>", "volume id or name")
      .option("--incremental", "incremental backup")
      .option("--force", "back up an in-use volume")
      .option("--name <name>", "backup name"),
  );
  sideOptions(cmd, ["from"]);
  outputOption(cmd);
  return cmd.action(async (volume: string, raw: unknown) => {
    const o = common
      .extend({
        incremental: z.boolean().optional(),
        force: z.boolean().optional(),
        name: z.string().optional(),
      })
      .parse(raw);
    const a = await connectCinder(cloudConfig(sideRef(raw, "from"), raw));
    const [v] = await selectVolumes(a, { volumes: [volume] });
    if (!v) throw new NotFound(`no volume "${volume}" in ${a.label}`);
    const { id } = await a.createBackup({
      volumeId: v.id,
      name: o.name ?? `cinder-migrate-manual-${v.id}`,
      description: `cinder-migrate backup of volume ${v.id}`,
      incremental: o.incremental ?? false,
      force: o.force ?? false,
    });
    if (o.wait) await waitStatus(a, "backup", id, "available", o.waitTimeout);
    print(o.output, id, { backupId: id, volumeId: v.id, status: o.wait ? "available" : "creating" });
  });
}

export function exportCommand(): Command {
  const cmd = new Command("export")
    .description("export a backup's record from A (admin): what B needs to import it")
    .argument("<backup>", "backup id")
    .option("--file <path>", "write the record here as JSON instead of printing it");
  sideOptions(cmd, ["from"]);
  outputOption(cmd);
  return cmd.action(async (backup: string, raw: unknown) => {
    const o = z.object({ output: z.enum(["human", "json"]), file: z.string().optional() }).parse(raw);
    const a = await connectCinder(cloudConfig(sideRef(raw, "from"), raw), { requireAdmin: "export" });
    const r = await a.exportRecord(backup);
    const json = { backup_service: r.backupService, backup_url: r.backupUrl };
    if (o.file) {
      writeFileSync(o.file, `${JSON.stringify(json, null, 2)}\n`, { mode: 0o600 });
      print(o.output, `record of backup ${backup} written to ${o.file}`, { backupId: backup, file: o.file });
    } else {
      print(o.output, `backup_service: ${r.backupService}\nbackup_url: ${r.backupUrl}`, json);
    }
  });
}

const recordFile = z.object({ backup_service: z.string(), backup_url: z.string().min(1) });

export function readRecordFile(path: string): { backupService: string; backupUrl: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new RecordInvalid(`${path} is not a JSON record: ${(error as Error).message.split("\n")[0]}`);
  }
  const rec = recordFile.safeParse((parsed as Record<string, unknown>)?.["backup-record"] ?? parsed);
  if (!rec.success)
    throw new RecordInvalid(
      `${path} is not a backup record: ${rec.error.issues[0]?.path.join(".")} ${rec.error.issues[0]?.message}`,
    );
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(rec.data.backup_url))
    throw new RecordInvalid(`${path}: backup_url is not base64`);
  return { backupService: rec.data.backup_service, backupUrl: rec.data.backup_url };
}

export function importCommand(): Command {
  const cmd = withWait(
    new Command("import")
      .description("import a backup record into B (admin); the backup keeps A's id")
      .option("--file <path>", "record file written by `export --file`")
      .option("--service <name>", "backup_service (with --url)")
      .option("--url <base64>", "backup_url (with --service)"),
  );
  sideOptions(cmd, ["to"]);
  outputOption(cmd);
  return cmd.action(async (raw: unknown) => {
    const o = common
      .extend({ file: z.string().optional(), service: z.string().optional(), url: z.string().optional() })
      .parse(raw);
    let record: { backupService: string; backupUrl: string };
    if (o.file) record = readRecordFile(o.file);
    else if (o.service !== undefined && o.url) record = { backupService: o.service, backupUrl: o.url };
    else throw new UsageError("give --file, or --service and --url");
    const b = await connectCinder(cloudConfig(sideRef(raw, "to"), raw), { requireAdmin: "import" });
    const { id } = await b.importRecord(record);
    if (o.wait) await waitStatus(b, "backup", id, "available", o.waitTimeout);
    print(o.output, id, { backupId: id, status: o.wait ? "available" : "creating" });
  });
}

export function restoreCommand(): Command {
  const cmd = withWait(
    new Command("restore")
      .description("restore a backup in B into a new (or given) volume")
      .argument("<backup>", "backup id in B")
      .option("--volume <id>", "restore into this existing available volume")
      .option("--name <name>", "name of the new volume")
      .option("--volume-type <type>", "type of the new volume")
      .option("--availability-zone <az>", "AZ of the new volume"),
  );
  sideOptions(cmd, ["to"]);
  outputOption(cmd);
  return cmd.action(async (backup: string, raw: unknown) => {
    const o = common
      .extend({
        volume: z.string().optional(),
        name: z.string().optional(),
        volumeType: z.string().optional(),
        availabilityZone: z.string().optional(),
      })
      .parse(raw);
    const b = await connectCinder(cloudConfig(sideRef(raw, "to"), raw));
    const bk = await b.getBackup(backup);
    if (!bk) throw new NotFound(`no backup ${backup} in ${b.label}`);
    let volumeId = o.volume;
    if (!volumeId) {
      const v = await b.createVolume({
        size: bk.size,
        name: o.name ?? `restore_backup_${bk.id}`,
        description: null,
        volumeType: o.volumeType ?? null,
        availabilityZone: o.availabilityZone ?? null,
        metadata: {},
      });
      volumeId = v.id;
      await waitStatus(b, "volume", volumeId, "available", o.waitTimeout);
    }
    await b.restoreBackup(backup, volumeId);
    if (o.wait) await waitStatus(b, "volume", volumeId, "available", o.waitTimeout);
    print(o.output, volumeId, {
      backupId: backup,
      volumeId,
      status: o.wait ? "available" : "restoring-backup",
    });
  });
}

export function verifyCommand(): Command {
  const cmd = new Command("verify")
    .description("sha256 of a backup's snapshot in the backup Ceph against a volume image in B's Ceph")
    .argument("<backup>", "backup id (A's id = B's id)")
    .requiredOption("--source-volume <id>", "the source volume the backup was taken of")
    .requiredOption("--target-volume <id>", "the restored volume in B")
    .requiredOption("--size <GB>", "volume size in GB", (v) => Number(v))
    .option("--verify <mode>", "full | sample:N%", "full");
  cephOptions(cmd);
  outputOption(cmd);
  return cmd.action(async (backup: string, raw: unknown) => {
    const o = z
      .object({
        sourceVolume: z.string(),
        targetVolume: z.string(),
        size: z.number().positive(),
        output: z.enum(["human", "json"]),
        verify: z.string(),
      })
      .parse(raw);
    const access = cephAccess(cephSettings(raw));
    if (!access.backup || !access.target)
      throw new UsageError("verify needs --backup-ceph-conf and --to-ceph-conf");
    const prefix = `volume-${o.sourceVolume}.backup.`;
    let image: string | undefined;
    let snap: string | undefined;
    for (const img of (await access.backup.cluster.listImages(access.backup.pool)).filter((i) =>
      i.startsWith(prefix),
    )) {
      snap = (await access.backup.cluster.listSnapshots(access.backup.pool, img)).find((s) =>
        s.startsWith(`backup.${backup}.snap.`),
      );
      if (snap) {
        image = img;
        break;
      }
    }
    if (!image || !snap)
      throw new NotFound(`no snapshot backup.${backup}.snap.* on ${prefix}* in pool ${access.backup.pool}`);
    const m = /^sample:(\d+(?:\.\d+)?)%?$/.exec(o.verify);
    const sample = m ? { percent: Number(m[1]), seed: backup } : undefined;
    const size = o.size * 1024 ** 3;
    const [s, t] = await Promise.all([
      access.backup.cluster.digest({ pool: access.backup.pool, image, snap }, size, sample),
      access.target.cluster.digest(
        { pool: access.target.pool, image: `volume-${o.targetVolume}` },
        size,
        sample,
      ),
    ]);
    const equal = s.sha256 === t.sha256;
    print(
      o.output,
      `${equal ? "EQUAL" : "DIFFERENT"} (${s.method})\n${s.sha256}  ${access.backup.pool}/${image}@${snap}\n${t.sha256}  ${access.target.pool}/volume-${o.targetVolume}`,
      {
        equal,
        source: { image: `${access.backup.pool}/${image}@${snap}`, ...s },
        target: { image: `${access.target.pool}/volume-${o.targetVolume}`, ...t },
      },
    );
    if (!equal) throw new MigratorError("STEP", "checksums differ", { exitCode: 1 });
  });
}
