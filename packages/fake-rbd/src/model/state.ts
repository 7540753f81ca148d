// The data of an image at one point: its size and its object map. `ImageState` is the
// writable kind (an image's head, or the staging copy an import-diff writes into);
// a `PointView` is any readable point (a snapshot, or a frozen copy of the head).

import { compact, copyBytes, type Lineage, ObjectVersion } from "./object.js";
import { clipRanges, type Range, unionRanges } from "./ranges.js";

export interface PointView {
  readonly size: number;
  readonly order: number;
  readonly objects: ReadonlyMap<number, ObjectVersion>;
}

/** One extent as librbd's diff_iterate reports it. */
export interface Extent {
  offset: number;
  length: number;
  exists: boolean;
}

let ownerSeq = 0;
/** A fresh write-ownership token: versions owned by another token are cloned first. */
export function newOwner(): number {
  ownerSeq += 1;
  return ownerSeq;
}

export class ImageState implements PointView {
  size: number;
  readonly order: number;
  objects: Map<number, ObjectVersion>;
  private owner: number;

  constructor(order: number, size: number, objects = new Map<number, ObjectVersion>()) {
    this.order = order;
    this.size = size;
    this.objects = objects;
    this.owner = newOwner();
  }

  get objectSize(): number {
    return 2 ** this.order;
  }

  /**
   * A read-only copy of this point. O(objects): the versions are shared, and this state
   * takes a new owner token so its next write to any of them clones that object first.
   */
  freeze(): PointView {
    this.owner = newOwner();
    return { size: this.size, order: this.order, objects: new Map(this.objects) };
  }

  /** A writable copy (copy-on-write both ways), e.g. import-diff's staging state. */
  fork(): ImageState {
    this.owner = newOwner();
    return new ImageState(this.order, this.size, new Map(this.objects));
  }

  /** Replaces this state's data by a point's (rollback), sharing its versions. */
  restore(point: PointView): void {
    this.owner = newOwner();
    this.size = point.size;
    this.objects = new Map(point.objects);
  }

  /**
   * Writes data at offset; the caller checked the range. With `owned`, the caller hands
   * the buffer over (it must never change again) and it is stored without a copy.
   */
  write(offset: number, data: Uint8Array, owned = false): void {
    const os = this.objectSize;
    let at = 0;
    while (at < data.byteLength) {
      const abs = offset + at;
      const objectNo = Math.floor(abs / os);
      const inObject = abs - objectNo * os;
      const n = Math.min(data.byteLength - at, os - inObject);
      const piece = data.subarray(at, at + n);
      this.writable(objectNo).write(inObject, owned ? compact(piece) : copyBytes(piece));
      at += n;
    }
  }

  /** librbd discard / write-zeroes: reads return zeros, whole objects are removed. */
  zero(offset: number, length: number): void {
    const os = this.objectSize;
    const end = Math.min(offset + length, this.size);
    let abs = offset;
    while (abs < end) {
      const objectNo = Math.floor(abs / os);
      const objStart = objectNo * os;
      const stop = Math.min(end, objStart + os);
      if (this.objects.has(objectNo)) {
        const outcome = this.writable(objectNo).zero(abs - objStart, stop - objStart, os);
        if (outcome === "removed") this.objects.delete(objectNo);
      }
      abs = stop;
    }
  }

  /** Shrinking removes objects past the end and truncates the one it cuts; growing adds nothing. */
  resize(size: number): void {
    if (size < this.size) {
      const os = this.objectSize;
      for (const objectNo of [...this.objects.keys()]) {
        const objStart = objectNo * os;
        if (objStart >= size) this.objects.delete(objectNo);
        else if (objStart + os > size) this.writable(objectNo).truncate(size - objStart);
      }
    }
    this.size = size;
  }

  private writable(objectNo: number): ObjectVersion {
    const current = this.objects.get(objectNo);
    if (current && current.owner === this.owner) return current;
    const next = current ? current.cloneFor(this.owner) : ObjectVersion.create(this.owner);
    this.objects.set(objectNo, next);
    return next;
  }
}

/** Copies [offset, offset + out.length) of a point into out; holes read as zeros. */
export function readPoint(point: PointView, offset: number, out: Uint8Array): void {
  out.fill(0);
  const os = 2 ** point.order;
  let at = 0;
  while (at < out.byteLength) {
    const abs = offset + at;
    const objectNo = Math.floor(abs / os);
    const inObject = abs - objectNo * os;
    const n = Math.min(out.byteLength - at, os - inObject);
    point.objects.get(objectNo)?.read(inObject, out.subarray(at, at + n));
    at += n;
  }
}

/** The bytes of [offset, end) of a point as a sequence of views (zero fillers for holes). */
export function* pointPieces(point: PointView, offset: number, end: number): Generator<Uint8Array> {
  const os = 2 ** point.order;
  let abs = offset;
  while (abs < end) {
    const objectNo = Math.floor(abs / os);
    const objStart = objectNo * os;
    const stop = Math.min(end, objStart + os);
    const version = point.objects.get(objectNo);
    if (version) yield* version.pieces(abs - objStart, stop - objStart);
    else yield* ObjectVersion.create(0).pieces(abs - objStart, stop - objStart);
    abs = stop;
  }
}

/** True when [offset, end) of a point reads as all zeros. */
export function pointIsZero(point: PointView, offset: number, end: number): boolean {
  const os = 2 ** point.order;
  let abs = offset;
  while (abs < end) {
    const objectNo = Math.floor(abs / os);
    const objStart = objectNo * os;
    const stop = Math.min(end, objStart + os);
    const version = point.objects.get(objectNo);
    if (version && !version.isZero(abs - objStart, stop - objStart)) return false;
    abs = stop;
  }
  return true;
}

/**
 * What changed between two points of one image, as librbd's diff_iterate2 reports it
 * (checked against Ceph 16.2): extents come per object, in offset order, clipped to the
 * end point's size.
 * - without `from`: each existing object from its start to its RADOS size;
 * - with `from`: the byte ranges written, zeroed or truncated since, and for objects
 *   removed since, what they held (start to their old RADOS size, exists=false);
 * - `wholeObject` (fast-diff): the whole object space of every changed object.
 */
export function diffPoints(from: PointView | undefined, to: PointView, wholeObject: boolean): Extent[] {
  const os = 2 ** to.order;
  const numbers = new Set<number>(to.objects.keys());
  if (from) for (const n of from.objects.keys()) numbers.add(n);
  const sorted = [...numbers].filter((n) => n * os < to.size).sort((a, b) => a - b);
  const out: Extent[] = [];
  for (const n of sorted) {
    const start = n * os;
    const limit = Math.min(os, to.size - start);
    const e = to.objects.get(n);
    const f = from?.objects.get(n);
    if (e === f) continue;
    if (!e) {
      // a removed object: its whole space in whole-object mode, else what it held
      const span = wholeObject ? limit : Math.min(limit, (f as ObjectVersion).size);
      if (span > 0) out.push({ offset: start, length: span, exists: false });
      continue;
    }
    if (wholeObject) {
      out.push({ offset: start, length: limit, exists: true });
      continue;
    }
    const changed = f ? changedSince(f, e) : undefined;
    if (changed === undefined) {
      // new since `from` (or no `from`): from the object's start to the largest size any
      // of its snapshotted clones had, as the OSD's clone list shows it
      const span = Math.min(limit, Math.max(historySpan(e), f ? f.size : 0));
      if (span > 0) out.push({ offset: start, length: span, exists: true });
      continue;
    }
    // what lies past the object's end now was truncated away: reported as zero
    for (const r of clipRanges(changed, 0, limit)) {
      if (r.start < e.size)
        out.push({ offset: start + r.start, length: Math.min(r.end, e.size) - r.start, exists: true });
      if (r.end > e.size) {
        const from = Math.max(r.start, e.size);
        out.push({ offset: start + from, length: r.end - from, exists: false });
      }
    }
  }
  return out;
}

/** Marks the versions a snapshot captures, so later diffs know the clone sizes. */
export function recordSnapshotSizes(point: PointView): void {
  for (const version of point.objects.values()) version.lineage.snapSize = version.size;
}

function historySpan(version: ObjectVersion): number {
  let span = version.size;
  for (let node = version.lineage.base; node; node = node.base) {
    if (node.snapSize !== undefined) span = Math.max(span, node.snapSize);
  }
  return span;
}

/** Ranges written since `older`, or undefined when `newer` does not descend from it. */
function changedSince(older: ObjectVersion, newer: ObjectVersion): Range[] | undefined {
  let changed: Range[] = [];
  for (let node: Lineage | undefined = newer.lineage; node; node = node.base) {
    if (node === older.lineage) return changed;
    changed = unionRanges(changed, node.dirty);
  }
  return undefined;
}
