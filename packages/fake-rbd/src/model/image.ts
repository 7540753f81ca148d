// An RBD image (format 2): its metadata, its head data and its snapshots, with the
// rules librbd enforces. Pure: time comes from the injected clock.
import { errors, RbdError, type RbdErrorContext } from "./errors.js";
import {
  diffPoints,
  type Extent,
  ImageState,
  type PointView,
  readPoint,
  recordSnapshotSizes,
} from "./state.js";

/** The features `rbd create` gives an image by default on 16.2 (rbd_default_features = 61). */
export const DEFAULT_FEATURES = ["layering", "exclusive-lock", "object-map", "fast-diff", "deep-flatten"];

/** rbd's feature names in the order rbd prints them (their bit order). */
export const FEATURE_ORDER = [
  "layering",
  "striping",
  "exclusive-lock",
  "object-map",
  "fast-diff",
  "deep-flatten",
  "journaling",
  "data-pool",
  "operations",
  "migrating",
  "non-primary",
] as const;

/** librbd refreshes access/modify timestamps at most this often (rbd_atime/mtime_update_interval). */
const TIMESTAMP_INTERVAL_MS = 60_000;

/** rbd_discard_granularity_bytes: discards are aligned inward to this (capped at the object size). */
export const DISCARD_GRANULARITY = 64 * 1024;

export interface Snapshot {
  readonly id: number;
  name: string;
  readonly size: number;
  protected: boolean;
  readonly timestamp: Date;
  readonly point: PointView;
}

export interface ImageInit {
  id: string;
  name: string;
  size: number;
  order: number;
  features: string[];
  stripeUnit: number;
  stripeCount: number;
  now: Date;
}

/** What an image needs from the pool it lives in. */
export interface ImageHost {
  readonly cluster: string;
  readonly pool: string;
  allocateSnapId(): number;
  /** A snapshot removal also consumes a pool snap id (the pool's snap_seq moves). */
  releaseSnapId(): void;
  now(): Date;
}

export class Image {
  readonly id: string;
  name: string;
  readonly order: number;
  readonly features: readonly string[];
  readonly stripeUnit: number;
  readonly stripeCount: number;
  readonly createTimestamp: Date;
  accessTimestamp: Date;
  modifyTimestamp: Date;
  head: ImageState;
  private readonly snaps: Snapshot[] = [];
  private readonly host: ImageHost;

  constructor(init: ImageInit, host: ImageHost) {
    this.id = init.id;
    this.name = init.name;
    this.order = init.order;
    this.features = init.features;
    this.stripeUnit = init.stripeUnit;
    this.stripeCount = init.stripeCount;
    this.createTimestamp = init.now;
    this.accessTimestamp = init.now;
    this.modifyTimestamp = init.now;
    this.head = new ImageState(init.order, init.size);
    this.host = host;
  }

  get size(): number {
    return this.head.size;
  }

  get objectSize(): number {
    return 2 ** this.order;
  }

  get blockNamePrefix(): string {
    return `rbd_data.${this.id}`;
  }

  ctx(op?: string, snap?: string): RbdErrorContext {
    const c: RbdErrorContext = { cluster: this.host.cluster, pool: this.host.pool, image: this.name };
    if (op !== undefined) c.op = op;
    if (snap !== undefined) c.snap = snap;
    return c;
  }

  /** RADOS objects covering `size` bytes (librbd's Striper::get_num_objects). */
  objectCount(size = this.size): number {
    const os = this.objectSize;
    if (!this.features.includes("striping")) return Math.ceil(size / os);
    const period = os * this.stripeCount;
    const periods = Math.ceil(size / period);
    const remainder = size % period;
    let missing = 0;
    if (remainder > 0 && remainder < this.stripeCount * this.stripeUnit) {
      missing = this.stripeCount - Math.ceil(remainder / this.stripeUnit);
    }
    return periods * this.stripeCount - missing;
  }

  // ---------------------------------------------------------------- data

  write(offset: number, data: Uint8Array, op = "write"): void {
    this.checkRange(offset, data.byteLength, op);
    this.head.write(offset, data);
    this.touchModify();
  }

  /** librbd clips reads at the end of the image; a start past the end is EINVAL. */
  read(offset: number, length: number, snap?: string): Uint8Array {
    // the head is read in place: freezing it would make the next write clone the object
    const point = snap === undefined ? this.head : this.snap(snap, "read").point;
    if (offset > point.size || offset < 0 || length < 0) {
      throw errors.outOfRange(this.ctx("read", snap), offset, length, point.size);
    }
    const out = new Uint8Array(Math.min(length, point.size - offset));
    readPoint(point, offset, out);
    this.touchAccess();
    return out;
  }

  /**
   * librbd discard with its 16.2 defaults (rbd_skip_partial_discard = true,
   * rbd_discard_granularity_bytes = 64 KiB): only whole granules are discarded, the
   * unaligned edges keep their data. Reads of a discarded range return zeros.
   */
  discard(offset: number, length: number, op = "discard"): void {
    if (offset > this.size || offset < 0 || length < 0) {
      throw errors.outOfRange(this.ctx(op), offset, length, this.size);
    }
    const end = Math.min(offset + length, this.size);
    const granule = Math.min(DISCARD_GRANULARITY, this.objectSize);
    const start = Math.ceil(offset / granule) * granule;
    const stop = Math.floor(end / granule) * granule;
    if (stop > start) this.head.zero(start, stop - start);
    this.touchModify();
  }

  /** librbd write-zeroes (what import-diff's 'z' does): exactly [offset, offset+length) reads as zeros. */
  writeZeroes(offset: number, length: number, op = "write-zeroes"): void {
    this.checkRange(offset, length, op);
    this.head.zero(offset, length);
    this.touchModify();
  }

  resize(size: number, allowShrink: boolean): void {
    if (!Number.isSafeInteger(size) || size < 0) {
      throw errors.invalid(this.ctx("resize"), `invalid size ${size}`);
    }
    if (size < this.size && !allowShrink) throw errors.shrinkNotAllowed(this.ctx("resize"), this.size, size);
    this.head.resize(size);
    this.touchModify();
  }

  // ---------------------------------------------------------------- snapshots

  listSnaps(): readonly Snapshot[] {
    return this.snaps;
  }

  findSnap(name: string): Snapshot | undefined {
    return this.snaps.find((s) => s.name === name);
  }

  snap(name: string, op: string): Snapshot {
    const snap = this.findSnap(name);
    if (!snap) throw errors.snapNotFound(this.ctx(op, name));
    return snap;
  }

  createSnap(name: string): Snapshot {
    if (name === "") throw errors.invalid(this.ctx("snap create"), "snapshot name is empty");
    if (this.findSnap(name)) throw errors.snapExists(this.ctx("snap create", name));
    const snap: Snapshot = {
      id: this.host.allocateSnapId(),
      name,
      size: this.size,
      protected: false,
      timestamp: this.host.now(),
      point: this.head.freeze(),
    };
    recordSnapshotSizes(snap.point);
    this.snaps.push(snap);
    return snap;
  }

  removeSnap(name: string): void {
    const snap = this.snap(name, "snap rm");
    if (snap.protected) {
      // observed on 16.2: the refused removal still moves the pool's snap_seq
      this.host.releaseSnapId();
      throw errors.snapProtected(this.ctx("snap rm", name));
    }
    this.snaps.splice(this.snaps.indexOf(snap), 1);
    this.host.releaseSnapId();
  }

  /** Removes every unprotected snapshot; reports the protected ones left (rbd exits 0 then). */
  purgeSnaps(): void {
    const kept: string[] = [];
    for (const s of [...this.snaps]) {
      try {
        this.removeSnap(s.name);
      } catch (error) {
        if (!(error instanceof RbdError) || error.code !== "EBUSY") throw error;
        kept.push(s.name);
      }
    }
    if (kept.length > 0) throw errors.purgeLeftProtected(this.ctx("snap purge"), kept);
  }

  protectSnap(name: string): void {
    const snap = this.snap(name, "snap protect");
    if (snap.protected) throw errors.snapAlreadyProtected(this.ctx("snap protect", name));
    snap.protected = true;
  }

  unprotectSnap(name: string): void {
    const snap = this.snap(name, "snap unprotect");
    if (!snap.protected) throw errors.snapAlreadyUnprotected(this.ctx("snap unprotect", name));
    snap.protected = false;
  }

  renameSnap(name: string, newName: string): void {
    const snap = this.snap(name, "snap rename");
    if (this.findSnap(newName)) throw errors.snapExists(this.ctx("snap rename", newName));
    snap.name = newName;
  }

  /** The head takes the snapshot's size and data (objects shared copy-on-write). */
  rollback(name: string): void {
    const snap = this.snap(name, "snap rollback");
    this.head.restore(snap.point);
    this.touchModify();
  }

  // ---------------------------------------------------------------- points and diffs

  /**
   * A read-only view of the image at a snapshot, or of the head now. The head view is
   * frozen (later writes do not show through), which is what a lazy export needs.
   */
  point(snap: string | undefined, op = "open"): PointView {
    if (snap === undefined) return this.head.freeze();
    return this.snap(snap, op).point;
  }

  /** `rbd diff`: extents that changed since fromSnap (or all allocated ones), at `snap` or the head. */
  diff(options: { fromSnap?: string; snap?: string; wholeObject?: boolean; op?: string } = {}): Extent[] {
    const op = options.op ?? "diff";
    const to = options.snap === undefined ? this.head : this.snap(options.snap, op).point;
    const from =
      options.fromSnap === undefined ? undefined : this.snap(options.fromSnap, `${op} --from-snap`).point;
    return diffPoints(from, to, options.wholeObject ?? false);
  }

  /**
   * `rbd du`: per snapshot then head, the object space changed since the previous
   * snapshot. At a snapshot, rbd lists the snapshots up to and including it.
   */
  du(snap?: string): { snapshot?: Snapshot; provisionedSize: number; usedSize: number }[] {
    const rows: { snapshot?: Snapshot; provisionedSize: number; usedSize: number }[] = [];
    let previous: PointView | undefined;
    for (const s of this.snaps) {
      rows.push({ snapshot: s, provisionedSize: s.size, usedSize: used(previous, s.point) });
      previous = s.point;
      if (s.name === snap) return rows;
    }
    if (snap !== undefined) throw errors.snapNotFound(this.ctx("du", snap));
    rows.push({ provisionedSize: this.size, usedSize: used(previous, this.head) });
    return rows;
  }

  /** import-diff writes into a staging copy first so a bad stream leaves nothing behind. */
  stage(): ImageState {
    return this.head.fork();
  }

  commit(staged: ImageState): void {
    this.head = staged;
    this.touchModify();
  }

  checkRange(offset: number, length: number, op: string): void {
    if (offset < 0 || length < 0 || !Number.isSafeInteger(offset + length) || offset + length > this.size) {
      throw errors.outOfRange(this.ctx(op), offset, length, this.size);
    }
  }

  private touchModify(): void {
    const now = this.host.now();
    if (now.getTime() - this.modifyTimestamp.getTime() >= TIMESTAMP_INTERVAL_MS) this.modifyTimestamp = now;
  }

  private touchAccess(): void {
    const now = this.host.now();
    if (now.getTime() - this.accessTimestamp.getTime() >= TIMESTAMP_INTERVAL_MS) this.accessTimestamp = now;
  }
}

function used(previous: PointView | undefined, point: PointView): number {
  let total = 0;
  for (const x of diffPoints(previous, point, true)) if (x.exists) total += x.length;
  return total;
}
