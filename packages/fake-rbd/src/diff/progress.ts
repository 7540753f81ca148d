// Where rbd 16.2 reports progress while an "rbd diff v1" stream goes by, so fake-rbd
// prints the same "N% complete..." sequence. Pure: fed the stream's bytes, it calls
// `point(offset, total)` exactly where rbd calls ProgressContext::update_progress:
//
// - export-diff (tools/rbd/action/ExportDiff.cc): once per 'w' or 'z' record, with the
//   record's image offset, out of the image size (the 's' record).
// - import-diff from stdin (action/Import.cc, ImportDiffContext): the total is the 's'
//   record's size (nothing is reported before it); 'f', 't', 'p' and 's' report the last
//   offset again; each 'w' record is applied as runs of sparse-size blocks that are all
//   zero or all not (utils::calc_sparse_extent, counted from the record's offset) and
//   each run reports its image offset; a 'z' reports its offset.
// - import-diff from a file: the total is the file size and every record reports the
//   file position after it.
//
// The scanner only looks at record headers (and, for stdin imports, at whether blocks
// are zero); a malformed stream just stops the reporting: the import reports the error.
import {
  TAG_END,
  TAG_FROM_SNAP,
  TAG_IMAGE_SIZE,
  TAG_PROTECTION,
  TAG_TO_SNAP,
  TAG_WRITE,
  TAG_ZERO,
} from "./format.js";

export type ProgressPoint = (offset: number, total: number) => void;

export type DiffProgressMode =
  | { kind: "export" }
  | { kind: "import-stdin"; sparseSize: number }
  | { kind: "import-file"; fileSize: number };

const BANNER_LENGTH = 12; // "rbd diff v1\n"
const ZEROS = Buffer.alloc(64 * 1024);

type State =
  | { at: "banner"; left: number }
  | { at: "tag" }
  | { at: "header"; tag: number; need: number }
  | { at: "string"; tag: number; left: number }
  | { at: "payload"; left: number }
  | { at: "done" };

export class DiffProgressScanner {
  private readonly mode: DiffProgressMode;
  private readonly point: ProgressPoint;
  /** stdin imports: zero-run detection block size (0: a 'w' record is one run) */
  private readonly sparseSize: number;
  private state: State = { at: "banner", left: BANNER_LENGTH };
  private readonly header = Buffer.alloc(16);
  private filled = 0;
  /** stream bytes consumed so far */
  private position = 0;
  private total = 0;
  private lastOffset = 0;
  /** stdin imports: the current sparse block of a 'w' payload */
  private block = { imageOffset: 0, filled: 0, zero: true };
  private runZero: boolean | undefined;

  constructor(mode: DiffProgressMode, point: ProgressPoint) {
    this.mode = mode;
    this.point = point;
    this.sparseSize = mode.kind === "import-stdin" ? mode.sparseSize : 0;
    if (mode.kind === "import-file") this.total = mode.fileSize;
  }

  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.byteLength && this.state.at !== "done") {
      const state = this.state;
      if (state.at === "tag") {
        at += 1;
        this.position += 1;
        this.onTag(chunk[at - 1] as number);
        continue;
      }
      const want = state.at === "header" ? state.need - this.filled : state.left;
      const n = Math.min(want, chunk.byteLength - at);
      const piece = chunk.subarray(at, at + n);
      at += n;
      this.position += n;
      switch (state.at) {
        case "banner":
          state.left -= n;
          if (state.left === 0) this.state = { at: "tag" };
          break;
        case "header":
          this.header.set(piece, this.filled);
          this.filled += n;
          if (this.filled === state.need) this.onHeader(state.tag);
          break;
        case "string":
          state.left -= n;
          if (state.left === 0) this.recordDone(state.tag);
          break;
        case "payload":
          if (this.sparseSize > 0) this.scanBlocks(piece);
          state.left -= n;
          if (state.left === 0) {
            if (this.sparseSize > 0) this.closeBlock();
            this.recordDone(TAG_WRITE);
          }
          break;
      }
    }
  }

  private onTag(tag: number): void {
    switch (tag) {
      case TAG_FROM_SNAP:
      case TAG_TO_SNAP:
        this.expect(tag, 4);
        return;
      case TAG_PROTECTION:
        this.expect(tag, 1);
        return;
      case TAG_IMAGE_SIZE:
        this.expect(tag, 8);
        return;
      case TAG_WRITE:
      case TAG_ZERO:
        this.expect(tag, 16);
        return;
      case TAG_END:
        this.state = { at: "done" };
        return;
      default:
      // a tag rbd skips (v1 carries no length to skip): nothing to report
    }
  }

  private expect(tag: number, need: number): void {
    this.filled = 0;
    this.state = { at: "header", tag, need };
  }

  private onHeader(tag: number): void {
    const h = this.header;
    switch (tag) {
      case TAG_FROM_SNAP:
      case TAG_TO_SNAP: {
        const left = h.readUInt32LE(0);
        if (left === 0) this.recordDone(tag);
        else this.state = { at: "string", tag, left };
        return;
      }
      case TAG_IMAGE_SIZE:
        if (this.mode.kind !== "import-file") this.total = Number(h.readBigUInt64LE(0));
        this.recordDone(tag);
        return;
      case TAG_WRITE: {
        const offset = Number(h.readBigUInt64LE(0));
        const length = Number(h.readBigUInt64LE(8));
        if (this.mode.kind === "export") this.report(offset);
        else if (this.mode.kind === "import-stdin" && this.sparseSize === 0 && length > 0)
          this.report(offset);
        if (length === 0) {
          this.recordDone(tag);
          return;
        }
        this.runZero = undefined;
        this.block = { imageOffset: offset, filled: 0, zero: true };
        this.state = { at: "payload", left: length };
        return;
      }
      case TAG_ZERO:
        if (this.mode.kind !== "import-file") this.report(Number(h.readBigUInt64LE(0)));
        this.recordDone(tag);
        return;
      default:
        this.recordDone(tag);
    }
  }

  /** The end of a record: what rbd reports then, per mode. */
  private recordDone(tag: number): void {
    this.state = { at: "tag" };
    if (this.mode.kind === "import-file") this.report(this.position);
    else if (this.mode.kind === "import-stdin" && tag !== TAG_WRITE && tag !== TAG_ZERO) {
      this.report(this.lastOffset);
    }
  }

  private report(offset: number): void {
    if (this.total <= 0) return;
    this.lastOffset = offset;
    this.point(offset, this.total);
  }

  private scanBlocks(bytes: Uint8Array): void {
    let at = 0;
    while (at < bytes.byteLength) {
      const n = Math.min(this.sparseSize - this.block.filled, bytes.byteLength - at);
      if (this.block.zero && !isZero(bytes.subarray(at, at + n))) this.block.zero = false;
      this.block.filled += n;
      at += n;
      if (this.block.filled === this.sparseSize) {
        const next = this.block.imageOffset + this.sparseSize;
        this.closeBlock();
        this.block = { imageOffset: next, filled: 0, zero: true };
      }
    }
  }

  /** A finished (or final partial) block: a change of zeroness starts a run, which reports. */
  private closeBlock(): void {
    if (this.block.filled === 0) return;
    if (this.runZero === undefined || this.block.zero !== this.runZero) this.report(this.block.imageOffset);
    this.runZero = this.block.zero;
  }
}

function isZero(view: Uint8Array): boolean {
  const buffer = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  for (let at = 0; at < buffer.byteLength; at += ZEROS.byteLength) {
    const end = Math.min(buffer.byteLength, at + ZEROS.byteLength);
    if (buffer.compare(ZEROS, 0, end - at, at, end) !== 0) return false;
  }
  return true;
}

/**
 * rbd export (format 1) and import (format 1, from a file): one report per period of the
 * image (stripe count x object size), at the period's start, out of the total size.
 */
export function periodPoints(total: number, period: number): number[] {
  const out: number[] = [];
  for (let offset = 0; offset < total; offset += period) out.push(offset);
  return out;
}
