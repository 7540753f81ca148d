// sha256 of an image's logical bytes from its export-diff events: holes and 'z' extents
// count as zeros, so the digest equals `rbd export IMAGE - | sha256sum` while only the
// allocated extents are read. With sampling, only chosen 4 MiB chunks are hashed (both
// sides choose the same chunks from the same seed).
import { createHash } from "node:crypto";
import type { Digest } from "../engine/ports.js";
import { type DiffEvent, DiffStreamError } from "./diff-parser.js";

export const SAMPLE_CHUNK = 4 * 1024 * 1024;
const ZEROS = Buffer.alloc(1024 * 1024);

export class ImageHasher {
  private readonly hash = createHash("sha256");
  private position = 0;
  private allocated = 0;

  constructor(
    private readonly size: number,
    private readonly sample?: { percent: number; seed: string },
  ) {}

  event(e: DiffEvent): void {
    if (e.type === "data") {
      this.seek(e.offset);
      this.feed(e.bytes);
      this.allocated += e.bytes.length;
    }
    // 'z' extents read as zeros, exactly like holes: the next seek fills them
  }

  private seek(offset: number): void {
    if (offset < this.position) throw new DiffStreamError(`extents out of order at offset ${offset}`);
    this.zeros(offset - this.position);
  }

  private zeros(count: number): void {
    const hashed = Math.min(count, Math.max(0, this.size - this.position));
    for (let left = hashed; left > 0; ) {
      const n = Math.min(left, ZEROS.length);
      this.feed(ZEROS.subarray(0, n));
      left -= n;
    }
    this.position += count - hashed;
  }

  private feed(bytes: Uint8Array): void {
    // bytes beyond `size` (a bigger target) are ignored: the restored volume may be larger
    let data = bytes;
    if (this.position + data.length > this.size)
      data = data.subarray(0, Math.max(0, this.size - this.position));
    if (!this.sample) {
      this.hash.update(data);
    } else {
      let at = 0;
      while (at < data.length) {
        const chunk = Math.floor((this.position + at) / SAMPLE_CHUNK);
        const end = Math.min(data.length, (chunk + 1) * SAMPLE_CHUNK - this.position);
        if (sampled(chunk, this.sample)) this.hash.update(data.subarray(at, end));
        at = end;
      }
    }
    this.position += bytes.length;
  }

  result(): Digest {
    if (this.position < this.size) this.zeros(this.size - this.position);
    return {
      sha256: this.hash.digest("hex"),
      method: this.sample ? `sample:${this.sample.percent}%` : "full",
      bytes: this.size,
      allocatedBytes: this.allocated,
    };
  }
}

/** Deterministic choice of chunk `index` from the seed: FNV-1a of seed+index, mod 10000. */
export function sampled(index: number, sample: { percent: number; seed: string }): boolean {
  if (sample.percent >= 100) return true;
  let h = 0x811c9dc5;
  for (const c of `${sample.seed}:${index}`) {
    h ^= c.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 10000 < sample.percent * 100;
}
