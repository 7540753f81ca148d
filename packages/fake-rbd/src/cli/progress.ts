import type { Writable } from "node:stream";

// rbd's ProgressContext: "\r<operation>: N% complete..." whenever the whole percentage
// grows past the last one printed (so never 0%, and never backwards), then "...done." or "...failed." and a newline, all on stderr. --no-progress
// silences it entirely; failures still print their own error line.

export class Progress {
  #lastPercent = 0;
  #closed = false;
  constructor(
    private readonly stderr: Writable,
    private readonly operation: string,
    readonly enabled: boolean,
  ) {}

  update(done: number, total: number): void {
    if (!this.enabled || this.#closed || total <= 0) return;
    const percent = Math.min(100, Math.floor((done * 100) / total));
    if (percent <= this.#lastPercent) return;
    this.#lastPercent = percent;
    this.stderr.write(`\r${this.operation}: ${percent}% complete...`);
  }

  finish(): void {
    if (!this.enabled || this.#closed) return;
    this.#closed = true;
    this.stderr.write(`\r${this.operation}: 100% complete...done.\n`);
  }

  fail(): void {
    if (!this.enabled || this.#closed) return;
    this.#closed = true;
    this.stderr.write(`\r${this.operation}: ${this.#lastPercent}% complete...failed.\n`);
  }

  /** Runs `work`, reporting done or failed around it. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    try {
      const result = await work();
      this.finish();
      return result;
    } catch (error) {
      this.fail();
      throw error;
    }
  }
}
