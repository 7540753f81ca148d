// Bytes in a volume, through the lab's shared fake Ceph: the tests put known bytes
// into a source volume's RBD image and compare sha256 digests of whole images,
// because a migration is only right if the bytes in B equal the bytes in A.
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";

/** The part of fake-rbd's RbdBackend contract these helpers use. */
export interface ImageBytes {
  writeImage(ref: ImageLocation, offset: number, data: Uint8Array): Promise<void>;
  exportImage(ref: ImageLocation): Promise<Readable>;
  /** frees connections (RemoteRbd) */
  close?(): Promise<void>;
}

export interface ImageLocation {
  cluster?: string;
  pool: string;
  image: string;
}

/** Cinder's RBD volume driver names a volume's image `volume-<id>`. */
export function volumeImage(cluster: string, pool: string, volumeId: string): ImageLocation {
  return { cluster, pool, image: `volume-${volumeId}` };
}

/** Writes each [offset, bytes] pair into the image. */
export async function writeVolumeBytes(
  rbd: ImageBytes,
  ref: ImageLocation,
  writes: Array<{ offset: number; data: Uint8Array }>,
): Promise<void> {
  for (const w of writes) await rbd.writeImage(ref, w.offset, w.data);
}

/** sha256 of the whole image as `rbd export` would stream it. */
export async function sha256OfVolume(rbd: ImageBytes, ref: ImageLocation): Promise<string> {
  const stream = await rbd.exportImage(ref);
  const hash = createHash("sha256");
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** sha256 of what an image of `size` bytes holding only `writes` (zeros elsewhere) exports as. */
export function expectedSha256(size: number, writes: Array<{ offset: number; data: Uint8Array }>): string {
  const sorted = [...writes].sort((x, y) => x.offset - y.offset);
  const hash = createHash("sha256");
  const zeros = Buffer.alloc(1 << 20);
  let pos = 0;
  const zeroFill = (until: number) => {
    while (pos < until) {
      const n = Math.min(zeros.length, until - pos);
      hash.update(zeros.subarray(0, n));
      pos += n;
    }
  };
  for (const w of sorted) {
    if (w.offset < pos) throw new Error("overlapping writes are not supported by expectedSha256");
    zeroFill(w.offset);
    hash.update(w.data);
    pos += w.data.length;
  }
  zeroFill(size);
  return hash.digest("hex");
}

/** Deterministic pseudo-random bytes (xorshift32), so a failing run can be reproduced. */
export function patternBytes(length: number, seed: number): Uint8Array {
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
