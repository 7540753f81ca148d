// One RADOS data object of an image (rbd_data.<id>.<objectNo>) at one point in time.
//
// Snapshots are copy-on-write at object granularity, the way RADOS self-managed
// snapshots behave: a snapshot keeps the object versions the head had, and the first
// write to an object after a snapshot clones only that object (a shallow copy of its
// extent list; the byte buffers themselves are immutable and shared). Each version
// also records which byte ranges changed since the version it was cloned from, so a
// diff between two points reports the bytes written, as librbd's diff_iterate does
// from the OSD's clone overlap, and not just "the whole object".
import { addRange, type Range } from "./ranges.js";

/** Bytes stored at [offset, offset + data.length) inside the object. Never mutated. */
interface Extent {
  offset: number;
  data: Uint8Array;
}

/** The history link of a version: tiny (ranges only), so it may outlive the data. */
export interface Lineage {
  readonly base: Lineage | undefined;
  dirty: Range[];
  /** the version's size when a snapshot captured it (RADOS keeps that clone's extent) */
  snapSize?: number;
}

/** A shared all-zero buffer that hole fillers are cut from. */
export const ZERO_FILL = new Uint8Array(1 << 20);

/**
 * A view that pins less than half of its backing buffer is copied, so overwrites and
 * trims cannot keep large dead buffers alive: memory stays within 2x of live bytes.
 */
export function compact(view: Uint8Array): Uint8Array {
  return view.byteLength * 2 < view.buffer.byteLength ? copyBytes(view) : view;
}

/** A real copy (Buffer#slice, unlike Uint8Array#slice, would alias the same memory). */
export function copyBytes(view: Uint8Array): Uint8Array {
  return new Uint8Array(view);
}

export type ZeroOutcome = "removed" | "kept";

export class ObjectVersion {
  /** Which writable state may modify this version in place (see ImageState.owner). */
  owner: number;
  /** The RADOS object size: the end of the highest byte written, less truncations. */
  size: number;
  private extents: Extent[];
  readonly lineage: Lineage;

  private constructor(owner: number, size: number, extents: Extent[], lineage: Lineage) {
    this.owner = owner;
    this.size = size;
    this.extents = extents;
    this.lineage = lineage;
  }

  static create(owner: number): ObjectVersion {
    return new ObjectVersion(owner, 0, [], { base: undefined, dirty: [] });
  }

  /** The copy-on-write clone a writer makes of a version it does not own. */
  cloneFor(owner: number): ObjectVersion {
    return new ObjectVersion(owner, this.size, this.extents.slice(), { base: this.lineage, dirty: [] });
  }

  /** Stores `data` (which the caller hands over: it must not change afterwards). */
  write(offset: number, data: Uint8Array): void {
    const end = offset + data.byteLength;
    if (end === offset) return;
    this.cut(offset, end, { offset, data });
    this.size = Math.max(this.size, end);
    this.markDirty(offset, end);
  }

  /**
   * Zeroes [offset, end) the way librbd's discard/write-zeroes lands on one object:
   * the whole object space removes the object, a range reaching the end of the object
   * space truncates it (and so does one reaching past the object's current end), anything
   * else zeroes in place.
   */
  zero(offset: number, end: number, objectSize: number): ZeroOutcome {
    if (offset === 0 && end >= objectSize) return "removed";
    if (offset >= this.size) return "kept";
    // the OSD turns a zero that reaches past the object's end into a truncate, so a
    // later diff reports that range as gone (exists:false), not as zero-filled data
    if (end >= objectSize || end >= this.size) {
      this.truncate(offset);
      return "kept";
    }
    const stop = Math.min(end, this.size);
    this.cut(offset, stop, undefined);
    this.markDirty(offset, stop);
    return "kept";
  }

  truncate(size: number): void {
    if (size >= this.size) return;
    this.cut(size, this.size, undefined);
    this.markDirty(size, this.size);
    this.size = size;
  }

  /** Copies [offset, offset + out.length) into out (holes read as zeros). */
  read(offset: number, out: Uint8Array): void {
    const end = offset + out.byteLength;
    for (let i = this.firstEndingAfter(offset); i < this.extents.length; i++) {
      const x = this.extents[i] as Extent;
      if (x.offset >= end) break;
      const s = Math.max(offset, x.offset);
      const e = Math.min(end, x.offset + x.data.byteLength);
      out.set(x.data.subarray(s - x.offset, e - x.offset), s - offset);
    }
  }

  /** The bytes of [offset, end) as views (stored bytes, and zero fillers for holes). */
  *pieces(offset: number, end: number): Generator<Uint8Array> {
    let at = offset;
    for (let i = this.firstEndingAfter(offset); i < this.extents.length && at < end; i++) {
      const x = this.extents[i] as Extent;
      if (x.offset >= end) break;
      if (x.offset > at) {
        yield* zeros(x.offset - at);
        at = x.offset;
      }
      const e = Math.min(end, x.offset + x.data.byteLength);
      yield x.data.subarray(at - x.offset, e - x.offset);
      at = e;
    }
    if (at < end) yield* zeros(end - at);
  }

  /** True when no stored byte in [offset, end) is non-zero. */
  isZero(offset: number, end: number): boolean {
    for (let i = this.firstEndingAfter(offset); i < this.extents.length; i++) {
      const x = this.extents[i] as Extent;
      if (x.offset >= end) break;
      const s = Math.max(offset, x.offset) - x.offset;
      const e = Math.min(end, x.offset + x.data.byteLength) - x.offset;
      if (!allZero(x.data.subarray(s, e))) return false;
    }
    return true;
  }

  /** The backing buffers, for memory accounting. */
  buffers(): Iterable<ArrayBufferLike> {
    return this.extents.map((x) => x.data.buffer);
  }

  get extentCount(): number {
    return this.extents.length;
  }

  private markDirty(start: number, end: number): void {
    this.lineage.dirty = addRange(this.lineage.dirty, start, end);
  }

  /** Index of the first extent whose end is past `offset` (binary search). */
  private firstEndingAfter(offset: number): number {
    let lo = 0;
    let hi = this.extents.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const x = this.extents[mid] as Extent;
      if (x.offset + x.data.byteLength <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Removes stored bytes in [start, end) and inserts `replacement` in their place. */
  private cut(start: number, end: number, replacement: Extent | undefined): void {
    const first = this.firstEndingAfter(start);
    let last = first;
    const kept: Extent[] = [];
    while (last < this.extents.length) {
      const x = this.extents[last] as Extent;
      if (x.offset >= end) break;
      const xEnd = x.offset + x.data.byteLength;
      if (x.offset < start)
        kept.push({ offset: x.offset, data: compact(x.data.subarray(0, start - x.offset)) });
      if (xEnd > end) kept.push({ offset: end, data: compact(x.data.subarray(end - x.offset)) });
      last++;
    }
    const left = kept.filter((x) => x.offset < start);
    const right = kept.filter((x) => x.offset >= end);
    const middle = replacement ? [replacement] : [];
    if (first === this.extents.length && left.length === 0 && right.length === 0) {
      for (const m of middle) this.extents.push(m);
      return;
    }
    this.extents.splice(first, last - first, ...left, ...middle, ...right);
  }
}

function* zeros(length: number): Generator<Uint8Array> {
  let left = length;
  while (left > 0) {
    const n = Math.min(left, ZERO_FILL.byteLength);
    yield ZERO_FILL.subarray(0, n);
    left -= n;
  }
}

/** memcmp against a zero buffer: native speed, stops at the first non-zero byte. */
export function allZero(view: Uint8Array): boolean {
  let at = 0;
  while (at < view.byteLength) {
    const n = Math.min(view.byteLength - at, ZERO_FILL.byteLength);
    const a = Buffer.from(view.buffer, view.byteOffset + at, n);
    if (!a.equals(ZERO_FILL.subarray(0, n))) return false;
    at += n;
  }
  return true;
}
