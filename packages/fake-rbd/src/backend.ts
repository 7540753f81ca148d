// The contract every consumer of a fake Ceph codes against: the rbd CLI, the HTTP
// server, fake-cinder's volume and backup drivers, and tests. Two adapters implement
// it: `LocalRbd` (over the in-memory model, same process) and `RemoteRbd` (over the
// fake-rbd HTTP server, so several processes share one Ceph). Every method is async
// so both behave alike; every failure is an `RbdError` (see model/errors.ts).
import type { Readable } from "node:stream";

/** Where an image lives. `cluster` defaults to "ceph" like rbd's `--cluster`. */
export interface ImageRef {
  cluster?: string;
  pool: string;
  /** rbd namespaces are not modelled; kept so specs like pool/ns/image parse. */
  namespace?: string;
  image: string;
}

export interface SnapRef extends ImageRef {
  snap?: string;
}

export interface ImageInfo {
  name: string;
  id: string;
  size: number;
  /** log2 of the object size; rbd's default is 22 (4 MiB objects). */
  order: number;
  objectSize: number;
  snapshotCount: number;
  blockNamePrefix: string;
  format: 2;
  /** RADOS objects the image (or snapshot) spans, as `rbd info` counts them */
  objectCount?: number;
  features: string[];
  opFeatures: string[];
  flags: string[];
  createTimestamp: Date;
  accessTimestamp: Date;
  modifyTimestamp: Date;
  parent?: undefined;
  stripeUnit?: number;
  stripeCount?: number;
  /** set when the info was asked for at a snapshot */
  protected?: boolean;
}

export interface SnapInfo {
  id: number;
  name: string;
  size: number;
  protected: boolean;
  timestamp: Date;
}

export interface CreateImageOptions {
  size: number;
  order?: number;
  features?: string[];
  stripeUnit?: number;
  stripeCount?: number;
}

/** One extent as `rbd diff` reports it. */
export interface DiffExtent {
  offset: number;
  length: number;
  exists: boolean;
}

export interface DiskUsage {
  name: string;
  /** the image's id (rbd du --format json prints it) */
  imageId?: string;
  snapshot?: string;
  id?: number;
  provisionedSize: number;
  usedSize: number;
}

export interface ExportDiffOptions {
  fromSnap?: string;
  wholeObject?: boolean;
}

export interface ImportDiffOptions {
  /** rbd's --sparse-size: zero runs of at least this many bytes are not stored (default 4096; 0 = off) */
  sparseSize?: number;
}

/** `rbd export/import --export-format`: 1 = raw bytes, 2 = header + one diff v2 per snapshot. */
export interface ExportFormatOptions {
  exportFormat?: 1 | 2;
}

/** How import-diff reads a stream; in-process only (a callback does not cross HTTP). */
export interface DiffReadOptions {
  /** unknown v1 tags: "skip" like rbd 16.2 (default), or "error" to refuse the stream */
  unknownV1Tags?: "error" | "skip";
  /** lines real rbd prints to stderr while it carries on, e.g. "unrecognized tag byte 120 in stream; skipping" */
  onWarning?: (line: string) => void;
}

export interface RbdBackend {
  // clusters and pools
  listPools(cluster?: string): Promise<string[]>;
  createPool(pool: string, cluster?: string): Promise<void>;
  /** `rbd pool init`: marks the pool for rbd use; idempotent. */
  initPool(pool: string, cluster?: string): Promise<void>;
  removePool(pool: string, cluster?: string): Promise<void>;

  // images
  listImages(pool: string, cluster?: string): Promise<string[]>;
  createImage(ref: ImageRef, options: CreateImageOptions): Promise<void>;
  imageInfo(ref: SnapRef): Promise<ImageInfo>;
  resizeImage(ref: ImageRef, size: number, options?: { allowShrink?: boolean }): Promise<void>;
  removeImage(ref: ImageRef): Promise<void>;
  renameImage(ref: ImageRef, newName: string): Promise<void>;
  /** Copies the bytes; zero runs stay sparse. */
  writeImage(ref: ImageRef, offset: number, data: Uint8Array): Promise<void>;
  readImage(ref: SnapRef, offset: number, length: number): Promise<Uint8Array>;
  /**
   * Deallocates [offset, offset+length): reads return zeros after it. Like librbd with
   * its defaults, only whole 64 KiB granules are discarded; unaligned edges keep data.
   */
  discardImage(ref: ImageRef, offset: number, length: number): Promise<void>;

  // snapshots
  listSnaps(ref: ImageRef): Promise<SnapInfo[]>;
  createSnap(ref: ImageRef, snap: string): Promise<void>;
  removeSnap(ref: ImageRef, snap: string): Promise<void>;
  purgeSnaps(ref: ImageRef): Promise<void>;
  protectSnap(ref: ImageRef, snap: string): Promise<void>;
  unprotectSnap(ref: ImageRef, snap: string): Promise<void>;
  rollbackSnap(ref: ImageRef, snap: string): Promise<void>;
  renameSnap(ref: ImageRef, snap: string, newName: string): Promise<void>;

  // data movement; streams are never buffered whole
  /** `rbd diff`: extents changed since fromSnap (or allocated, without it). */
  diff(ref: SnapRef, options?: ExportDiffOptions): Promise<DiffExtent[]>;
  du(ref: SnapRef | { pool: string; cluster?: string }): Promise<DiskUsage[]>;
  /** `rbd export-diff`: an `rbd diff v1` stream of the image (at ref.snap when given). */
  exportDiff(ref: SnapRef, options?: ExportDiffOptions): Promise<Readable>;
  /** `rbd import-diff`: applies a v1 (or v2) diff stream; all-or-nothing. */
  importDiff(ref: ImageRef, stream: Readable, options?: ImportDiffOptions & DiffReadOptions): Promise<void>;
  /**
   * `rbd export`: the raw bytes of the image (at ref.snap when given), or with
   * exportFormat 2 the image header and its snapshots as diffs (head only).
   */
  exportImage(ref: SnapRef, options?: ExportFormatOptions): Promise<Readable>;
  /** `rbd import`: a new image from raw bytes; zero runs stay sparse. */
  importImage(
    ref: ImageRef,
    stream: Readable,
    options?: Partial<CreateImageOptions> & ImportDiffOptions & ExportFormatOptions,
  ): Promise<void>;
}
