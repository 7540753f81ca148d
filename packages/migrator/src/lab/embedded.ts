// Glue between the fake lab (@cinderlab/fake-cinder's startLab) and the migrator, shared by
// the demo, the bench and the tests: openrc files per side, a ceph.conf per Ceph cluster
// pointing fake-rbd at the lab, volumes with known bytes in A.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Lab, LabOptions } from "@cinderlab/fake-cinder";
import { startLab } from "@cinderlab/fake-cinder";

export interface EmbeddedLab {
  lab: Lab;
  dir: string;
  openrc: { a: string; b: string };
  cephConf: { backup: string; b: string; a: string };
  /** command line of the fake-rbd CLI */
  rbdBin: string;
  /** the cinder-migrate arguments that reach this lab */
  args: string[];
  close(): Promise<void>;
}

export function fakeRbdBin(): string {
  // the package's entry is dist/index.js; the CLI sits next to it
  const entry = fileURLToPath(import.meta.resolve("@cinderlab/fake-rbd"));
  return `${process.execPath} ${join(dirname(entry), "cli", "bin.js")}`;
}

export async function startEmbeddedLab(dir: string, options: LabOptions = {}): Promise<EmbeddedLab> {
  mkdirSync(dir, { recursive: true });
  const lab = await startLab({ serveRbd: true, ...options });
  try {
    const rc = await lab.writeOpenrc(dir);
    const conf = (cluster: string) => {
      const path = join(dir, `${cluster}.conf`);
      writeFileSync(path, `[global]\nfake rbd url = ${lab.rbdUrl}\nfake rbd cluster = ${cluster}\n`);
      return path;
    };
    const a = lab.cluster("a");
    const b = lab.cluster("b");
    const cephConf = { backup: conf(lab.backupCluster), a: conf(a.rbdCluster), b: conf(b.rbdCluster) };
    const openrc = { a: rc.a?.admin ?? "", b: rc.b?.admin ?? "" };
    const rbdBin = fakeRbdBin();
    const args = [
      "--from-openrc",
      openrc.a,
      "--to-openrc",
      openrc.b,
      "--rbd-bin",
      rbdBin,
      "--backup-ceph-conf",
      cephConf.backup,
      "--backup-pool",
      lab.backupPool,
      "--to-ceph-conf",
      cephConf.b,
      "--to-pool",
      b.volumePool,
    ];
    return { lab, dir, openrc, cephConf, rbdBin, args, close: () => lab.close() };
  } catch (error) {
    await lab.close();
    throw error;
  }
}

export interface SeededVolume {
  id: string;
  name: string;
  size: number;
  /** what was written where (the rest reads as zeros) */
  writes: { offset: number; data: Buffer }[];
}

/** A recognisable, seed-dependent byte pattern. */
export function pattern(seed: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (seed * 131 + i * 7 + (i >> 9)) & 0xff;
  return b;
}

/** Creates a volume in a cluster through the model (as its admin) and writes data into its RBD image. */
export async function seedVolume(
  embedded: EmbeddedLab,
  cluster: string,
  spec: {
    name: string;
    size: number;
    metadata?: Record<string, string>;
    description?: string;
    writes: { offset: number; data: Buffer }[];
  },
): Promise<SeededVolume> {
  const c = embedded.lab.cluster(cluster);
  const ctx = { projectId: c.projectId, userId: c.admin.id, isAdmin: true };
  const v = c.cloud.createVolume(ctx, {
    size: spec.size,
    name: spec.name,
    ...(spec.description ? { description: spec.description } : {}),
    ...(spec.metadata ? { metadata: spec.metadata } : {}),
  });
  await untilCloud(c.cloud, () => c.cloud.getVolume(ctx, v.id).status === "available");
  await writeVolume(embedded, cluster, v.id, spec.writes);
  return { id: v.id, name: spec.name, size: spec.size, writes: spec.writes };
}

export async function writeVolume(
  embedded: EmbeddedLab,
  cluster: string,
  id: string,
  writes: { offset: number; data: Buffer }[],
): Promise<void> {
  const c = embedded.lab.cluster(cluster);
  for (const w of writes) {
    await embedded.lab.rbd.writeImage(
      { cluster: c.rbdCluster, pool: c.volumePool, image: `volume-${id}` },
      w.offset,
      w.data,
    );
  }
}

/** Resolves when a condition of the lab's model holds, re-checking on every change it announces. */
export function untilCloud(cloud: Lab["clusters"][string]["cloud"], check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (check()) return resolve();
    const off = cloud.on("change", () => {
      if (check()) {
        off();
        resolve();
      }
    });
  });
}
