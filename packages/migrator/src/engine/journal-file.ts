// One JSON-lines file per run. Each record is written with one write() and fsync'd before
// the step it describes acts (or is reported done), so after a crash or power loss the
// file says at least as much as happened. A torn last line is the only damage tolerated.
import {
  closeSync,
  existsSync,
  fdatasync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  truncateSync,
  write,
} from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { JournalCorrupt, NotFound } from "../errors.js";
import { type Journal, JournalLineError, type JournalRecord, parseJournal } from "./journal.js";

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CINDER_MIGRATE_STATE_DIR) return env.CINDER_MIGRATE_STATE_DIR;
  const base = env.XDG_STATE_HOME ?? join(env.HOME ?? homedir(), ".local", "state");
  return join(base, "cinder-migrate");
}

export function journalPath(stateDir: string, runId: string): string {
  return join(stateDir, `${runId}.jsonl`);
}

/**
 * Group commit: records appended while a write is in flight go out together with one
 * write and one fdatasync, so many parallel volumes do not queue behind one disk flush
 * each, and the event loop never blocks on the disk.
 */
export class FileJournal implements Journal {
  private pending: { line: string; done: () => void; fail: (error: unknown) => void }[] = [];
  private flushing = false;

  private constructor(
    readonly path: string,
    private readonly fd: number,
  ) {}

  static create(stateDir: string, runId: string): FileJournal {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const path = journalPath(stateDir, runId);
    const fd = openSync(path, "wx", 0o600);
    syncDir(dirname(path));
    return new FileJournal(path, fd);
  }

  static reopen(path: string): FileJournal {
    return new FileJournal(path, openSync(path, "a"));
  }

  append(record: JournalRecord): Promise<void> {
    return new Promise((done, fail) => {
      this.pending.push({ line: `${JSON.stringify(record)}\n`, done, fail });
      if (!this.flushing) {
        this.flushing = true;
        void this.flush();
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      try {
        const bytes = Buffer.from(batch.map((b) => b.line).join(""));
        let written = 0;
        while (written < bytes.length) {
          written += await new Promise<number>((resolve, reject) =>
            write(this.fd, bytes, written, bytes.length - written, null, (error, n) =>
              error ? reject(error) : resolve(n),
            ),
          );
        }
        await new Promise<void>((resolve, reject) =>
          fdatasync(this.fd, (error) => (error ? reject(error) : resolve())),
        );
        for (const b of batch) b.done();
      } catch (error) {
        for (const b of batch) b.fail(error);
      }
    }
    // reset in the same synchronous stretch as the emptiness check, so no append is stranded
    this.flushing = false;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Finds a run's journal by id (or takes a path), reads and validates it. */
export function readJournal(stateDir: string, runOrPath: string): { path: string; records: JournalRecord[] } {
  const path = runOrPath.endsWith(".jsonl") ? runOrPath : journalPath(stateDir, runOrPath);
  if (!existsSync(path)) {
    const known = existsSync(stateDir) ? readdirSync(stateDir).filter((f) => f.endsWith(".jsonl")) : [];
    throw new NotFound(
      `no run "${runOrPath}" in ${stateDir}${
        known.length
          ? ` (runs: ${known
              .map((f) => f.slice(0, -6))
              .slice(-5)
              .join(", ")})`
          : ""
      }`,
    );
  }
  try {
    const text = readFileSync(path, "utf8");
    const { records, tornTail } = parseJournal(text, path);
    if (tornTail) truncateSync(path, Buffer.byteLength(text.slice(0, text.lastIndexOf("\n") + 1)));
    if (records[0]?.t !== "run") throw new JournalLineError(path, 1, "no run record: the run never started");
    return { path, records };
  } catch (error) {
    if (error instanceof JournalLineError) throw new JournalCorrupt(error.file, error.line, error.why);
    throw error;
  }
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // some filesystems refuse fsync on directories; the file itself is synced on every write
  }
}
