import { randomBytes } from "node:crypto";
import { Command } from "commander";
import { z } from "zod";
import type { SideRef } from "../engine/journal.js";
import { defaultStateDir, FileJournal } from "../engine/journal-file.js";
import { Migration } from "../engine/runner.js";
import { UsageError } from "../errors.js";
import type { CinderClient } from "../openstack/cinder.js";
import { connectCinder } from "../openstack/connect.js";
import { execute } from "./execute.js";
import {
  cephAccess,
  cephOptions,
  cephSettings,
  cloudConfig,
  outputOption,
  parseMap,
  parseVerify,
  positiveInt,
  sideOptions,
  sideRef,
  stateDirOption,
} from "./shared.js";
import { selectionFlags, selectionOf, selectionOptions, selectVolumes } from "./volumes.js";

const runOpts = z.object({
  ...selectionFlags,
  incremental: z.boolean().optional(),
  force: z.boolean().optional(),
  verify: z.string(),
  cleanup: z.boolean().optional(),
  typeMap: z.string().optional(),
  azMap: z.string().optional(),
  parallel: z.number(),
  maxBackups: z.number().optional(),
  maxRestores: z.number().optional(),
  waitTimeout: z.number(),
  retries: z.number(),
  pollMin: z.number(),
  pollMax: z.number(),
  stateDir: z.string().optional(),
  output: z.enum(["human", "json"]),
  report: z.string().optional(),
  runId: z.string().optional(),
  toProject: z.string().optional(),
  receiverCloud: z.string().optional(),
  receiverOpenrc: z.string().optional(),
});

export function newRunId(now = new Date()): string {
  return `${now.toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-")}-${randomBytes(3).toString("hex")}`;
}

export function runCommand(): Command {
  const cmd = selectionOptions(
    new Command("run").description(
      "migrate volumes from A to B: backup, export, import, restore, verify (journalled, resumable)",
    ),
    "every volume visible in A (narrow with --project / --metadata)",
  )
    .option("--incremental", "incremental backup on top of the previous migration backup")
    .option(
      "--force",
      "back up in-use volumes (Cinder's force flag); the backup snapshot is the consistent point",
    )
    .option("--verify <mode>", "full | sample:N% | none", "full")
    .option("--cleanup", "after verification, delete the migration backup in B and A together")
    .option("--type-map <a=b,...>", "volume type in A → volume type in B")
    .option("--az-map <a=b,...>", "availability zone in A → in B")
    .option("--parallel <n>", "volumes migrated at once", positiveInt("--parallel"), 4)
    .option(
      "--max-backups <n>",
      "concurrent backups in A (default: --parallel)",
      positiveInt("--max-backups"),
    )
    .option(
      "--max-restores <n>",
      "concurrent restores in B (default: --parallel)",
      positiveInt("--max-restores"),
    )
    .option("--wait-timeout <seconds>", "give up a wait after this long", positiveInt("--wait-timeout"), 3600)
    .option("--retries <n>", "retries of a step on 5xx/413/connection errors", (v) => Number(v), 5)
    .option("--poll-min <ms>", "shortest status poll interval", positiveInt("--poll-min"), 250)
    .option("--poll-max <ms>", "longest status poll interval", positiveInt("--poll-max"), 5000)
    .option("--to-project <id>", "hand each restored volume to this project (Cinder volume transfer)")
    .option(
      "--receiver-cloud <name>",
      "for --to-project: a cloud in clouds.yaml scoped to the receiving project",
    )
    .option("--receiver-openrc <file>", "for --to-project: an openrc scoped to the receiving project")
    .option("--report <file>", "also write the Markdown report here (and .json next to it)")
    .option("--run-id <id>", "name the run (default: timestamp + random)");
  sideOptions(cmd, ["from", "to"]);
  cephOptions(cmd);
  outputOption(cmd);
  stateDirOption(cmd);
  return cmd.action(async (volumes: string[], raw: unknown) => {
    const o = runOpts.parse(raw);
    const from = sideRef(raw, "from");
    const to = sideRef(raw, "to");
    const verify = parseVerify(o.verify);
    const typeMap = parseMap(o.typeMap, "--type-map");
    const azMap = parseMap(o.azMap, "--az-map");
    const ceph = cephSettings(raw);
    const calls = { a: 0, b: 0 };
    const a = await connectCinder(cloudConfig(from, raw), {
      requireAdmin: "backup export",
      http: { onRequest: () => void calls.a++ },
    });
    const b = await connectCinder(cloudConfig(to, raw), {
      requireAdmin: "backup import",
      http: { onRequest: () => void calls.b++ },
    });
    let receiverRef: SideRef | undefined;
    let receiver: CinderClient | undefined;
    if (o.toProject) {
      if (!o.receiverCloud === !o.receiverOpenrc) {
        throw new UsageError(
          "--to-project needs exactly one of --receiver-cloud, --receiver-openrc (credentials in the receiving project)",
        );
      }
      receiverRef = o.receiverCloud
        ? { kind: "cloud", name: o.receiverCloud }
        : { kind: "openrc", name: o.receiverOpenrc ?? "" };
      receiver = await connectCinder(cloudConfig(receiverRef, raw), {
        http: { onRequest: () => void calls.b++ },
      });
      if (receiver.projectId !== o.toProject) {
        throw new UsageError(
          `--receiver credentials are scoped to project ${receiver.projectId}, not --to-project ${o.toProject}`,
        );
      }
    }
    const connectCalls = calls.a + calls.b;
    const selected = await selectVolumes(a, selectionOf(volumes, o));
    if (selected.length === 0) throw new UsageError("no volume matches the selection");
    const stateDir = o.stateDir ?? defaultStateDir();
    const runId = o.runId ?? newRunId();
    const journal = FileJournal.create(stateDir, runId);
    const names = new Map(selected.map((v) => [v.id, v.name || v.id]));
    if (o.output === "human") process.stderr.write(`run ${runId}: journal ${journal.path}\n`);
    await execute({
      a,
      b,
      ...(receiver ? { receiver } : {}),
      ceph: cephAccess(ceph),
      journal,
      stateDir,
      output: o.output,
      ...(o.report ? { reportPath: o.report } : {}),
      pollMinMs: o.pollMin,
      pollMaxMs: o.pollMax,
      names,
      apiCalls: () => calls.a + calls.b - connectCalls,
      start: (deps) =>
        Migration.start(deps, {
          runId,
          from,
          to,
          ceph,
          ...(receiverRef ? { receiver: receiverRef } : {}),
          volumes: selected.map((v) => v.id),
          options: {
            incremental: o.incremental ?? false,
            force: o.force ?? false,
            verify,
            cleanup: o.cleanup ?? false,
            typeMap,
            azMap,
            parallel: o.parallel,
            maxBackups: o.maxBackups ?? o.parallel,
            maxRestores: o.maxRestores ?? o.parallel,
            waitTimeoutMs: o.waitTimeout * 1000,
            retries: o.retries,
            ...(o.toProject ? { toProject: o.toProject } : {}),
          },
        }),
    });
  });
}
