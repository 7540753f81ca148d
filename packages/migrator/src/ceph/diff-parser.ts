// A chunk-fed parser for the `rbd diff v1` stream that `rbd export-diff` writes (spec §4.8).
// It keeps only leftover header bytes; extent data is passed through as it arrives, so a
// 1 TiB image never sits in memory. Pure: no streams, no I/O.
import { MigratorError } from "../errors.js";

const BANNER_V1 = "rbd diff v1\n";
const TAG = { from: 0x66, to: 0x74, size: 0x73, write: 0x77, zero: 0x7a, end: 0x65 } as const;
const EXTENT_HEADER = 16; // le64 offset + le64 length

export type DiffEvent =
  | { type: "from" | "to"; name: string }
  | { type: "size"; size: number }
  | { type: "data"; offset: number; bytes: Uint8Array }
  | { type: "zero"; offset: number; length: number }
  | { type: "end" };

export class DiffStreamError extends MigratorError {
  constructor(message: string) {
    super("RBD", `export-diff stream: ${message}`, { exitCode: 3 });
  }
}

export class DiffParser {
  private pending: Buffer = Buffer.alloc(0);
  private state: "banner" | "record" | "data" | "done" = "banner";
  private dataLeft = 0;
  private dataOffset = 0;

  push(chunk: Uint8Array, emit: (event: DiffEvent) => void): void {
    if (this.state === "done") {
      if (chunk.length > 0) throw new DiffStreamError("bytes after the end record");
      return;
    }
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk);
    for (;;) {
      if (this.state === "data") {
        if (this.pending.length === 0) return;
        const n = Math.min(this.dataLeft, this.pending.length);
        emit({ type: "data", offset: this.dataOffset, bytes: this.pending.subarray(0, n) });
        this.pending = this.pending.subarray(n);
        this.dataOffset += n;
        this.dataLeft -= n;
        if (this.dataLeft === 0) this.state = "record";
        continue;
      }
      if (this.state === "banner") {
        if (this.pending.length < BANNER_V1.length) return;
        const banner = this.pending.subarray(0, BANNER_V1.length).toString("latin1");
        if (banner !== BANNER_V1) throw new DiffStreamError(`unexpected banner ${JSON.stringify(banner)}`);
        this.pending = this.pending.subarray(BANNER_V1.length);
        this.state = "record";
        continue;
      }
      if (!this.record(emit)) return;
      if ((this.state as string) === "done") {
        if (this.pending.length > 0) throw new DiffStreamError("bytes after the end record");
        return;
      }
    }
  }

  /** Consumes one record header if it is complete; false when more bytes are needed. */
  private record(emit: (event: DiffEvent) => void): boolean {
    const p = this.pending;
    if (p.length < 1) return false;
    const tag = p[0];
    switch (tag) {
      case TAG.from:
      case TAG.to: {
        if (p.length < 5) return false;
        const len = p.readUInt32LE(1);
        if (p.length < 5 + len) return false;
        emit({ type: tag === TAG.from ? "from" : "to", name: p.subarray(5, 5 + len).toString("utf8") });
        this.pending = p.subarray(5 + len);
        return true;
      }
      case TAG.size: {
        if (p.length < 9) return false;
        emit({ type: "size", size: Number(p.readBigUInt64LE(1)) });
        this.pending = p.subarray(9);
        return true;
      }
      case TAG.write:
      case TAG.zero: {
        if (p.length < 1 + EXTENT_HEADER) return false;
        const offset = Number(p.readBigUInt64LE(1));
        const length = Number(p.readBigUInt64LE(9));
        this.pending = p.subarray(1 + EXTENT_HEADER);
        if (tag === TAG.zero) {
          emit({ type: "zero", offset, length });
        } else if (length > 0) {
          this.state = "data";
          this.dataLeft = length;
          this.dataOffset = offset;
        }
        return true;
      }
      case TAG.end:
        emit({ type: "end" });
        this.pending = p.subarray(1);
        this.state = "done";
        return true;
      default:
        throw new DiffStreamError(`unknown record tag 0x${(tag ?? 0).toString(16)}`);
    }
  }

  /** Call at end of input: a stream must close with 'e'. */
  finish(): void {
    if (this.state !== "done") throw new DiffStreamError(`truncated (ended in ${this.state} state)`);
  }
}
