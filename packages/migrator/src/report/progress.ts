// What the operator sees while a run goes: a progress bar per volume on a TTY, one
// JSON line per event with --output json, plain lines otherwise.
import { MultiBar, Presets, type SingleBar } from "cli-progress";
import type { EngineEvent } from "../engine/runner.js";

export interface ProgressSink {
  event(e: EngineEvent): void;
  stop(): void;
}

export function progressFor(
  output: "human" | "json",
  names: Map<string, string>,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressSink {
  if (output === "json") return new JsonLines();
  if (stream.isTTY) return new Bars(names, stream);
  return new PlainLines(names, stream);
}

class JsonLines implements ProgressSink {
  event(e: EngineEvent): void {
    process.stdout.write(
      `${JSON.stringify({ ...e, event: e.type, type: undefined, at: new Date().toISOString() })}\n`,
    );
  }
  stop(): void {}
}

class PlainLines implements ProgressSink {
  constructor(
    private readonly names: Map<string, string>,
    private readonly stream: NodeJS.WritableStream,
  ) {}
  event(e: EngineEvent): void {
    const who = this.names.get(e.volume) ?? e.volume;
    const time = new Date().toISOString().slice(11, 19);
    let line: string | undefined;
    if (e.type === "step" && e.phase !== "start") {
      line = `${e.step} ${e.phase}${e.durationMs !== undefined ? ` (${(e.durationMs / 1000).toFixed(1)} s)` : ""}${e.note ? `: ${e.note}` : ""}`;
    } else if (e.type === "retry") {
      line = `${e.step} retry ${e.attempt} in ${(e.delayMs / 1000).toFixed(1)} s: ${e.error}`;
    } else if (e.type === "outcome") {
      line = `${e.outcome.toUpperCase()}${e.reason ? `: ${e.reason}` : ""}`;
    }
    if (line) this.stream.write(`${time} ${who}: ${line}\n`);
  }
  stop(): void {}
}

class Bars implements ProgressSink {
  private readonly multi: MultiBar;
  private readonly bars = new Map<string, SingleBar>();
  constructor(
    private readonly names: Map<string, string>,
    stream: NodeJS.WriteStream,
  ) {
    this.multi = new MultiBar(
      {
        format: " {name} [{bar}] {value}/{total} {step} {status}",
        hideCursor: true,
        clearOnComplete: false,
        stream,
      },
      Presets.shades_classic,
    );
  }
  private bar(volume: string, total: number): SingleBar {
    let bar = this.bars.get(volume);
    if (!bar) {
      const name = (this.names.get(volume) ?? volume).slice(0, 24).padEnd(24);
      bar = this.multi.create(total, 0, { name, step: "", status: "" });
      this.bars.set(volume, bar);
    }
    return bar;
  }
  event(e: EngineEvent): void {
    if (e.type === "step") {
      const bar = this.bar(e.volume, e.total);
      const value = e.phase === "start" ? e.index : e.index + 1;
      bar.update(value, { step: e.step, status: e.phase === "start" ? "" : e.phase });
    } else if (e.type === "poll") {
      this.bars.get(e.volume)?.update({ status: e.status });
    } else if (e.type === "retry") {
      this.bars.get(e.volume)?.update({ status: `retry ${e.attempt}` });
    } else if (e.type === "outcome") {
      this.bars.get(e.volume)?.update({ step: e.outcome.toUpperCase(), status: e.reason ?? "" });
    }
  }
  stop(): void {
    this.multi.stop();
  }
}
