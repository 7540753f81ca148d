// RADOS objects (not RBD images) of a Ceph cluster. The ceph backup driver keeps each
// backup's saved volume metadata in an object `backup.<bid>.meta` of the container pool.
// RbdBackend has no object API, so the fake keeps them here, keyed by pool. Clouds that
// share one backup RbdBackend instance share one store (see radosObjectsFor), which is how
// clusters A and B see each other's `.meta` objects in one process. Separate processes
// sharing a fake-rbd server do not share these objects: a restore there finds no `.meta`
// object and skips the metadata restore, as Cinder does when the object is missing.

export interface RadosObjectStore {
  get(pool: string, name: string): string | undefined;
  /** false when the object already exists (exclusive create) */
  create(pool: string, name: string, data: string): boolean;
  remove(pool: string, name: string): boolean;
  list(pool: string): string[];
}

export class InMemoryRadosObjects implements RadosObjectStore {
  #pools = new Map<string, Map<string, string>>();

  get(pool: string, name: string): string | undefined {
    return this.#pools.get(pool)?.get(name);
  }

  create(pool: string, name: string, data: string): boolean {
    let objects = this.#pools.get(pool);
    if (!objects) {
      objects = new Map();
      this.#pools.set(pool, objects);
    }
    if (objects.has(name)) return false;
    objects.set(name, data);
    return true;
  }

  remove(pool: string, name: string): boolean {
    return this.#pools.get(pool)?.delete(name) ?? false;
  }

  list(pool: string): string[] {
    return [...(this.#pools.get(pool)?.keys() ?? [])].sort();
  }
}

const stores = new WeakMap<object, Map<string, RadosObjectStore>>();

/**
 * The object store of one Ceph cluster behind `backend` (a backend may hold several clusters,
 * like rbd's --cluster): one store per (backend instance, cluster name).
 */
export function radosObjectsFor(backend: object, cluster = "ceph"): RadosObjectStore {
  let byCluster = stores.get(backend);
  if (!byCluster) {
    byCluster = new Map();
    stores.set(backend, byCluster);
  }
  let store = byCluster.get(cluster);
  if (!store) {
    // a backend over a real Ceph (fake-rbd's RbdCliBackend) keeps them in real RADOS
    const real = (backend as { radosObjects?: (cluster: string) => RadosObjectStore }).radosObjects;
    store = typeof real === "function" ? real.call(backend, cluster) : new InMemoryRadosObjects();
    byCluster.set(cluster, store);
  }
  return store;
}
