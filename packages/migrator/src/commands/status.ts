import { Command } from "commander";
import { z } from "zod";
import { fold } from "../engine/journal.js";
import { defaultStateDir, readJournal } from "../engine/journal-file.js";
import { renderMarkdown } from "../report/markdown.js";
import { buildReport } from "../report/report.js";
import { outputOption, stateDirOption } from "./shared.js";

/** Reads the journal only: works while the run is going, after a crash, and offline. */
export function statusCommand(): Command {
  const cmd = new Command("status")
    .description("where each volume of a run is")
    .argument("<run>", "run id or journal path");
  outputOption(cmd);
  stateDirOption(cmd);
  return cmd.action((run: string, raw: unknown) => {
    const o = z.object({ stateDir: z.string().optional(), output: z.enum(["human", "json"]) }).parse(raw);
    const { records } = readJournal(o.stateDir ?? defaultStateDir(), run);
    const report = buildReport(fold(records), new Date());
    process.stdout.write(
      o.output === "json" ? `${JSON.stringify(report, null, 2)}\n` : renderMarkdown(report),
    );
  });
}
