import { type Command, CommanderError } from "commander";
import { isRbdError } from "../model/errors.js";
import { CliContext, type RunOptions, type Verb } from "./context.js";
import { CliFailure, cppStrerror, EXIT_USAGE, errnoOf } from "./errors.js";
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
  try {
    await program.parseAsync([...argv], { from: "user" });
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
    write(error.rbdMessage.split("\n"));
    return error.exitStatus || error.errno;
  }
  const errno = errnoOf(error);
  const message = error instanceof Error ? error.message : String(error);
  write([`rbd: ${message}`]);
  if (debug && error instanceof Error && error.stack) write([error.stack]);
  return errno === 5 && !(error instanceof Error && "errno" in error) ? EXIT_USAGE : errno;
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

// Used by `bin.ts` to describe a transport failure the way rbd reports a lost cluster.
export function connectionFailure(url: string, error: unknown): CliFailure {
  const reason = error instanceof Error ? error.message : String(error);
  return new CliFailure(`rbd: couldn't connect to the cluster! fake-rbd server ${url}: ${reason}`, 110, {
    cause: error,
  });
}

export { cppStrerror };
