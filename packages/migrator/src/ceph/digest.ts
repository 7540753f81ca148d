// The content digest of an image, computed from its export-diff events without reading
// or hashing holes: the image is cut into 4 MiB objects (rbd's default object size); each
// object's digest is sha256 of its bytes (zeros where nothing is allocated); the image's
// digest is sha256 over the object digests in order. Equal content gives equal digests
// whatever the allocation (a hole equals an allocated run of zeros), and a 1 TiB sparse
// volume costs only its allocated bytes. Reproduce by hand with:
//   rbd export IMG - | split -b 4M --filter 'sha256sum | head -c 64 | xxd -r -p' | sha256sum
// With sampling, only the chosen objects enter the list (both sides choose the same ones).
import { createHash, type Hash } from "node:crypto";
import type { Digest } from "../engine/ports.js";
import { type DiffEvent, DiffStreamError } from "./diff-parser.js";

export const OBJECT_SIZE = 4 * 1024 * 1024;
/** kept for the sampling API: one sample is one object */
export const SAMPLE_CHUNK = OBJECT_SIZE;
const ZEROS = Buffer.alloc(OBJECT_SIZE);
const zeroDigests = new Map<number, Buffer>();

function zeroDigest(length: number): Buffer {
  let d = zeroDigests.get(length);
  if (!d) {
    d = createHash("sha256").update(ZEROS.subarray(0, length)).digest();
    zeroDigests.set(length, d);
  }
  return d;
}

export class ImageHasher {
  private readonly outer = createHash("sha256");
  /** index of the next object not yet added to the list */
  private nextObject = 0;
  private current: { index: number; hash: Hash; filled: number } | undefined;
  private allocated = 0;
  private lastOffset = 0;

  constructor(
    private readonly size: number,
    private readonly sample?: { percent: number; seed: string },
  ) {}

  private objects(): number {
    return Math.ceil(this.size / OBJECT_SIZE);
  }

  private objectLength(index: number): number {
    return Math.min(OBJECT_SIZE, this.size - index * OBJECT_SIZE);
  }

  private chosen(index: number): boolean {
    return !this.sample || sampled(index, this.sample);
  }

  event(e: DiffEvent): void {
    if (e.type !== "data") return; // 'z' extents read as zeros, exactly like holes
    if (e.offset < this.lastOffset) throw new DiffStreamError(`extents out of order at offset ${e.offset}`);
    this.lastOffset = e.offset + e.bytes.length;
    this.allocated += e.bytes.length;
    let at = 0;
    while (at < e.bytes.length) {
      const offset = e.offset + at;
      if (offset >= this.size) return; // a bigger target: only the source's size is compared
      const index = Math.floor(offset / OBJECT_SIZE);
      const within = offset - index * OBJECT_SIZE;
      const n = Math.min(e.bytes.length - at, this.objectLength(index) - within);
      if (this.chosen(index)) {
        const obj = this.open(index);
        if (within > obj.filled) obj.hash.update(ZEROS.subarray(0, within - obj.filled));
        obj.hash.update(e.bytes.subarray(at, at + n));
        obj.filled = within + n;
      }
      at += n;
    }
  }

  /** Closes objects before `index` (holes get the zero digest) and opens object `index`. */
  private open(index: number): { index: number; hash: Hash; filled: number } {
    if (this.current?.index === index) return this.current;
    this.closeUpTo(index);
    this.current = { index, hash: createHash("sha256"), filled: 0 };
    this.nextObject = index + 1;
    return this.current;
  }

  private closeUpTo(index: number): void {
    if (this.current) {
      const c = this.current;
      const len = this.objectLength(c.index);
      if (c.filled < len) c.hash.update(ZEROS.subarray(0, len - c.filled));
      this.outer.update(c.hash.digest());
      this.current = undefined;
    }
    for (let i = this.nextObject; i < index; i++) {
      if (this.chosen(i)) this.outer.update(zeroDigest(this.objectLength(i)));
    }
    this.nextObject = Math.max(this.nextObject, index);
  }

  result(): Digest {
    this.closeUpTo(this.objects());
    return {
      sha256: this.outer.digest("hex"),
      method: this.sample
        ? `sample:${this.sample.percent}% of 4 MiB objects`
        : "sha256 of every 4 MiB object",
      bytes: this.size,
      allocatedBytes: this.allocated,
    };
  }
}

/** Deterministic choice of object `index` from the seed: FNV-1a of seed+index, mod 10000. */
export function sampled(index: number, sample: { percent: number; seed: string }): boolean {
  if (sample.percent >= 100) return true;
  let h = 0x811c9dc5;
  for (const c of `${sample.seed}:${index}`) {
    h ^= c.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 10000 < sample.percent * 100;
}
