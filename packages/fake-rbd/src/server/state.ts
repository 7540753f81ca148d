import type { RbdBackend } from "../backend.js";

export interface StateSummary {
  clusters: Record<
    string,
    {
      pools: Record<string, { images: { name: string; size: number; usedBytes: number; snaps: string[] }[] }>;
    }
  >;
}

/** GET /_fake/state: what a test or an operator wants to see at a glance, from the contract alone. */
export async function stateSummary(backend: RbdBackend, clusters: readonly string[]): Promise<StateSummary> {
  const summary: StateSummary = { clusters: {} };
  for (const cluster of clusters) {
    const pools: StateSummary["clusters"][string]["pools"] = {};
    for (const pool of await backend.listPools(cluster).catch(() => [])) {
      const images = [];
      for (const name of await backend.listImages(pool, cluster)) {
        const ref = { cluster, pool, image: name };
        const [info, snaps, du] = await Promise.all([
          backend.imageInfo(ref),
          backend.listSnaps(ref),
          backend.du(ref).catch(() => []),
        ]);
        const head = du.find((d) => d.snapshot === undefined);
        images.push({
          name,
          size: info.size,
          usedBytes: du.reduce((sum, d) => sum + d.usedSize, 0) || (head?.usedSize ?? 0),
          snaps: snaps.map((s) => s.name),
        });
      }
      pools[pool] = { images };
    }
    summary.clusters[cluster] = { pools };
  }
  return summary;
}
