// `LocalRbd`: the RbdBackend over an in-memory `Ceph` model in this process. Streams
// out are produced lazily while they are read; streams in are consumed chunk by chunk.
import type { Readable } from "node:stream";
import type {
  CreateImageOptions,
  DiffExtent,
  DiffReadOptions,
  DiskUsage,
  ExportDiffOptions,
  ExportFormatOptions,
  ImageInfo,
  ImageRef,
  ImportDiffOptions,
  RbdBackend,
  SnapInfo,
  SnapRef,
} from "./backend.js";
import { exportDiffChunks } from "./diff/export.js";
import { DEFAULT_SPARSE_SIZE } from "./diff/format.js";
import { asImportError, exportImageV2Chunks, ImageV2Parser } from "./diff/image-v2.js";
import { DiffApplier } from "./diff/import.js";
import { consumeChunks, importDiffStream, readableFromChunks } from "./diff/stream.js";
import { Ceph, type CephOptions, type Pool } from "./model/ceph.js";
import { errors, type RbdError } from "./model/errors.js";
import type { Image, Snapshot } from "./model/image.js";
import { SparseWriter } from "./model/sparse.js";
import { pointPieces } from "./model/state.js";

const DEFAULT_CLUSTER = "ceph";

export class LocalRbd implements RbdBackend {
  readonly ceph: Ceph;

  constructor(ceph: Ceph | CephOptions = {}) {
    this.ceph = ceph instanceof Ceph ? ceph : new Ceph(ceph);
  }

  // ---------------------------------------------------------------- lookups

  private pool(name: string, cluster: string | undefined, op: string): Pool {
    return this.ceph.cluster(cluster ?? DEFAULT_CLUSTER).pool(name, op);
  }

  private image(ref: ImageRef, op: string): Image {
    return this.pool(ref.pool, ref.cluster, op).image(ref.image, op);
  }

  // ---------------------------------------------------------------- pools

  async listPools(cluster?: string): Promise<string[]> {
    return this.ceph.cluster(cluster ?? DEFAULT_CLUSTER).listPools();
  }

  async createPool(pool: string, cluster?: string): Promise<void> {
    this.ceph.cluster(cluster ?? DEFAULT_CLUSTER).createPool(pool);
  }

  async initPool(pool: string, cluster?: string): Promise<void> {
    this.pool(pool, cluster, "pool init").init();
  }

  async removePool(pool: string, cluster?: string): Promise<void> {
    this.ceph.cluster(cluster ?? DEFAULT_CLUSTER).removePool(pool);
  }

  // ---------------------------------------------------------------- images

  async listImages(pool: string, cluster?: string): Promise<string[]> {
    return this.pool(pool, cluster, "ls").listImages();
  }

  async createImage(ref: ImageRef, options: CreateImageOptions): Promise<void> {
    this.pool(ref.pool, ref.cluster, "create").createImage(ref.image, options);
  }

  async imageInfo(ref: SnapRef): Promise<ImageInfo> {
    const image = this.image(ref, "info");
    const snap = ref.snap === undefined ? undefined : image.snap(ref.snap, "info");
    const size = snap ? snap.size : image.size;
    const info: ImageInfo = {
      name: image.name,
      id: image.id,
      size,
      order: image.order,
      objectSize: image.objectSize,
      objectCount: image.objectCount(size),
      snapshotCount: image.listSnaps().length,
      blockNamePrefix: image.blockNamePrefix,
      format: 2,
      features: [...image.features],
      opFeatures: [],
      flags: [],
      createTimestamp: image.createTimestamp,
      accessTimestamp: image.accessTimestamp,
      modifyTimestamp: image.modifyTimestamp,
    };
    if (image.features.includes("striping")) {
      info.stripeUnit = image.stripeUnit;
      info.stripeCount = image.stripeCount;
    }
    if (snap) info.protected = snap.protected;
    return info;
  }

  async resizeImage(ref: ImageRef, size: number, options: { allowShrink?: boolean } = {}): Promise<void> {
    this.image(ref, "resize").resize(size, options.allowShrink ?? false);
  }

  async removeImage(ref: ImageRef): Promise<void> {
    this.pool(ref.pool, ref.cluster, "rm").removeImage(ref.image);
  }

  async renameImage(ref: ImageRef, newName: string): Promise<void> {
    this.pool(ref.pool, ref.cluster, "rename").renameImage(ref.image, newName);
  }

  async writeImage(ref: ImageRef, offset: number, data: Uint8Array): Promise<void> {
    this.image(ref, "write").write(offset, data);
  }

  async readImage(ref: SnapRef, offset: number, length: number): Promise<Uint8Array> {
    return this.image(ref, "read").read(offset, length, ref.snap);
  }

  async discardImage(ref: ImageRef, offset: number, length: number): Promise<void> {
    this.image(ref, "discard").discard(offset, length);
  }

  // ---------------------------------------------------------------- snapshots

  async listSnaps(ref: ImageRef): Promise<SnapInfo[]> {
    return this.image(ref, "snap ls")
      .listSnaps()
      .map((s) => ({ id: s.id, name: s.name, size: s.size, protected: s.protected, timestamp: s.timestamp }));
  }

  async createSnap(ref: ImageRef, snap: string): Promise<void> {
    this.image(ref, "snap create").createSnap(snap);
  }

  async removeSnap(ref: ImageRef, snap: string): Promise<void> {
    this.image(ref, "snap rm").removeSnap(snap);
  }

  async purgeSnaps(ref: ImageRef): Promise<void> {
    this.image(ref, "snap purge").purgeSnaps();
  }

  async protectSnap(ref: ImageRef, snap: string): Promise<void> {
    this.image(ref, "snap protect").protectSnap(snap);
  }

  async unprotectSnap(ref: ImageRef, snap: string): Promise<void> {
    this.image(ref, "snap unprotect").unprotectSnap(snap);
  }

  async rollbackSnap(ref: ImageRef, snap: string): Promise<void> {
    this.image(ref, "snap rollback").rollback(snap);
  }

  async renameSnap(ref: ImageRef, snap: string, newName: string): Promise<void> {
    this.image(ref, "snap rename").renameSnap(snap, newName);
  }

  // ---------------------------------------------------------------- data movement

  async diff(ref: SnapRef, options: ExportDiffOptions = {}): Promise<DiffExtent[]> {
    const image = this.image(ref, "diff");
    return image.diff({
      ...(options.fromSnap === undefined ? {} : { fromSnap: options.fromSnap }),
      ...(ref.snap === undefined ? {} : { snap: ref.snap }),
      wholeObject: options.wholeObject ?? false,
      op: "diff",
    });
  }

  async du(ref: SnapRef | { pool: string; cluster?: string }): Promise<DiskUsage[]> {
    if (!("image" in ref)) {
      const pool = this.pool(ref.pool, ref.cluster, "du");
      return [...pool.allImages()].flatMap((image) => usage(image, undefined));
    }
    return usage(this.image(ref, "du"), ref.snap);
  }

  async exportDiff(ref: SnapRef, options: ExportDiffOptions = {}): Promise<Readable> {
    const image = this.image(ref, "export-diff");
    const to = image.point(ref.snap, "export-diff");
    const toSnap = ref.snap === undefined ? undefined : image.snap(ref.snap, "export-diff");
    let fromSnap: Snapshot | undefined;
    let failAfterHeader: RbdError | undefined;
    if (options.fromSnap !== undefined) {
      fromSnap = image.findSnap(options.fromSnap);
      if (!fromSnap)
        failAfterHeader = errors.snapNotFound(image.ctx("export-diff --from-snap", options.fromSnap));
    }
    return readableFromChunks(
      exportDiffChunks({
        to,
        ...(options.fromSnap === undefined ? {} : { fromSnap: options.fromSnap }),
        ...(fromSnap ? { from: fromSnap.point } : {}),
        ...(toSnap ? { toSnap: toSnap.name } : {}),
        ...(failAfterHeader ? { failAfterHeader } : {}),
        wholeObject: options.wholeObject ?? false,
      }),
    );
  }

  async importDiff(
    ref: ImageRef,
    stream: Readable,
    options: ImportDiffOptions & DiffReadOptions = {},
  ): Promise<void> {
    const image = this.image(ref, "import-diff");
    await importDiffStream(image, stream, options);
  }

  async exportImage(ref: SnapRef, options: ExportFormatOptions = {}): Promise<Readable> {
    const image = this.image(ref, "export");
    if (options.exportFormat === 2) {
      if (ref.snap !== undefined) {
        throw errors.invalid(image.ctx("export", ref.snap), "fake-rbd exports format 2 of the head only");
      }
      return readableFromChunks(exportImageV2Chunks(image, image.point(undefined, "export")));
    }
    const point = image.point(ref.snap, "export");
    return readableFromChunks(pointPieces(point, 0, point.size));
  }

  async importImage(
    ref: ImageRef,
    stream: Readable,
    options: Partial<CreateImageOptions> & ImportDiffOptions & ExportFormatOptions = {},
  ): Promise<void> {
    const pool = this.pool(ref.pool, ref.cluster, "import");
    const { sparseSize = DEFAULT_SPARSE_SIZE, size: _ignored, exportFormat, ...create } = options;
    if (exportFormat === 2) {
      await importImageV2(pool, ref.image, stream, create, sparseSize);
      return;
    }
    // the name is taken at once, as rbd does; a failed import removes the image again
    const image = pool.createImage(ref.image, { ...create, size: 0 }, "import");
    const staged = image.stage();
    const writer = new SparseWriter(staged, 0, sparseSize);
    let size = 0;
    try {
      await consumeChunks(stream, (chunk) => {
        const bytes = typeof chunk === "string" ? Buffer.from(chunk, "latin1") : (chunk as Uint8Array);
        if (bytes.byteLength === 0) return;
        staged.resize(size + bytes.byteLength);
        writer.push(size, bytes);
        size += bytes.byteLength;
      });
      writer.end();
      image.commit(staged);
    } catch (error) {
      pool.discardImage(image);
      throw error;
    }
  }
}

/** `rbd import --export-format 2`: the image from the header, then each diff in turn. */
async function importImageV2(
  pool: Pool,
  name: string,
  stream: Readable,
  create: Partial<CreateImageOptions>,
  sparseSize: number,
): Promise<void> {
  const parser = new ImageV2Parser();
  let image: Image | undefined;
  let applier: DiffApplier | undefined;
  try {
    for await (const chunk of stream) {
      const bytes: Uint8Array = typeof chunk === "string" ? Buffer.from(chunk, "latin1") : chunk;
      parser.push(bytes, (record) => {
        if (record.type === "header") {
          const h = record.header;
          image = pool.createImage(
            name,
            {
              size: 0,
              ...(h.order === undefined ? {} : { order: h.order }),
              ...(h.features === undefined ? {} : { features: h.features.filter(creatable) }),
              ...(h.stripeUnit === undefined ? {} : { stripeUnit: h.stripeUnit }),
              ...(h.stripeCount === undefined ? {} : { stripeCount: h.stripeCount }),
              ...create,
            },
            "import",
          );
        } else if (record.type === "diff-start") {
          applier = new DiffApplier(image as Image, { sparseSize });
        } else if (record.type === "diff") {
          (applier as DiffApplier).apply(record.record);
          if (record.record.type === "end") (applier as DiffApplier).finish();
        }
      });
    }
    parser.end();
  } catch (error) {
    if (image) pool.discardImage(image);
    throw asImportError(error);
  }
}

/** Feature bits an export may carry that a create cannot ask for. */
function creatable(feature: string): boolean {
  return !["data-pool", "operations", "migrating", "non-primary"].includes(feature);
}

function usage(image: Image, snap: string | undefined): DiskUsage[] {
  return image.du(snap).map((row) => {
    const u: DiskUsage = {
      name: image.name,
      imageId: image.id,
      provisionedSize: row.provisionedSize,
      usedSize: row.usedSize,
    };
    if (row.snapshot) {
      u.snapshot = row.snapshot.name;
      u.id = row.snapshot.id;
    }
    return u;
  });
}
