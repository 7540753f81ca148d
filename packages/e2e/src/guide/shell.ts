// One bash session, as an operator's terminal: shell variables and `source`d openrc files
// carry from one command to the next. Each command's stdout and stderr come back together,
// as the terminal shows them, with its exit status.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";

export interface ShellResult {
  output: string;
  status: number;
}

const MARK = "__cinderlab_guide_done__";

export class GuideShell {
  readonly #bash: ChildProcessWithoutNullStreams;
  #buffer = "";
  #waiter: (() => void) | undefined;
  #exited: Error | undefined;

  constructor(cwd: string, env: Record<string, string>) {
    this.#bash = spawn("/bin/bash", ["--noprofile", "--norc"], { cwd, env, stdio: "pipe" });
    this.#bash.stdout.on("data", (d: Buffer) => this.#take(d));
    this.#bash.stderr.on("data", (d: Buffer) => this.#take(d));
    this.#bash.on("exit", (code) => {
      this.#exited = new Error(
        `the guide's bash session ended (exit ${code}); output so far:\n${this.#buffer}`,
      );
      this.#waiter?.();
    });
    this.#bash.stdin.write("exec 2>&1\n");
  }

  #take(d: Buffer): void {
    this.#buffer += d.toString("utf8");
    this.#waiter?.();
  }

  async run(command: string, timeoutMs = 60_000): Promise<ShellResult> {
    if (this.#exited) throw this.#exited;
    this.#buffer = "";
    this.#bash.stdin.write(`${command}\nprintf '\\n${MARK}%s\\n' "$?"\n`);
    const done = new RegExp(`\\n?${MARK}(\\d+)\\n$`);
    const started = Date.now();
    for (;;) {
      const m = done.exec(this.#buffer);
      if (m) return { output: this.#buffer.slice(0, m.index), status: Number(m[1]) };
      if (this.#exited) throw this.#exited;
      if (Date.now() - started > timeoutMs)
        throw new Error(`\`${command}\` did not finish in ${timeoutMs} ms; output so far:\n${this.#buffer}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiter = undefined;
    }
  }

  async close(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise((r) => this.#bash.once("exit", r));
    this.#bash.stdin.end("exit\n");
    await exited;
  }
}
