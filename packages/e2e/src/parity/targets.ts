// The two kinds of target: the real reference (scripts/reference/up.sh) and the fakes
// (fake-cinder's startLab, in this process, on fake-rbd).
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { type Lab, type LabOptions, startLab } from "@cinderlab/fake-cinder";
import { z } from "zod";
import type { BackupPoolImage, ParityTarget } from "./types.js";

const run = promisify(execFile);

const referenceEnvSchema = z.object({
  CINDER_A_URL: z.url(),
  CINDER_B_URL: z.url(),
  CEPH_CONF: z.string().min(1),
  BACKUP_POOL: z.string().min(1),
  CINDER_VERSION: z.string(),
  CEPH_VERSION: z.string(),
});
export type ReferenceEnv = z.infer<typeof referenceEnvSchema>;

export const DEFAULT_REFERENCE_ENV = "/tmp/cinderlab-reference/env";

/**
 * The env file of the reference to use: $CINDERLAB_REFERENCE_ENV (a reference started
 * elsewhere, e.g. `up.sh /some/dir` prints its path) or up.sh's default.
 */
export function referenceEnvPath(): string {
  return process.env.CINDERLAB_REFERENCE_ENV || DEFAULT_REFERENCE_ENV;
}

/** reads the KEY=value file up.sh writes */
export async function readReferenceEnv(path = referenceEnvPath()): Promise<ReferenceEnv> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new Error(
      `no reference running: ${path} is missing (start it with npm run reference:up, or point CINDERLAB_REFERENCE_ENV at the env file of a running one)`,
    );
  }
  const pairs = text
    .split("\n")
    .filter((l) => l.includes("="))
    .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]);
  return referenceEnvSchema.parse(Object.fromEntries(pairs));
}

async function rbdJson(conf: string, args: string[]): Promise<unknown> {
  const { stdout } = await run("rbd", ["-c", conf, ...args, "--format", "json"], { maxBuffer: 16 << 20 });
  return JSON.parse(stdout) as unknown;
}

export function referenceTarget(env: ReferenceEnv): ParityTarget {
  return {
    kind: "reference",
    a: { name: "a", url: env.CINDER_A_URL, hosts: ["reference-a"] },
    b: { name: "b", url: env.CINDER_B_URL, hosts: ["reference-b"] },
    async backupPool(): Promise<BackupPoolImage[]> {
      const images = z.array(z.string()).parse(await rbdJson(env.CEPH_CONF, ["ls", env.BACKUP_POOL]));
      const out: BackupPoolImage[] = [];
      for (const image of images) {
        const snaps = z
          .array(z.object({ name: z.string() }))
          .parse(await rbdJson(env.CEPH_CONF, ["snap", "ls", `${env.BACKUP_POOL}/${image}`]));
        out.push({ image, snaps: snaps.map((x) => x.name) });
      }
      return out;
    },
    versions: { cinder: env.CINDER_VERSION, ceph: env.CEPH_VERSION, auth: "noauth" },
    pollIntervalMs: 250,
    timeoutMs: 300_000,
  };
}

export interface FakesTarget extends ParityTarget {
  lab: Lab;
  close(): Promise<void>;
}

/** the fakes: a fresh lab (clusters a and b sharing one fake backup Ceph) */
export async function fakesTarget(options: LabOptions = {}): Promise<FakesTarget> {
  const lab = await startLab({ logger: false, ...options });
  const a = lab.cluster("a");
  const b = lab.cluster("b");
  const hostsOf = (c: typeof a): string[] => [c.cloud.host];
  return {
    kind: "fakes",
    lab,
    a: { name: "a", url: a.noauthUrl, hosts: hostsOf(a) },
    b: { name: "b", url: b.noauthUrl, hosts: hostsOf(b) },
    async backupPool(): Promise<BackupPoolImage[]> {
      const images = await lab.rbd.listImages(lab.backupPool, lab.backupCluster);
      const out: BackupPoolImage[] = [];
      for (const image of images) {
        const snaps = await lab.rbd.listSnaps({ pool: lab.backupPool, cluster: lab.backupCluster, image });
        out.push({ image, snaps: snaps.map((x) => x.name) });
      }
      return out;
    },
    versions: { target: "fakes" },
    pollIntervalMs: 25,
    timeoutMs: 30_000,
    close: () => lab.close(),
  };
}
