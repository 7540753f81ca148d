// `rbd export --export-format 2` / `rbd import --export-format 2`: an image header
// (order, features, striping) followed by one `rbd diff v2` stream per snapshot, oldest
// first, and a last one from the newest snapshot to the head (Export.cc/Import.cc).
//
//   "rbd image v2\n"  { tag le64-length payload }*  'E'
//   "rbd image diffs v2\n"  le64 count  count x ("rbd diff v2\n" ... 'e')
import { RbdError } from "../model/errors.js";
import type { Image } from "../model/image.js";
import { FEATURE_ORDER } from "../model/image.js";
import type { PointView } from "../model/state.js";
import { exportDiffChunks } from "./export.js";
import type { DiffRecord } from "./format.js";
import { DiffParser } from "./parser.js";
import { getLe64, putLe64 } from "./records.js";

export const IMAGE_BANNER_V2 = "rbd image v2\n";
export const IMAGE_DIFFS_BANNER_V2 = "rbd image diffs v2\n";
export const TAG_IMAGE_ORDER = 0x4f; // 'O' + le64
export const TAG_IMAGE_FEATURES = 0x54; // 'T' + le64 feature bits
export const TAG_IMAGE_STRIPE_UNIT = 0x55; // 'U' + le64
export const TAG_IMAGE_STRIPE_COUNT = 0x43; // 'C' + le64
export const TAG_IMAGE_META = 0x4d; // 'M' + string key + string value (image-meta)
export const TAG_IMAGE_END = 0x45; // 'E'

/** librbd's feature bits, in the order FEATURE_ORDER names them (bit i = 1 << i). */
export function featureBits(features: readonly string[]): number {
  let bits = 0;
  for (const f of features) {
    const i = (FEATURE_ORDER as readonly string[]).indexOf(f);
    if (i >= 0) bits += 2 ** i;
  }
  return bits;
}

export function featureNames(bits: number): string[] {
  return FEATURE_ORDER.filter((_, i) => Math.floor(bits / 2 ** i) % 2 === 1);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function le64Record(tag: number, value: number): Uint8Array {
  const out = new Uint8Array(1 + 8 + 8);
  const view = new DataView(out.buffer);
  out[0] = tag;
  putLe64(view, 1, 8);
  putLe64(view, 9, value);
  return out;
}

/** The chunks of `rbd export --export-format 2` of an image's head, with all its snapshots. */
export function* exportImageV2Chunks(image: Image, head: PointView): Generator<Uint8Array> {
  yield encoder.encode(IMAGE_BANNER_V2);
  yield le64Record(TAG_IMAGE_ORDER, image.order);
  yield le64Record(TAG_IMAGE_FEATURES, featureBits(image.features));
  yield le64Record(TAG_IMAGE_STRIPE_UNIT, image.stripeUnit);
  yield le64Record(TAG_IMAGE_STRIPE_COUNT, image.stripeCount);
  yield Uint8Array.of(TAG_IMAGE_END);
  const snaps = [...image.listSnaps()];
  const count = new Uint8Array(encoder.encode(IMAGE_DIFFS_BANNER_V2).byteLength + 8);
  count.set(encoder.encode(IMAGE_DIFFS_BANNER_V2));
  putLe64(new DataView(count.buffer), count.byteLength - 8, snaps.length + 1);
  yield count;
  let previous: { point: PointView; name: string } | undefined;
  for (const s of snaps) {
    yield* exportDiffChunks({
      to: s.point,
      ...(previous ? { from: previous.point, fromSnap: previous.name } : {}),
      toSnap: s.name,
      toSnapProtected: s.protected,
      version: 2,
    });
    previous = { point: s.point, name: s.name };
  }
  yield* exportDiffChunks({
    to: head,
    ...(previous ? { from: previous.point, fromSnap: previous.name } : {}),
    version: 2,
  });
}

export interface ImageV2Header {
  order?: number;
  features?: string[];
  stripeUnit?: number;
  stripeCount?: number;
  meta: [string, string][];
}

export type ImageV2Record =
  | { type: "header"; header: ImageV2Header }
  | { type: "diff-start"; index: number; count: number }
  | { type: "diff"; record: DiffRecord }
  | { type: "done" };

type State =
  | { kind: "banner" }
  | { kind: "tag" }
  | { kind: "length"; tag: number }
  | { kind: "payload"; tag: number; need: number }
  | { kind: "diffs-banner" }
  | { kind: "count" }
  | { kind: "diff"; parser: DiffParser; index: number; count: number }
  | { kind: "done" };

/** Header payloads are a few bytes; anything larger is not an image export. */
const MAX_HEADER_PAYLOAD = 1 << 20;

/** A chunk-fed parser for `rbd export --export-format 2` streams. */
export class ImageV2Parser {
  private state: State = { kind: "banner" };
  private leftover = new Uint8Array(0);
  private readonly header: ImageV2Header = { meta: [] };
  private received = 0;

  get done(): boolean {
    return this.state.kind === "done";
  }

  push(chunk: Uint8Array, onRecord: (record: ImageV2Record) => void): void {
    let data = chunk;
    if (this.leftover.byteLength > 0) {
      data = new Uint8Array(this.leftover.byteLength + chunk.byteLength);
      data.set(this.leftover);
      data.set(chunk, this.leftover.byteLength);
      this.leftover = new Uint8Array(0);
    }
    let at = 0;
    while (at < data.byteLength && this.state.kind !== "done") {
      const s = this.state;
      if (s.kind === "diff") {
        at += s.parser.push(data.subarray(at), (record) => onRecord({ type: "diff", record }));
        if (s.parser.done) this.nextDiff(s.index + 1, s.count, onRecord);
        continue;
      }
      const need = this.need(s);
      if (data.byteLength - at < need) break;
      const bytes = data.subarray(at, at + need);
      at += need;
      this.step(bytes, onRecord);
    }
    if (this.state.kind !== "done" && at < data.byteLength) this.leftover = data.slice(at);
    this.received += chunk.byteLength;
  }

  end(): void {
    if (this.state.kind === "done") return;
    try {
      if (this.state.kind === "diff") this.state.parser.end();
      throw new RbdError(
        "EBADMSG",
        `image export stream ended after ${this.received} bytes, before its last diff`,
        {
          rbdMessage: "rbd: failed to decode image option\nrbd: import failed: (74) Bad message",
          context: { op: "import", reason: "truncated-stream", offset: this.received },
        },
      );
    } catch (error) {
      throw asImportError(error);
    }
  }

  private need(s: State): number {
    switch (s.kind) {
      case "banner":
        return IMAGE_BANNER_V2.length;
      case "tag":
        return 1;
      case "length":
      case "count":
        return 8;
      case "payload":
        return s.need;
      case "diffs-banner":
        return IMAGE_DIFFS_BANNER_V2.length;
      default:
        return 0;
    }
  }

  private step(bytes: Uint8Array, onRecord: (record: ImageV2Record) => void): void {
    const s = this.state;
    switch (s.kind) {
      case "banner":
        if (decoder.decode(bytes) !== IMAGE_BANNER_V2)
          throw this.bad("bad-banner", "rbd: invalid or unexpected import banner");
        this.state = { kind: "tag" };
        return;
      case "tag": {
        const tag = bytes[0] as number;
        if (tag === TAG_IMAGE_END) {
          onRecord({ type: "header", header: this.header });
          this.state = { kind: "diffs-banner" };
        } else this.state = { kind: "length", tag };
        return;
      }
      case "length": {
        const need = getLe64(bytes, 0);
        if (need === undefined || need > MAX_HEADER_PAYLOAD)
          throw this.bad("bad-record-length", "rbd: failed to decode image option");
        this.state = need === 0 ? { kind: "tag" } : { kind: "payload", tag: s.tag, need };
        return;
      }
      case "payload":
        this.option(s.tag, bytes);
        this.state = { kind: "tag" };
        return;
      case "diffs-banner":
        if (decoder.decode(bytes) !== IMAGE_DIFFS_BANNER_V2) {
          throw this.bad("bad-banner", "rbd: invalid or unexpected import banner");
        }
        this.state = { kind: "count" };
        return;
      case "count": {
        const count = getLe64(bytes, 0);
        if (count === undefined) throw this.bad("value-too-large", "rbd: failed to decode diff count");
        this.nextDiff(0, count, onRecord);
        return;
      }
      default:
        return;
    }
  }

  private nextDiff(index: number, count: number, onRecord: (record: ImageV2Record) => void): void {
    if (index >= count) {
      this.state = { kind: "done" };
      onRecord({ type: "done" });
      return;
    }
    this.state = { kind: "diff", parser: new DiffParser(), index, count };
    onRecord({ type: "diff-start", index, count });
  }

  private option(tag: number, bytes: Uint8Array): void {
    const value = () => getLe64(bytes, 0);
    switch (tag) {
      case TAG_IMAGE_ORDER:
        this.header.order = value();
        return;
      case TAG_IMAGE_FEATURES:
        this.header.features = featureNames(value() ?? 0);
        return;
      case TAG_IMAGE_STRIPE_UNIT:
        this.header.stripeUnit = value();
        return;
      case TAG_IMAGE_STRIPE_COUNT:
        this.header.stripeCount = value();
        return;
      case TAG_IMAGE_META: {
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const keyLength = view.getUint32(0, true);
        const key = decoder.decode(bytes.subarray(4, 4 + keyLength));
        const valueLength = view.getUint32(4 + keyLength, true);
        this.header.meta.push([
          key,
          decoder.decode(bytes.subarray(8 + keyLength, 8 + keyLength + valueLength)),
        ]);
        return;
      }
      default:
        return; // unknown header records are skipped by length, like rbd does
    }
  }

  private bad(reason: string, line: string): RbdError {
    return new RbdError("EINVAL", `not an rbd image export (format 2) stream: ${reason}`, {
      rbdMessage: `${line}\nrbd: import failed: (22) Invalid argument`,
      context: { op: "import", reason, offset: this.received },
    });
  }
}

/** import-diff's wording of an embedded diff's failure, as `rbd import` ends it. */
export function asImportError(error: unknown): unknown {
  if (!(error instanceof RbdError) || error.context.op !== "import-diff") return error;
  return new RbdError(error.code, error.message, {
    rbdMessage: error.rbdMessage.replace("rbd: import-diff failed:", "rbd: import failed:"),
    exitStatus: error.exitStatus,
    ...(error.detail === undefined ? {} : { detail: error.detail }),
    context: { ...error.context, op: "import" },
  });
}
