import { Command, Option } from "commander";
import { createCommand, removeCommand, renameCommand, resizeCommand } from "./commands/image.js";
import { infoCommand } from "./commands/info.js";
import { lsCommand } from "./commands/ls.js";
import { poolCommand } from "./commands/pool.js";
import { snapCommand } from "./commands/snap.js";
import { exportCommand, exportDiffCommand, importCommand, importDiffCommand } from "./commands/transfer.js";
import { diffCommand, duCommand } from "./commands/usage.js";
import type { Verb } from "./context.js";

export const PROGRAM_DESCRIPTION = [
  "Command-line interface for managing fake Ceph RBD images: rbd 16.2's verbs, flags and output, against an in-memory Ceph (a fake-rbd server, or in-process). A script written for `rbd` runs against `fake-rbd` by changing the binary's name.",
  "Which fake Ceph: --fake-rbd-url, else $FAKE_RBD_URL, else 'fake rbd url = http://HOST:PORT' in the [global] section of the ceph.conf given with -c/--conf (or $CEPH_CONF). The cluster is 'fake rbd cluster = NAME' from that conf, else --cluster, else \"ceph\".",
].join("\n\n");

/** The whole command tree. `verb` attaches each action; `extra` adds fake-only commands (serve). */
export function buildProgram(verb: Verb, extra: readonly Command[] = []): Command {
  const program = new Command("fake-rbd")
    .description(PROGRAM_DESCRIPTION)
    .option("-c, --conf <path>", "path to cluster configuration")
    .option("--cluster <name>", "cluster name")
    .option("--id <id>", "client id (without 'client.' prefix)")
    .option("--user <id>", "client id (without 'client.' prefix)")
    .option("-n, --name <name>", "client name")
    .option("-m, --mon_host <host>", "monitor host (ignored by fake-rbd)")
    .option("-K, --keyfile <path>", "path to secret key (ignored by fake-rbd)")
    .option("-k, --keyring <path>", "path to keyring (ignored by fake-rbd)")
    .option(
      "--fake-rbd-url <url>",
      "fake-rbd server URL (default: $FAKE_RBD_URL or 'fake rbd url' in ceph.conf)",
    )
    .addOption(new Option("--debug", "print stack traces of internal errors"));
  const commands = [
    createCommand(verb),
    diffCommand(verb),
    duCommand(verb),
    exportCommand(verb),
    exportDiffCommand(verb),
    importCommand(verb),
    importDiffCommand(verb),
    infoCommand(verb),
    lsCommand(verb),
    poolCommand(verb),
    removeCommand(verb),
    renameCommand(verb),
    resizeCommand(verb),
    snapCommand(verb),
    ...extra,
  ];
  for (const command of commands) program.addCommand(command);
  return program;
}
