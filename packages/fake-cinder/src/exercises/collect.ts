// Adapters that build a LabState: from a Lab in this process, or from a running lab
// described by its ready file (lab.json), over the /_fake/state endpoints and fake-rbd.
import { readFile } from "node:fs/promises";
import { type RbdBackend, RemoteRbd } from "@cinderlab/fake-rbd";
import { z } from "zod";
import type { Lab } from "../lab.js";
import {
  type CloudState,
  type ClusterState,
  cloudStateSchema,
  fingerprint,
  type LabState,
  type PoolImage,
  SEED_RANGES,
} from "./state.js";

interface Place {
  cluster: string;
  pool: string;
}

async function volumeFingerprints(rbd: RbdBackend, cloud: CloudState, place: Place) {
  const out: Record<string, string | null> = {};
  for (const v of cloud.volumes) {
    const ref = { cluster: place.cluster, pool: place.pool, image: `volume-${v.nameId ?? v.id}` };
    try {
      const chunks: Uint8Array[] = [];
      for (const r of SEED_RANGES) {
        // a range past the end of a smaller volume reads as missing data
        chunks.push(
          r.offset + r.length <= v.size * 1024 ** 3
            ? await rbd.readImage(ref, r.offset, r.length)
            : new Uint8Array(),
        );
      }
      out[v.id] = fingerprint(chunks);
    } catch {
      out[v.id] = null;
    }
  }
  return out;
}

async function poolImages(rbd: RbdBackend, pool: string, cluster: string): Promise<PoolImage[]> {
  const images: PoolImage[] = [];
  for (const name of (await rbd.listImages(pool, cluster)).sort()) {
    const snaps = await rbd.listSnaps({ cluster, pool, image: name }).catch(() => []);
    images.push({ name, snaps: snaps.map((s) => s.name) });
  }
  return images;
}

async function clusterState(rbd: RbdBackend, cloud: CloudState, place: Place): Promise<ClusterState> {
  return { ...cloud, fingerprints: await volumeFingerprints(rbd, cloud, place) };
}

/** The state of a lab running in this process (waits for driver work in flight first). */
export async function collectLabState(lab: Lab): Promise<LabState> {
  await lab.settled();
  const clusters: Record<string, ClusterState> = {};
  for (const c of Object.values(lab.clusters)) {
    const cloud = cloudStateSchema.parse(c.cloud.dump());
    clusters[c.name] = await clusterState(lab.rbd, cloud, { cluster: c.rbdCluster, pool: c.volumePool });
  }
  return {
    clusters,
    backupPool: {
      name: lab.backupPool,
      images: await poolImages(lab.rbd, lab.backupPool, lab.backupCluster),
    },
  };
}

/** The parts of a lab's ready file (LabDescription) a check needs. */
export const readyFileSchema = z.object({
  clusters: z.record(
    z.string(),
    z.object({ cinderNoauth: z.string(), volumePool: z.string(), rbdCluster: z.string() }),
  ),
  rbd: z.object({ url: z.string().optional() }),
  backupPool: z.string(),
  backupCluster: z.string(),
  exercise: z.string().optional(),
});
export type ReadyFile = z.infer<typeof readyFileSchema>;

export async function readReadyFile(file: string): Promise<ReadyFile> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new Error(
      `cannot read the lab's ready file ${file} (${(error as Error).message}); is the lab running with --ready-file ${file}?`,
    );
  }
  const parsed = readyFileSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new Error(`${file} is not a fake-cinder lab ready file: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** The state of a running lab, through its control endpoints and its fake-rbd server. */
export async function collectRemoteLabState(ready: ReadyFile): Promise<LabState> {
  if (!ready.rbd.url)
    throw new Error(
      "the lab serves no fake-rbd (started with --no-serve-rbd?); --check needs it to look into the pools",
    );
  const rbd = new RemoteRbd({ url: ready.rbd.url });
  try {
    const clusters: Record<string, ClusterState> = {};
    for (const [name, c] of Object.entries(ready.clusters)) {
      const url = `${c.cinderNoauth}/_fake/state`;
      const response = await fetch(url).catch((error: Error) => {
        throw new Error(
          `cannot reach cluster ${name} at ${url}: ${error.message}; is the lab still running?`,
        );
      });
      if (!response.ok)
        throw new Error(`${url} answered ${response.status}; the lab must serve /_fake (no --no-control)`);
      const cloud = cloudStateSchema.parse(await response.json());
      clusters[name] = await clusterState(rbd, cloud, { cluster: c.rbdCluster, pool: c.volumePool });
    }
    return {
      clusters,
      backupPool: {
        name: ready.backupPool,
        images: await poolImages(rbd, ready.backupPool, ready.backupCluster),
      },
    };
  } finally {
    await rbd.close();
  }
}
