// How rbd import and import-diff store a buffer: it is cut into blocks of sparse-size
// bytes counted from the buffer start (rbd's utils::calc_sparse_extent); runs of
// all-zero blocks become write-zeroes (nothing stored), the rest is written.
import type { ImageState } from "./state.js";

const ZERO_BLOCK = Buffer.alloc(64 * 1024);

export interface SparseOutcome {
  written: number;
  zeroed: number;
}

/** Stores buf at offset; the caller hands buf over (it must not change afterwards). */
export function storeSparse(
  state: ImageState,
  offset: number,
  buf: Uint8Array,
  sparseSize: number,
): SparseOutcome {
  const outcome: SparseOutcome = { written: 0, zeroed: 0 };
  if (sparseSize <= 0) {
    state.write(offset, buf, true);
    outcome.written = buf.byteLength;
    return outcome;
  }
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const emit = (start: number, end: number, zero: boolean) => {
    if (end <= start) return;
    if (zero) {
      state.zero(offset + start, end - start);
      outcome.zeroed += end - start;
    } else {
      state.write(offset + start, buf.subarray(start, end), true);
      outcome.written += end - start;
    }
  };
  let runStart = 0;
  let runZero: boolean | undefined;
  for (let at = 0; at < buf.byteLength; at += sparseSize) {
    const end = Math.min(at + sparseSize, buf.byteLength);
    const zero = isZeroRange(view, at, end);
    if (runZero === undefined) runZero = zero;
    else if (zero !== runZero) {
      emit(runStart, at, runZero);
      runStart = at;
      runZero = zero;
    }
  }
  emit(runStart, buf.byteLength, runZero ?? false);
  return outcome;
}

function isZeroRange(view: Buffer, start: number, end: number): boolean {
  for (let at = start; at < end; at += ZERO_BLOCK.byteLength) {
    const stop = Math.min(end, at + ZERO_BLOCK.byteLength);
    if (view.compare(ZERO_BLOCK, 0, stop - at, at, stop) !== 0) return false;
  }
  return true;
}
