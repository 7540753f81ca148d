// A child process the suite started and must stop: its output goes to a log file
// (kept for post-mortem) and a bounded in-memory tail (shown in failure messages),
// and `stop()` ends exactly that process group, by its PID, never by name.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";

export interface StartProcessOptions {
  /** for messages and the log file name */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** where stdout and stderr are appended */
  logFile: string;
}

const TAIL_BYTES = 16 * 1024;

export class ManagedProcess {
  readonly pid: number;
  private readonly log: WriteStream;
  private tailText = "";
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exited: Promise<void>;
  private lineListeners: Array<(line: string) => void> = [];
  private partial = "";

  private constructor(
    readonly options: StartProcessOptions,
    child: ChildProcess,
  ) {
    if (child.pid === undefined) throw new Error(`${options.name}: spawn gave no pid`);
    this.pid = child.pid;
    mkdirSync(dirname(options.logFile), { recursive: true });
    this.log = createWriteStream(options.logFile, { flags: "a" });
    const onData = (chunk: Buffer) => {
      this.log.write(chunk);
      const text = chunk.toString("utf8");
      this.tailText = (this.tailText + text).slice(-TAIL_BYTES);
      const lines = (this.partial + text).split("\n");
      this.partial = lines.pop() ?? "";
      for (const line of lines) for (const listener of this.lineListeners) listener(line);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exitInfo = { code, signal };
        resolve();
      });
    });
  }

  static start(options: StartProcessOptions): ManagedProcess {
    // detached: the child leads its own process group, so stop() can end anything it
    // spawned too, by group id, without touching other processes.
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    return new ManagedProcess(options, child);
  }

  /** the last lines it printed, for failure messages */
  tail(): string {
    return this.tailText;
  }

  onLine(listener: (line: string) => void): void {
    this.lineListeners.push(listener);
  }

  /** set once it has exited */
  exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.exitInfo;
  }

  /** an error describing an unexpected exit, for use as a poll abort */
  deathError(): Error | undefined {
    if (this.exitInfo === undefined) return undefined;
    return new Error(
      `${this.options.name} (pid ${this.pid}) exited early (code ${this.exitInfo.code}, signal ${this.exitInfo.signal}); log ${this.options.logFile}:\n${this.tailText}`,
    );
  }

  /** SIGTERM the process group, SIGKILL it if still there after `graceMs`. Idempotent. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.exitInfo === undefined) {
      signalGroup(this.pid, "SIGTERM");
      const timer = setTimeout(() => signalGroup(this.pid, "SIGKILL"), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    // a grandchild may outlive the leader; the group id is still ours to end
    signalGroup(this.pid, "SIGKILL");
    await new Promise<void>((resolve) => this.log.end(resolve));
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}
