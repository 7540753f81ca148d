// Named clusters, their pools and the images in them.
import { errors, type RbdErrorContext } from "./errors.js";
import { DEFAULT_FEATURES, FEATURE_ORDER, Image, type ImageHost } from "./image.js";

export interface CephOptions {
  /** the clock timestamps come from; tests inject a fixed one */
  now?: () => Date;
  /** seed for image ids, so a run can be reproduced */
  seed?: number;
}

export interface NewImageOptions {
  size: number;
  order?: number;
  features?: readonly string[];
  stripeUnit?: number;
  stripeCount?: number;
}

/** `rbd pool init` is observed to move a fresh pool's snap_seq so its first snapshot gets id 4. */
const SNAP_SEQ_AFTER_POOL_INIT = 3;

/** Feature pairs librbd's create validates (CreateRequest::validate_features). */
const FEATURE_REQUIRES: Record<string, string> = {
  "object-map": "exclusive-lock",
  "fast-diff": "object-map",
  journaling: "exclusive-lock",
};
const FEATURE_REQUIRES_TEXT: Record<string, string> = {
  "object-map": "cannot use object map without exclusive lock",
  "fast-diff": "cannot use fast diff without object map",
  journaling: "cannot use journaling without exclusive lock",
};

class Ids {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  /** mulberry32: small, seedable, good enough for unique-looking ids */
  private next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** 12 hex digits, like the ids librbd gives format-2 images */
  imageId(): string {
    const hi = (this.next() & 0xffff).toString(16).padStart(4, "0");
    const lo = this.next().toString(16).padStart(8, "0");
    return `${hi}${lo}`;
  }
}

export class Pool {
  readonly name: string;
  readonly cluster: Cluster;
  readonly id: number;
  rbdInitialized = false;
  private snapSeq = 0;
  private readonly images = new Map<string, Image>();
  private readonly host: ImageHost;

  constructor(cluster: Cluster, name: string, id: number) {
    this.cluster = cluster;
    this.name = name;
    this.id = id;
    this.host = {
      cluster: cluster.name,
      pool: name,
      allocateSnapId: () => {
        this.snapSeq += 1;
        return this.snapSeq;
      },
      releaseSnapId: () => {
        this.snapSeq += 1;
      },
      now: () => cluster.ceph.now(),
    };
  }

  ctx(op?: string, image?: string): RbdErrorContext {
    const c: RbdErrorContext = { cluster: this.cluster.name, pool: this.name };
    if (op !== undefined) c.op = op;
    if (image !== undefined) c.image = image;
    return c;
  }

  /** `rbd pool init`; idempotent. */
  init(): void {
    if (this.rbdInitialized) return;
    this.rbdInitialized = true;
    this.snapSeq += SNAP_SEQ_AFTER_POOL_INIT;
  }

  /** Image names sorted, as `rbd ls` lists them (rbd_directory is an omap, sorted by key). */
  listImages(): string[] {
    return [...this.images.keys()].sort();
  }

  allImages(): Iterable<Image> {
    return [...this.images.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  findImage(name: string): Image | undefined {
    return this.images.get(name);
  }

  image(name: string, op = "open"): Image {
    const image = this.images.get(name);
    if (!image) throw errors.imageNotFound(this.ctx(op, name));
    return image;
  }

  createImage(name: string, options: NewImageOptions, op = "create"): Image {
    const ctx = this.ctx(op, name);
    if (name === "") throw errors.invalid(ctx, "image name is empty");
    const order = options.order ?? 22;
    if (!Number.isInteger(order) || order < 12 || order > 25) {
      throw errors.invalid(
        ctx,
        `order ${order} is outside [12, 25]`,
        "rbd: the argument for option '--order' is invalid",
      );
    }
    if (!Number.isSafeInteger(options.size) || options.size < 0) {
      throw errors.invalid(ctx, `invalid size ${options.size}`);
    }
    const objectSize = 2 ** order;
    const stripeUnit = options.stripeUnit || objectSize;
    const stripeCount = options.stripeCount || 1;
    let features = [...(options.features ?? DEFAULT_FEATURES)];
    for (const f of features) {
      if (!(FEATURE_ORDER as readonly string[]).includes(f)) {
        throw errors.invalid(
          ctx,
          `unknown image feature '${f}'`,
          "rbd: the argument for option '--image-feature' is invalid",
        );
      }
    }
    // librbd keeps "striping" only for a non-default layout, and sets it when one is asked for
    const fancy = stripeUnit !== objectSize || stripeCount !== 1;
    features = features.filter((f) => f !== "striping");
    if (fancy) {
      if (objectSize % stripeUnit !== 0) {
        throw errors.invalid(ctx, `stripe unit ${stripeUnit} does not divide the object size ${objectSize}`);
      }
      features.push("striping");
    }
    for (const f of features) {
      const needs = FEATURE_REQUIRES[f];
      if (needs && !features.includes(needs)) {
        throw errors.invalid(
          ctx,
          FEATURE_REQUIRES_TEXT[f] ?? `${f} needs ${needs}`,
          `rbd: create error: (22) Invalid argument`,
        );
      }
    }
    features.sort((a, b) => FEATURE_ORDER.indexOf(a as never) - FEATURE_ORDER.indexOf(b as never));
    if (this.images.has(name)) throw errors.imageExists(ctx);
    const image = new Image(
      {
        id: this.cluster.ceph.ids.imageId(),
        name,
        size: options.size,
        order,
        features: [...new Set(features)],
        stripeUnit,
        stripeCount,
        now: this.cluster.ceph.now(),
      },
      this.host,
    );
    this.images.set(name, image);
    return image;
  }

  /** Drops an image whatever it holds: the clean-up of an import that failed half way. */
  discardImage(image: Image): void {
    if (this.images.get(image.name) === image) this.images.delete(image.name);
  }

  /** `rbd rm`: refused while the image has snapshots (ENOTEMPTY, exit 39). */
  removeImage(name: string): void {
    const image = this.image(name, "rm");
    const snaps = image.listSnaps().length;
    if (snaps > 0) throw errors.imageHasSnapshots(image.ctx("rm"), snaps);
    this.images.delete(name);
  }

  renameImage(name: string, newName: string): void {
    const image = this.image(name, "rename");
    if (newName === "") throw errors.invalid(image.ctx("rename"), "destination image name is empty");
    if (this.images.has(newName)) throw errors.imageExists(this.ctx("rename", newName));
    this.images.delete(name);
    image.name = newName;
    this.images.set(newName, image);
  }
}

export class Cluster {
  readonly name: string;
  readonly ceph: Ceph;
  private readonly pools = new Map<string, Pool>();
  private poolSeq = 0;

  constructor(ceph: Ceph, name: string) {
    this.ceph = ceph;
    this.name = name;
  }

  /** Pool names in creation order, as `ceph osd pool ls` shows them. */
  listPools(): string[] {
    return [...this.pools.keys()];
  }

  findPool(name: string): Pool | undefined {
    return this.pools.get(name);
  }

  pool(name: string, op = "open"): Pool {
    const pool = this.pools.get(name);
    if (!pool) throw errors.poolNotFound({ cluster: this.name, pool: name, op });
    return pool;
  }

  createPool(name: string): Pool {
    if (this.pools.has(name)) throw errors.poolExists({ cluster: this.name, pool: name, op: "pool create" });
    if (name === "") throw errors.invalid({ cluster: this.name, op: "pool create" }, "pool name is empty");
    this.poolSeq += 1;
    const pool = new Pool(this, name, this.poolSeq);
    this.pools.set(name, pool);
    return pool;
  }

  /** `ceph osd pool rm`: the pool goes with everything in it. */
  removePool(name: string): void {
    this.pool(name, "pool rm");
    this.pools.delete(name);
  }
}

export class Ceph {
  readonly now: () => Date;
  readonly ids: Ids;
  private readonly clusters = new Map<string, Cluster>();

  constructor(options: CephOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.ids = new Ids(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  }

  /** A cluster by name, created on first use (like pointing rbd at another ceph.conf). */
  cluster(name = "ceph"): Cluster {
    let cluster = this.clusters.get(name);
    if (!cluster) {
      cluster = new Cluster(this, name);
      this.clusters.set(name, cluster);
    }
    return cluster;
  }

  listClusters(): string[] {
    return [...this.clusters.keys()];
  }

  /** Forgets everything (the fake's control plane reset). */
  reset(): void {
    this.clusters.clear();
  }

  /**
   * Bytes held by image data across all clusters, heads and snapshots, counting each
   * backing buffer once. Proportional to bytes written, never to image sizes.
   */
  storedBytes(): number {
    const seen = new Set<ArrayBufferLike>();
    let total = 0;
    for (const cluster of this.clusters.values()) {
      for (const poolName of cluster.listPools()) {
        const pool = cluster.pool(poolName);
        for (const image of pool.allImages()) {
          const points = [image.head, ...image.listSnaps().map((s) => s.point)];
          for (const point of points) {
            for (const version of point.objects.values()) {
              for (const buffer of version.buffers()) {
                if (!seen.has(buffer)) {
                  seen.add(buffer);
                  total += buffer.byteLength;
                }
              }
            }
          }
        }
      }
    }
    return total;
  }
}
