#!/usr/bin/env node
// The `fake-rbd` executable: the only place that touches process exit status.
import { RemoteRbd } from "../remote.js";
import { serveCommand } from "./commands/serve.js";
import { runRbdCli } from "./run.js";

const remotes: RemoteRbd[] = [];
const status = await runRbdCli(
  process.argv.slice(2),
  {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    connect: (url) => {
      const remote = new RemoteRbd({ url });
      remotes.push(remote);
      return remote;
    },
  },
  (verb) => [serveCommand(verb)],
);
await Promise.all(remotes.map((r) => r.close()));
process.exitCode = status;
