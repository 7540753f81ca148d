#!/usr/bin/env node
// The `fake-cinder` executable: wires the CLI to the process (stdout, stderr, signals, exit code).
import { main } from "./cli.js";

const stop = new Promise<void>((resolve) => {
  process.once("SIGINT", () => resolve());
  process.once("SIGTERM", () => resolve());
});

process.exitCode = await main(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  waitForStop: () => stop,
});
