// What a check looks at: both clusters' records and the backup pool, reduced to the few
// fields a recovery is judged on. The same shape comes from an in-process lab or, over HTTP,
// from a running `fake-cinder lab` (its /_fake/state and its fake-rbd server), so the
// checks stay pure functions of this value.
import { createHash } from "node:crypto";
import { z } from "zod";

export const volumeStateSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  size: z.number(),
  status: z.string(),
  nameId: z.string().nullable().default(null),
  attachments: z.array(
    z.object({ id: z.string(), attachStatus: z.string(), instanceUuid: z.string().nullable() }),
  ),
});
export const backupStateSchema = z.object({
  id: z.string(),
  volumeId: z.string(),
  status: z.string(),
  parentId: z.string().nullable(),
  size: z.number(),
  failReason: z.string().nullable(),
});
export const serviceStateSchema = z.object({
  binary: z.string(),
  host: z.string(),
  status: z.string(),
  state: z.string(),
});
export const cloudStateSchema = z.object({
  volumes: z.array(volumeStateSchema),
  backups: z.array(backupStateSchema),
  services: z.array(serviceStateSchema),
});
export type VolumeState = z.infer<typeof volumeStateSchema>;
export type BackupState = z.infer<typeof backupStateSchema>;
export type CloudState = z.infer<typeof cloudStateSchema>;

export interface ClusterState extends CloudState {
  /** fingerprint of each volume's seeded ranges (see SEED_RANGES); null when its image is missing */
  fingerprints: Record<string, string | null>;
}

export interface PoolImage {
  name: string;
  snaps: string[];
}

export interface LabState {
  clusters: Record<string, ClusterState>;
  backupPool: { name: string; images: PoolImage[] };
}

/** Where the exercises put the source volume's data: a few ranges spread over 1 GiB. */
export const SEED_RANGES = [
  { offset: 0, length: 64 * 1024, seed: 7 },
  { offset: 256 * 1024 * 1024, length: 64 * 1024, seed: 11 },
  { offset: 1023 * 1024 * 1024, length: 64 * 1024, seed: 13 },
] as const;

/** Deterministic pseudo-random bytes (xorshift32): the data a trainee must carry to B. */
export function seedBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export function fingerprint(chunks: Iterable<Uint8Array>): string {
  const hash = createHash("sha256");
  for (const c of chunks) hash.update(c);
  return hash.digest("hex");
}

/** The fingerprint a volume holding the source's data has. */
export const SOURCE_FINGERPRINT = fingerprint(SEED_RANGES.map((r) => seedBytes(r.length, r.seed)));
