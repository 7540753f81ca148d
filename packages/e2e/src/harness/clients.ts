// Running the real OpenStack CLIs (Debian's python3-cinderclient and
// python3-openstackclient) as subprocesses, and reading what they print.
// They only load under /usr/bin/python3, so they are run by absolute path with a
// PATH that puts /usr/bin first, and with a private HOME so that no clouds.yaml,
// token cache or user config on the machine changes what they do.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const CINDER_BIN = "/usr/bin/cinder";
export const OPENSTACK_BIN = "/usr/bin/openstack";
export const PYTHON_BIN = "/usr/bin/python3";

export interface CliResult {
  command: string;
  args: string[];
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

let privateHome: string | undefined;
function home(): string {
  if (privateHome === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "cinderlab-e2e-home-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    privateHome = dir;
  }
  return privateHome;
}

/** The whole environment a CLI gets: a clean base plus the openrc variables. */
export function cliEnv(openrc: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: "/usr/bin:/bin",
    HOME: home(),
    LANG: "C.UTF-8",
    LC_ALL: "C.UTF-8",
    // cliff and prettytable size tables to the terminal; pin it so output is stable
    COLUMNS: "250",
    // cinderclient imports eventlet, whose greendns import costs ~1 s of CPU per call;
    // the CLIs never resolve names through it (every URL is 127.0.0.1), so skip it
    EVENTLET_NO_GREENDNS: "yes",
    ...openrc,
  };
}

export async function runCli(
  command: string,
  args: string[],
  openrc: Record<string, string>,
  options: { timeoutMs?: number; stdin?: string } = {},
): Promise<CliResult> {
  const started = Date.now();
  return await new Promise<CliResult>((resolve, reject) => {
    const child = spawn(command, args, {
      env: cliEnv(openrc),
      stdio: ["pipe", "pipe", "pipe"],
      timeout: options.timeoutMs ?? 60_000,
      killSignal: "SIGKILL",
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.stdin.end(options.stdin ?? "");
    child.once("error", reject);
    child.once("close", (code, signal) => {
      if (process.env.CINDERLAB_E2E_TRACE) {
        process.stderr.write(`[e2e] ${command} ${args.join(" ")} → ${code} in ${Date.now() - started} ms\n`);
      }
      resolve({
        command,
        args,
        code: code ?? (signal ? 128 : 1),
        stdout,
        stderr,
        ms: Date.now() - started,
      });
    });
  });
}

/** A one-line account of a CLI run, for assertion messages. */
export function describeRun(r: CliResult): string {
  return `${r.command} ${r.args.join(" ")} → exit ${r.code} in ${r.ms} ms\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
}

export class CliFailed extends Error {
  constructor(readonly result: CliResult) {
    super(`CLI failed: ${describeRun(result)}`);
    this.name = "CliFailed";
  }
}

/** Runs and insists on exit 0. */
export async function runOk(
  command: string,
  args: string[],
  openrc: Record<string, string>,
): Promise<CliResult> {
  const r = await runCli(command, args, openrc);
  if (r.code !== 0) throw new CliFailed(r);
  return r;
}
