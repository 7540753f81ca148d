import { Command } from "commander";
import { planCommand } from "./commands/plan.js";
import { resumeCommand } from "./commands/resume.js";
import { runCommand } from "./commands/run.js";
import {
  backupCommand,
  exportCommand,
  importCommand,
  restoreCommand,
  verifyCommand,
} from "./commands/single.js";
import { statusCommand } from "./commands/status.js";

export function buildProgram(): Command {
  const program = new Command("cinder-migrate")
    .description(
      "Move Cinder volumes between OpenStack clouds through the Ceph backup driver, and prove every byte arrived.",
    )
    .option("--debug", "print stack traces")
    .showHelpAfterError()
    .exitOverride();
  for (const cmd of [
    planCommand(),
    runCommand(),
    resumeCommand(),
    statusCommand(),
    backupCommand(),
    exportCommand(),
    importCommand(),
    restoreCommand(),
    verifyCommand(),
  ]) {
    program.addCommand(cmd.exitOverride());
  }
  return program;
}
