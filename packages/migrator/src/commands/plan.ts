import { Command } from "commander";
import { z } from "zod";
import type { BlockStorage, CephCluster } from "../engine/ports.js";
import { MigratorError } from "../errors.js";
import { connectCinder } from "../openstack/connect.js";
import { type BackupDriverFact, makePlan, type PlanInput, renderPlan } from "../plan/plan.js";
import {
  cephAccess,
  cephOptions,
  cephSettings,
  cloudConfig,
  outputOption,
  parseMap,
  sideOptions,
  sideRef,
} from "./shared.js";
import { selectionFlags, selectionOf, selectionOptions, selectVolumes } from "./volumes.js";

const planOpts = z.object({
  ...selectionFlags,
  incremental: z.boolean().optional(),
  force: z.boolean().optional(),
  typeMap: z.string().optional(),
  azMap: z.string().optional(),
  output: z.enum(["human", "json"]),
});

export function planCommand(): Command {
  const cmd = selectionOptions(
    new Command("plan").description("show what a run would do and what blocks it; changes nothing"),
    "every volume visible in A",
  )
    .option("--incremental", "plan an incremental migration")
    .option("--force", "allow in-use volumes")
    .option("--type-map <a=b,...>", "volume type in A → in B")
    .option("--az-map <a=b,...>", "availability zone in A → in B");
  sideOptions(cmd, ["from", "to"]);
  cephOptions(cmd);
  outputOption(cmd);
  return cmd.action(async (volumes: string[], raw: unknown) => {
    const o = planOpts.parse(raw);
    const a = await connectCinder(cloudConfig(sideRef(raw, "from"), raw));
    const b = await connectCinder(cloudConfig(sideRef(raw, "to"), raw));
    const selected = await selectVolumes(a, selectionOf(volumes, o));
    const access = cephAccess(cephSettings(raw));
    const services = async (side: BlockStorage) => {
      try {
        return await side.listServices("cinder-backup");
      } catch (error) {
        return `cannot list services (${(error as Error).message})`;
      }
    };
    const reach = async (c: { cluster: CephCluster; pool: string } | undefined, flag: string) => {
      if (!c) return `no access configured (${flag})`;
      try {
        await c.cluster.listImages(c.pool);
        return "ok";
      } catch (error) {
        return `pool ${c.pool} not reachable: ${(error as Error).message}`;
      }
    };
    const driver = async (side: BlockStorage): Promise<BackupDriverFact> => {
      try {
        const found = await side.sampleBackupDriver();
        return found ? { driver: found } : { unknown: "no backups to read the driver from" };
      } catch (error) {
        return { unknown: `cannot read an export record (${(error as Error).message})` };
      }
    };
    const parents = new Map<string, { backupId?: string; inB: boolean }>();
    const idsInB: PlanInput["idsInB"] = new Map();
    for (const v of selected) {
      // Backups this tool made of the volume (tagged by name); their ids travel to B on export.
      const ours = (await a.findBackups({ volumeId: v.id }))
        .filter((x) => x.status === "available" && x.name?.startsWith("cinder-migrate-"))
        .sort((x, y) => y.createdAt.localeCompare(x.createdAt));
      const hits: { backupId: string; nameInA: string | null; nameInB: string | null }[] = [];
      let parentInB = false;
      for (const [i, x] of ours.entries()) {
        const inB = await b.getBackup(x.id);
        if (!inB) continue;
        hits.push({ backupId: x.id, nameInA: x.name, nameInB: inB.name });
        if (i === 0) parentInB = inB.status === "available";
      }
      idsInB.set(v.id, hits);
      if (o.incremental)
        parents.set(v.id, ours[0] ? { backupId: ours[0].id, inB: parentInB } : { inB: false });
    }
    const namesInB = new Set<string>();
    for (const v of selected)
      if (v.name && (await b.findVolumes({ name: v.name })).length) namesInB.add(v.name);
    const plan = makePlan({
      volumes: selected,
      options: {
        force: o.force ?? false,
        incremental: o.incremental ?? false,
        typeMap: parseMap(o.typeMap, "--type-map"),
        azMap: parseMap(o.azMap, "--az-map"),
      },
      a: {
        label: a.label,
        isAdmin: a.isAdmin,
        backupServices: await services(a),
        backupDriver: await driver(a),
        limits: await a.limits(),
      },
      b: {
        label: b.label,
        isAdmin: b.isAdmin,
        backupServices: await services(b),
        backupDriver: await driver(b),
        limits: await b.limits(),
        volumeTypes: await b.volumeTypes(),
        availabilityZones: await b.availabilityZones().catch(() => []),
        existingNames: namesInB,
      },
      parents,
      idsInB,
      ceph: {
        backup: await reach(access.backup, "--backup-ceph-conf"),
        target: await reach(access.target, "--to-ceph-conf"),
      },
    });
    process.stdout.write(o.output === "json" ? `${JSON.stringify(plan, null, 2)}\n` : renderPlan(plan));
    if (!plan.ok)
      throw new MigratorError("STEP", "the plan has blockers (see above); nothing was changed", {
        exitCode: 1,
      });
  });
}
