// A chunk-fed `rbd diff` v1/v2 parser. `push` consumes whatever bytes it is given and
// keeps only the leftover of an incomplete fixed-size field; write payloads are passed
// on as views of the input chunks, so memory does not grow with record size.
import {
  BANNER_LENGTH,
  BANNER_V1,
  BANNER_V2,
  type DiffRecord,
  type DiffVersion,
  EXTENT_HEADER,
  LE32,
  LE64,
  MAX_SNAP_NAME,
  PROTECTION_DECLARED_LENGTH,
  TAG_END,
  TAG_FROM_SNAP,
  TAG_IMAGE_SIZE,
  TAG_PROTECTION,
  TAG_TO_SNAP,
  TAG_WRITE,
  TAG_ZERO,
} from "./format.js";
import { getLe64, streamError } from "./records.js";

export interface DiffParserOptions {
  /**
   * What to do with a tag v1 does not define. Real rbd 16.2 prints "unrecognized tag
   * byte N in stream; skipping" and reads on from the next byte ("skip", the default,
   * pinned by the recorded real streams); "error" refuses the stream instead.
   */
  unknownV1Tags?: "error" | "skip";
  /** Receives the lines real rbd prints to stderr while reading on (skipped tags). */
  onWarning?: (line: string) => void;
}

type State =
  | { kind: "banner" }
  | { kind: "tag" }
  | { kind: "length"; tag: number }
  | { kind: "fixed"; tag: number; need: number; declared: number | undefined }
  | { kind: "string"; tag: number; need: number }
  | { kind: "data"; offset: number; left: number }
  | { kind: "skip"; tag: number; left: number; total: number }
  | { kind: "done" };

const EMPTY = new Uint8Array(0);
const decoder = new TextDecoder();

/** What each tag's payload is called in import-diff's "failed to decode ..." lines. */
const FIELD: Record<number, string> = {
  [TAG_FROM_SNAP]: "start snap name",
  [TAG_TO_SNAP]: "end snap name",
  [TAG_IMAGE_SIZE]: "image size",
  [TAG_PROTECTION]: "snap protection status",
  [TAG_WRITE]: "IO length",
  [TAG_ZERO]: "IO length",
};

export class DiffParser {
  private state: State = { kind: "banner" };
  private leftover: Uint8Array = EMPTY;
  private chunk: Uint8Array = EMPTY;
  private pos = 0;
  private consumed = 0;
  private diffVersion: DiffVersion | undefined;
  private readonly unknownV1Tags: "error" | "skip";
  private readonly onWarning: ((line: string) => void) | undefined;
  /** bytes seen after 'e' (rbd never reads them) */
  trailingBytes = 0;

  constructor(options: DiffParserOptions = {}) {
    this.unknownV1Tags = options.unknownV1Tags ?? "skip";
    this.onWarning = options.onWarning;
  }

  get version(): DiffVersion | undefined {
    return this.diffVersion;
  }

  get done(): boolean {
    return this.state.kind === "done";
  }

  /** Stream offset of the next unparsed byte. */
  get position(): number {
    return this.consumed + this.pos - this.leftover.byteLength;
  }

  /**
   * Parses what it can of `chunk`. Returns how many of its bytes belong to this stream:
   * all of them, or fewer when the 'e' record ends it inside the chunk (the rest is
   * counted in trailingBytes, and is the next stream's when streams are concatenated,
   * as in `rbd export --export-format 2`).
   */
  push(chunk: Uint8Array, onRecord: (record: DiffRecord) => void): number {
    if (this.state.kind === "done") {
      this.trailingBytes += chunk.byteLength;
      return 0;
    }
    this.chunk = chunk;
    this.pos = 0;
    try {
      this.run(onRecord);
      return this.pos;
    } finally {
      this.consumed += this.pos;
      if ((this.state as State).kind === "done") this.trailingBytes += chunk.byteLength - this.pos;
      this.chunk = EMPTY;
      this.pos = 0;
    }
  }

  /** At end of input: anything but a finished stream is a truncated one. */
  end(): void {
    if (this.state.kind === "done") return;
    const at = this.position + this.leftover.byteLength;
    throw streamError(
      "EBADMSG",
      "truncated-stream",
      `diff stream ended after ${at} bytes, inside ${this.describe()}`,
      `rbd: failed to decode ${this.field()}`,
      at,
    );
  }

  private run(onRecord: (record: DiffRecord) => void): void {
    for (;;) {
      const s = this.state;
      switch (s.kind) {
        case "done":
          return;
        case "banner": {
          const bytes = this.take(BANNER_LENGTH);
          if (!bytes) return;
          const banner = decoder.decode(bytes);
          if (banner === BANNER_V1) this.diffVersion = 1;
          else if (banner === BANNER_V2) this.diffVersion = 2;
          else {
            throw streamError(
              "EINVAL",
              "bad-banner",
              `not an rbd diff stream: banner ${JSON.stringify(banner)}, expected ${JSON.stringify(BANNER_V1)}`,
              "rbd: invalid or unexpected diff banner",
              0,
            );
          }
          this.state = { kind: "tag" };
          break;
        }
        case "tag": {
          const bytes = this.take(1);
          if (!bytes) return;
          const tag = bytes[0] as number;
          if (tag === TAG_END) {
            this.state = { kind: "done" };
            onRecord({ type: "end" });
          } else if (this.diffVersion === 2) this.state = { kind: "length", tag };
          else this.startPayload(tag, undefined, onRecord);
          break;
        }
        case "length": {
          const bytes = this.take(LE64);
          if (!bytes) return;
          const declared = getLe64(bytes, 0);
          if (declared === undefined) throw this.invalid("bad-record-length", "a record length past 2^53");
          this.startPayload(s.tag, declared, onRecord);
          break;
        }
        case "fixed": {
          const bytes = this.take(s.need);
          if (!bytes) return;
          this.finishFixed(s.tag, s.declared, bytes, onRecord);
          break;
        }
        case "string": {
          const bytes = this.take(s.need);
          if (!bytes) return;
          const name = decoder.decode(bytes);
          this.state = { kind: "tag" };
          onRecord(s.tag === TAG_FROM_SNAP ? { type: "from-snap", name } : { type: "to-snap", name });
          break;
        }
        case "data": {
          const available = this.chunk.byteLength - this.pos;
          if (available === 0) return;
          const n = Math.min(available, s.left);
          const bytes = this.chunk.subarray(this.pos, this.pos + n);
          this.pos += n;
          const offset = s.offset;
          s.offset += n;
          s.left -= n;
          if (s.left === 0) this.state = { kind: "tag" };
          onRecord({ type: "data", offset, bytes });
          break;
        }
        case "skip": {
          const available = this.chunk.byteLength - this.pos;
          if (available === 0) return;
          const n = Math.min(available, s.left);
          this.pos += n;
          s.left -= n;
          if (s.left === 0) {
            this.state = { kind: "tag" };
            onRecord({ type: "unknown", tag: s.tag, length: s.total });
          }
          break;
        }
      }
    }
  }

  private startPayload(
    tag: number,
    declared: number | undefined,
    onRecord: (record: DiffRecord) => void,
  ): void {
    switch (tag) {
      case TAG_FROM_SNAP:
      case TAG_TO_SNAP:
        this.state = { kind: "fixed", tag, need: LE32, declared };
        return;
      case TAG_IMAGE_SIZE:
        this.expectLength(tag, declared, LE64);
        this.state = { kind: "fixed", tag, need: LE64, declared };
        return;
      case TAG_PROTECTION:
        if (this.diffVersion === 1) break;
        // rbd 16.2 declares 8 bytes here but writes 1 (and reads 1): accept both
        if (declared !== PROTECTION_DECLARED_LENGTH) this.expectLength(tag, declared, 1);
        this.state = { kind: "fixed", tag, need: 1, declared };
        return;
      case TAG_WRITE:
      case TAG_ZERO:
        this.state = { kind: "fixed", tag, need: EXTENT_HEADER, declared };
        return;
    }
    if (declared !== undefined || this.unknownV1Tags === "skip") {
      this.onWarning?.(`unrecognized tag byte ${tag} in stream; skipping`);
    }
    if (declared !== undefined) {
      if (declared === 0) onRecord({ type: "unknown", tag, length: 0 });
      this.state = declared === 0 ? { kind: "tag" } : { kind: "skip", tag, left: declared, total: declared };
      return;
    }
    if (this.unknownV1Tags === "skip") {
      onRecord({ type: "unknown", tag, length: 0 });
      this.state = { kind: "tag" };
      return;
    }
    throw streamError(
      "EINVAL",
      "unknown-tag",
      `unknown record tag ${tag} (${JSON.stringify(String.fromCharCode(tag))}) at stream offset ${this.position - 1} of an rbd diff v1 stream`,
      `unrecognized tag byte ${tag} in stream; aborting`,
      this.position - 1,
    );
  }

  private finishFixed(
    tag: number,
    declared: number | undefined,
    bytes: Uint8Array,
    onRecord: (r: DiffRecord) => void,
  ) {
    switch (tag) {
      case TAG_FROM_SNAP:
      case TAG_TO_SNAP: {
        const length = new DataView(bytes.buffer, bytes.byteOffset, LE32).getUint32(0, true);
        this.expectLength(tag, declared, LE32 + length);
        if (length > MAX_SNAP_NAME) {
          throw streamError(
            "EINVAL",
            "snap-name-too-long",
            `snapshot name of ${length} bytes in the diff stream (the limit is ${MAX_SNAP_NAME})`,
            `rbd: failed to decode ${FIELD[tag]}`,
            this.position - LE32,
          );
        }
        this.state = { kind: "string", tag, need: length };
        return;
      }
      case TAG_IMAGE_SIZE: {
        const size = getLe64(bytes, 0);
        if (size === undefined) throw this.invalid("value-too-large", "an image size past 2^53");
        this.state = { kind: "tag" };
        onRecord({ type: "size", size });
        return;
      }
      case TAG_PROTECTION:
        this.state = { kind: "tag" };
        onRecord({ type: "protection", protected: bytes[0] !== 0 });
        return;
      default: {
        const offset = getLe64(bytes, 0);
        const length = getLe64(bytes, LE64);
        if (offset === undefined || length === undefined || offset + length > Number.MAX_SAFE_INTEGER) {
          throw this.invalid("value-too-large", "an extent past 2^53");
        }
        if (tag === TAG_ZERO) {
          this.expectLength(tag, declared, EXTENT_HEADER);
          this.state = { kind: "tag" };
          onRecord({ type: "zero", offset, length });
          return;
        }
        this.expectLength(tag, declared, EXTENT_HEADER + length);
        this.state = length === 0 ? { kind: "tag" } : { kind: "data", offset, left: length };
        onRecord({ type: "write", offset, length });
      }
    }
  }

  /** v2 declares each payload's length; one that disagrees with the payload is corrupt. */
  private expectLength(tag: number, declared: number | undefined, actual: number): void {
    if (declared === undefined || declared === actual) return;
    throw streamError(
      "EBADMSG",
      "bad-record-length",
      `record '${String.fromCharCode(tag)}' declares ${declared} payload bytes but holds ${actual}`,
      `rbd: failed to decode ${FIELD[tag] ?? "tag"}`,
      this.position,
    );
  }

  private invalid(reason: string, what: string) {
    return streamError(
      "EINVAL",
      reason,
      `diff stream holds ${what}`,
      "rbd: failed to decode IO length",
      this.position,
    );
  }

  /** n bytes from leftover + chunk, or undefined (keeping the partial bytes) when short. */
  private take(n: number): Uint8Array | undefined {
    const inChunk = this.chunk.byteLength - this.pos;
    if (this.leftover.byteLength + inChunk < n) {
      const rest = this.chunk.subarray(this.pos);
      const merged = new Uint8Array(this.leftover.byteLength + rest.byteLength);
      merged.set(this.leftover);
      merged.set(rest, this.leftover.byteLength);
      this.leftover = merged;
      this.pos = this.chunk.byteLength;
      return undefined;
    }
    if (this.leftover.byteLength === 0) {
      const out = this.chunk.subarray(this.pos, this.pos + n);
      this.pos += n;
      return out;
    }
    const out = new Uint8Array(n);
    out.set(this.leftover);
    const fromChunk = n - this.leftover.byteLength;
    out.set(this.chunk.subarray(this.pos, this.pos + fromChunk), this.leftover.byteLength);
    this.pos += fromChunk;
    this.leftover = EMPTY;
    return out;
  }

  private field(): string {
    const s = this.state;
    switch (s.kind) {
      case "banner":
        return "diff banner";
      case "tag":
        return "tag";
      case "length":
        return "tag length";
      case "fixed":
      case "string":
        return FIELD[s.tag] ?? "tag";
      case "data":
        return "write data";
      case "skip":
        return "skipped tag data";
      case "done":
        return "tag";
    }
  }

  private describe(): string {
    const s = this.state;
    switch (s.kind) {
      case "banner":
        return "the banner";
      case "tag":
        return "a record tag (no 'e' end record)";
      case "data":
        return `a write payload (${s.left} bytes missing)`;
      default:
        return `the ${this.field()}`;
    }
  }
}
