// Test fixture: clusters A and B, each with its own in-process Ceph (LocalRbd) holding a
// volume pool, sharing one backup Ceph, all on one ManualClock.
import { createHash } from "node:crypto";
import { LocalRbd, type RbdBackend } from "@cinderlab/fake-rbd";
import { ManualClock } from "../../src/clock/index.js";
import { CinderCloud, type CinderCloudOptions, runUntilIdle } from "../../src/model/cloud.js";
import type { RequestContext } from "../../src/model/types.js";

export const ADMIN: RequestContext = { projectId: "p-admin", userId: "u-admin", isAdmin: true };
export const MEMBER: RequestContext = { projectId: "p-member", userId: "u-member", isAdmin: false };
export const OTHER: RequestContext = { projectId: "p-other", userId: "u-other", isAdmin: false };

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** deterministic UUIDv4-shaped ids, so names in assertions are readable */
export function idGenerator(prefix: string): () => string {
  let n = 0;
  return () => {
    n += 1;
    const hex = n.toString(16).padStart(12, "0");
    return `${prefix.padEnd(8, "0").slice(0, 8)}-0000-4000-8000-${hex}`;
  };
}

export interface Lab {
  clock: ManualClock;
  backupRbd: RbdBackend;
  rbdA: RbdBackend;
  rbdB: RbdBackend;
  a: CinderCloud;
  b: CinderCloud;
  idle(): Promise<void>;
}

export async function makeLab(
  options: {
    releaseA?: "zed" | "pike";
    a?: Partial<CinderCloudOptions>;
    b?: Partial<CinderCloudOptions>;
  } = {},
): Promise<Lab> {
  const clock = new ManualClock(Date.UTC(2026, 10, 25, 10, 0, 0, 123));
  const backupRbd = new LocalRbd();
  const rbdA = new LocalRbd();
  const rbdB = new LocalRbd();
  await backupRbd.createPool("backups");
  await rbdA.createPool("volumes-a");
  await rbdB.createPool("volumes-b");
  const a = new CinderCloud({
    name: "a",
    clock,
    rbd: rbdA,
    volumePool: "volumes-a",
    backupRbd,
    backupPool: "backups",
    release: options.releaseA ?? "zed",
    ids: idGenerator("aaaaaaaa"),
    ...options.a,
  });
  const b = new CinderCloud({
    name: "b",
    clock,
    rbd: rbdB,
    volumePool: "volumes-b",
    backupRbd,
    backupPool: "backups",
    ids: idGenerator("bbbbbbbb"),
    ...options.b,
  });
  return { clock, backupRbd, rbdA, rbdB, a, b, idle: () => runUntilIdle([a, b]) };
}

/** deterministic bytes, different per seed */
export function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed * 2654435761;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const ZEROS = new Uint8Array(16 * MiB);

/**
 * sha256 of the first `length` bytes of an image. Unallocated ranges (per `rbd diff`) are
 * hashed as zeros without reading them, which keeps 1 GiB volumes fast.
 */
export async function imageSha256(
  rbd: RbdBackend,
  ref: { pool: string; image: string; snap?: string },
  length: number,
): Promise<string> {
  const hash = createHash("sha256");
  const zeros = (n: number): void => {
    for (let left = n; left > 0; left -= ZEROS.length)
      hash.update(ZEROS.subarray(0, Math.min(left, ZEROS.length)));
  };
  let pos = 0;
  const extents = (await rbd.diff(ref)).filter((e) => e.exists).sort((x, y) => x.offset - y.offset);
  for (const e of extents) {
    const start = Math.min(Math.max(e.offset, pos), length);
    const end = Math.min(e.offset + e.length, length);
    if (start > pos) zeros(start - pos);
    for (let off = start; off < end; off += 16 * MiB) {
      hash.update(await rbd.readImage(ref, off, Math.min(16 * MiB, end - off)));
    }
    pos = Math.max(pos, end);
  }
  if (length > pos) zeros(length - pos);
  return hash.digest("hex");
}
