// How rbd import and import-diff store incoming data: it is cut into blocks of
// sparse-size bytes counted from the start of the write (rbd's
// utils::calc_sparse_extent); runs of all-zero blocks become write-zeroes (nothing is
// stored), the rest is written.
//
// Large incoming pieces (an in-process export's views of stored objects) are kept as
// they are, no copy. Small ones (what a socket or a pipe delivers: 64 KiB and less, often
// split further by HTTP chunk framing) are first copied into an object-sized buffer: one
// memcpy is far cheaper than what tens of thousands of small buffers cost to keep (an
// allocation, a model extent and garbage-collector work each, for as long as the image
// lives). A block split across two stored pieces is assembled in a small carry buffer.
import type { ImageState } from "./state.js";

const ZERO_BLOCK = Buffer.alloc(64 * 1024);

/** Pieces at least this large are stored as views; smaller ones are assembled. */
export const ASSEMBLE_BELOW = 1024 * 1024;
/** An assembly buffer never spans objects, nor more than this (objects may be 32 MiB). */
const ASSEMBLY_MAX = 4 * 1024 * 1024;

export interface SparseOutcome {
  written: number;
  zeroed: number;
}

export class SparseWriter {
  private readonly state: ImageState;
  private readonly sparseSize: number;
  /** image offset the next piece must start at */
  private pos: number;
  /** where the write ends, when known (import-diff's 'w' record), so a buffer fits it */
  private readonly writeEnd?: number;
  /** the object-sized buffer small pieces are copied into, filled from its start */
  private assembly: Uint8Array | undefined;
  private assemblyFilled = 0;
  /** image offset of the assembly buffer's first byte */
  private assemblyOffset = 0;
  private carry: Uint8Array | undefined;
  private carryFilled = 0;
  /** image offset of the carry block's first byte */
  private carryOffset = 0;
  readonly outcome: SparseOutcome = { written: 0, zeroed: 0 };

  /**
   * `base` is where block counting starts (the record's offset); sparseSize 0 stores
   * everything; `length`, when known, is the whole write's.
   */
  constructor(state: ImageState, base: number, sparseSize: number, length?: number) {
    this.state = state;
    this.pos = base;
    this.sparseSize = sparseSize;
    if (length !== undefined) this.writeEnd = base + length;
  }

  /** Takes the next piece (a large one is handed over: it must not change afterwards). */
  push(offset: number, bytes: Uint8Array): void {
    if (offset !== this.pos) throw new Error(`sparse writer expected offset ${this.pos}, got ${offset}`);
    this.pos += bytes.byteLength;
    if (bytes.byteLength >= ASSEMBLE_BELOW) {
      this.flushAssembly();
      this.take(offset, bytes);
      return;
    }
    let at = 0;
    while (at < bytes.byteLength) {
      if (!this.assembly) this.startAssembly(offset + at);
      const assembly = this.assembly as Uint8Array;
      const n = Math.min(bytes.byteLength - at, assembly.byteLength - this.assemblyFilled);
      assembly.set(
        at === 0 && n === bytes.byteLength ? bytes : bytes.subarray(at, at + n),
        this.assemblyFilled,
      );
      this.assemblyFilled += n;
      at += n;
      if (this.assemblyFilled === assembly.byteLength) this.flushAssembly();
    }
  }

  /** Stores what is left: the assembly buffer's bytes and a last partial block. */
  end(): SparseOutcome {
    this.flushAssembly();
    if (this.carry) this.flushCarry();
    return this.outcome;
  }

  /** A buffer from `offset` to the end of its object (or of the write, if sooner), capped. */
  private startAssembly(offset: number): void {
    const objectSize = this.state.objectSize;
    let size = Math.min(objectSize - (offset % objectSize), ASSEMBLY_MAX);
    if (this.writeEnd !== undefined) size = Math.min(size, this.writeEnd - offset);
    // not zero-filled: only the bytes copied in are ever stored or read
    this.assembly = Buffer.allocUnsafeSlow(size);
    this.assemblyFilled = 0;
    this.assemblyOffset = offset;
  }

  private flushAssembly(): void {
    const assembly = this.assembly;
    if (!assembly) return;
    this.assembly = undefined;
    if (this.assemblyFilled > 0) this.take(this.assemblyOffset, assembly.subarray(0, this.assemblyFilled));
  }

  /** Stores a piece (handed over) block by block, carrying a block split at its end. */
  private take(offset: number, bytes: Uint8Array): void {
    if (this.sparseSize <= 0) {
      this.write(offset, bytes);
      return;
    }
    let at = 0;
    if (this.carry) {
      const n = Math.min(bytes.byteLength, this.carry.byteLength - this.carryFilled);
      this.carry.set(bytes.subarray(0, n), this.carryFilled);
      this.carryFilled += n;
      at = n;
      if (this.carryFilled < this.carry.byteLength) return;
      this.flushCarry();
    }
    const blocks = Math.floor((bytes.byteLength - at) / this.sparseSize) * this.sparseSize;
    if (blocks > 0) this.storeBlocks(offset + at, bytes.subarray(at, at + blocks));
    at += blocks;
    if (at < bytes.byteLength) {
      this.carry = new Uint8Array(this.sparseSize);
      this.carryOffset = offset + at;
      this.carry.set(bytes.subarray(at));
      this.carryFilled = bytes.byteLength - at;
    }
  }

  private flushCarry(): void {
    const carry = this.carry as Uint8Array;
    const data = carry.subarray(0, this.carryFilled);
    this.carry = undefined;
    this.carryFilled = 0;
    this.storeBlocks(this.carryOffset, data);
  }

  /** data starts on a block boundary; its last block may be partial. */
  private storeBlocks(offset: number, data: Uint8Array): void {
    const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    let runStart = 0;
    let runZero: boolean | undefined;
    for (let at = 0; at < data.byteLength; at += this.sparseSize) {
      const end = Math.min(at + this.sparseSize, data.byteLength);
      const zero = isZeroRange(view, at, end);
      if (runZero === undefined) runZero = zero;
      else if (zero !== runZero) {
        this.emit(offset, data, runStart, at, runZero);
        runStart = at;
        runZero = zero;
      }
    }
    this.emit(offset, data, runStart, data.byteLength, runZero ?? false);
  }

  private emit(offset: number, data: Uint8Array, start: number, end: number, zero: boolean): void {
    if (end <= start) return;
    if (zero) {
      this.state.zero(offset + start, end - start);
      this.outcome.zeroed += end - start;
    } else this.write(offset + start, data.subarray(start, end));
  }

  private write(offset: number, data: Uint8Array): void {
    this.state.write(offset, data, true);
    this.outcome.written += data.byteLength;
  }
}

function isZeroRange(view: Buffer, start: number, end: number): boolean {
  // most data blocks give themselves away at either end, before any native call
  if (view[start] !== 0 || view[end - 1] !== 0) return false;
  for (let at = start; at < end; at += ZERO_BLOCK.byteLength) {
    const stop = Math.min(end, at + ZERO_BLOCK.byteLength);
    if (view.compare(ZERO_BLOCK, 0, stop - at, at, stop) !== 0) return false;
  }
  return true;
}
