import { Command } from "commander";
import { z } from "zod";
import { fold } from "../engine/journal.js";
import { defaultStateDir, FileJournal, readJournal } from "../engine/journal-file.js";
import { Migration } from "../engine/runner.js";
import { connectCinder } from "../openstack/connect.js";
import { execute } from "./execute.js";
import { cephAccess, cloudConfig, outputOption, sideOptions, stateDirOption } from "./shared.js";

const resumeOpts = z.object({
  stateDir: z.string().optional(),
  output: z.enum(["human", "json"]),
  report: z.string().optional(),
  pollMin: z.number(),
  pollMax: z.number(),
});

/** Sides and Ceph settings come from the journal (names and paths only); secrets from the same places as before. */
export function resumeCommand(): Command {
  const cmd = new Command("resume")
    .description("continue a run exactly where it stopped (after a crash, Ctrl-C or reboot)")
    .argument("<run>", "run id (or path of its .jsonl journal)")
    .option("--report <file>", "also write the Markdown report here")
    .option("--poll-min <ms>", "shortest status poll interval", (v) => Number(v), 250)
    .option("--poll-max <ms>", "longest status poll interval", (v) => Number(v), 5000);
  sideOptions(cmd, []);
  outputOption(cmd);
  stateDirOption(cmd);
  return cmd.action(async (run: string, raw: unknown) => {
    const o = resumeOpts.parse(raw);
    const stateDir = o.stateDir ?? defaultStateDir();
    const { path, records } = readJournal(stateDir, run);
    const state = fold(records);
    const { header } = state;
    const calls = { a: 0, b: 0 };
    const a = await connectCinder(cloudConfig(header.from, raw), {
      requireAdmin: "backup export",
      http: { onRequest: () => void calls.a++ },
    });
    const b = await connectCinder(cloudConfig(header.to, raw), {
      requireAdmin: "backup import",
      http: { onRequest: () => void calls.b++ },
    });
    const receiver = header.receiver
      ? await connectCinder(cloudConfig(header.receiver, raw), { http: { onRequest: () => void calls.b++ } })
      : undefined;
    const connectCalls = calls.a + calls.b;
    const names = new Map(
      [...state.volumes.values()].map((v) => [v.volumeId, v.facts.source?.name || v.volumeId]),
    );
    if (o.output === "human") process.stderr.write(`resuming run ${header.runId} from ${path}\n`);
    await execute({
      a,
      b,
      ...(receiver ? { receiver } : {}),
      ceph: cephAccess(header.ceph),
      journal: FileJournal.reopen(path),
      stateDir,
      output: o.output,
      ...(o.report ? { reportPath: o.report } : {}),
      pollMinMs: o.pollMin,
      pollMaxMs: o.pollMax,
      names,
      apiCalls: () => calls.a + calls.b - connectCalls,
      start: (deps) => Migration.resume(deps, records),
    });
  });
}
