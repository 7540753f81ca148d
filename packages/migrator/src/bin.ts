#!/usr/bin/env node
// The only place that decides the exit code. Every error goes through one funnel: one
// clear line on stderr (and a suggestion when there is one), the stack only with --debug.
import { CommanderError } from "commander";
import { ZodError } from "zod";
import { buildProgram } from "./cli.js";
import { EXIT, MigratorError } from "./errors.js";

const debug = process.argv.includes("--debug");

try {
  await buildProgram().parseAsync(process.argv);
  process.exitCode = EXIT.ok;
} catch (error) {
  process.exitCode = handleError(error);
}

function handleError(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander already printed its message (or the help)
    return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
  }
  if (error instanceof MigratorError) {
    process.stderr.write(`cinder-migrate: ${error.message}\n`);
    if (error.suggestion) process.stderr.write(`  hint: ${error.suggestion}\n`);
    if (debug) process.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    process.stderr.write(
      `cinder-migrate: invalid option ${issue?.path.join(".") ?? ""}: ${issue?.message ?? ""}\n`,
    );
    return EXIT.badInput;
  }
  const e = error instanceof Error ? error : new Error(String(error));
  process.stderr.write(`cinder-migrate: internal error: ${e.message}\n`);
  if (debug) process.stderr.write(`${e.stack}\n`);
  else process.stderr.write("  hint: run again with --debug for the stack trace\n");
  return 70;
}
