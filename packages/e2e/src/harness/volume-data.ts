// Bytes in a volume, through the lab's shared fake Ceph: the tests put known bytes
// into a source volume's RBD image and compare sha256 digests of whole images,
// because a migration is only right if the bytes in B equal the bytes in A.
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";

/** The part of fake-rbd's RbdBackend contract these helpers use. */
export interface ImageBytes {
  writeImage(ref: ImageLocation, offset: number, data: Uint8Array): Promise<void>;
  readImage(ref: ImageLocation, offset: number, length: number): Promise<Uint8Array>;
  listImages(pool: string, cluster?: string): Promise<string[]>;
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

/** Deterministic pseudo-random bytes (the lab's xorshift32), so a failing run can be reproduced. */
export { seedBytes as patternBytes } from "@cinderlab/fake-cinder";
