import { type Command, CommanderError } from "commander";
import { isRbdError } from "../model/errors.js";
import { findVerb } from "./argv.js";
import { CliContext, type RunOptions, type Verb } from "./context.js";
import { CliFailure, EXIT_USAGE, errnoOf } from "./errors.js";
import { buildProgram } from "./program.js";

export type { RunOptions } from "./context.js";

/**
 * Runs one `fake-rbd` command line and resolves to the exit status rbd would return. Nothing
 * here exits the process: `bin.ts` does, and tests and other packages call this directly
 * with an in-process `LocalRbd` as `backend`.
 */
export async function runRbdCli(
  argv: readonly string[],
  options: RunOptions,
  extraCommands: (verb: Verb) => Command[] = () => [],
): Promise<number> {
  const io = { ...options, env: options.env ?? process.env };
  const verb: Verb = (cmd, run) =>
    cmd.action(async () => {
      await run(new CliContext(io, options, cmd));
    });
  const program = buildProgram(verb, extraCommands(verb));
  configure(program, io.stdout, io.stderr);
  if (argv.length === 0) {
    io.stdout.write(program.helpInformation());
    return EXIT_USAGE;
  }
  const lookup = findVerb(program, argv);
  if (lookup.kind === "unknown") {
    // rbd calls an unknown verb an unknown option, naming every positional word, and
    // prints its usage on stdout (rbd's lists its ~150 verbs; the fake's lists its own)
    io.stderr.write(`error: unknown option '${lookup.words.join(" ")}'\n\n`);
    io.stdout.write(program.helpInformation());
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync(lookup.kind === "verb" ? lookup.argv : [...argv], { from: "user" });
    return 0;
  } catch (error) {
    return report(error, program, io, argv.includes("--debug"));
  }
}

function configure(command: Command, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): void {
  command
    .exitOverride()
    .allowExcessArguments(false)
    .configureOutput({
      writeOut: (text) => stdout.write(text),
      writeErr: (text) => stderr.write(text),
      // rbd's own wording is printed by `report`; commander's would be a second line.
      outputError: () => {},
    });
  for (const sub of command.commands) configure(sub, stdout, stderr);
}

/** The one error funnel: every failure becomes rbd's stderr text and exit status. */
function report(error: unknown, program: Command, io: RunOptions, debug: boolean): number {
  const write = (lines: readonly string[]) => {
    for (const line of lines) io.stderr.write(`${line}\n`);
  };
  if (error instanceof CliFailure) {
    write(error.lines);
    if (debug && error.cause instanceof Error && error.cause.stack) write([error.cause.stack]);
    return error.exitCode;
  }
  if (error instanceof CommanderError) return reportCommander(error, program, io, write);
  if (isRbdError(error)) {
    // the model's own rendering of what rbd prints (some outcomes rbd reports and exits 0)
    if (error.exitStatus === 0 && error.printsTo === "stdout") io.stdout.write(`${error.rbdMessage}\n`);
    else write(error.rbdMessage.split("\n"));
    if (debug && error.stack) write([error.stack]);
    return error.exitStatus;
  }
  // Not a refusal rbd would make: an I/O error (with an errno) or a fault in fake-rbd itself.
  const message = error instanceof Error ? error.message : String(error);
  const hasErrno = typeof error === "object" && error !== null && ("errno" in error || "code" in error);
  write([`rbd: ${message}${debug || hasErrno ? "" : " (fake-rbd internal error; --debug shows where)"}`]);
  if (debug && error instanceof Error && error.stack) write([error.stack]);
  return hasErrno ? errnoOf(error) : EXIT_USAGE;
}

function reportCommander(
  error: CommanderError,
  program: Command,
  io: RunOptions,
  write: (lines: readonly string[]) => void,
): number {
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? "";
  switch (error.code) {
    case "commander.helpDisplayed":
    case "commander.help":
    case "commander.version":
      return 0;
    case "commander.unknownCommand":
      // rbd calls an unknown verb an unknown option and prints its usage on stdout.
      io.stderr.write(`error: unknown option '${quoted}'\n\n`);
      io.stdout.write(program.helpInformation());
      return EXIT_USAGE;
    case "commander.unknownOption":
      write([`rbd: unrecognised option '${quoted}'`]);
      return EXIT_USAGE;
    case "commander.excessArguments":
      write(["rbd: too many arguments"]);
      return EXIT_USAGE;
    case "commander.invalidArgument":
      write([`rbd: the argument for option '${quoted.split(/[ ,]/)[0]}' is invalid`]);
      return EXIT_USAGE;
    case "commander.optionMissingArgument":
      write([`rbd: the required argument for option '${quoted.split(/[ ,]/)[0]}' is missing`]);
      return EXIT_USAGE;
    default:
      write([`rbd: ${error.message.replace(/^error: /, "")}`]);
      return error.exitCode || EXIT_USAGE;
  }
}
