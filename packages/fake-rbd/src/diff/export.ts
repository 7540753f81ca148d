// `rbd export-diff`: the records of a diff between two points of an image, produced
// lazily as byte chunks (data chunks are views of the stored buffers, never copies).
import { diffPoints, type PointView, pointIsZero, pointPieces } from "../model/state.js";
import type { DiffVersion } from "./format.js";
import {
  concatBytes,
  encodeBanner,
  encodeEnd,
  encodeFromSnap,
  encodeProtection,
  encodeSize,
  encodeToSnap,
  encodeWriteHeader,
  encodeZero,
} from "./records.js";

export interface ExportDiffSource {
  /** the end point: a snapshot, or a frozen copy of the head */
  to: PointView;
  /** the start point (the --from-snap snapshot), if any */
  from?: PointView;
  fromSnap?: string;
  /** the snapshot the end point is, written as 't' (absent when exporting the head) */
  toSnap?: string;
  wholeObject?: boolean;
  /** 1 is what `rbd export-diff` writes; 2 is what `rbd export --export-format 2` embeds */
  version?: DiffVersion;
  /** v2 only: the end snapshot's protection, written as 'p' */
  toSnapProtected?: boolean;
  /**
   * Real rbd looks the from-snap up only after writing the header, so a missing one
   * fails the stream after its first bytes; this error is thrown there.
   */
  failAfterHeader?: Error;
}

/**
 * Chunks of an `rbd diff` stream, as rbd 16.2 writes them: 'f' (only with a from-snap),
 * 't' (only at a snapshot), 's' always, then per changed extent 'w' with its data, or
 * 'z' when the extent no longer exists or reads as all zeros, then 'e'.
 */
export function* exportDiffChunks(source: ExportDiffSource): Generator<Uint8Array> {
  const version = source.version ?? 1;
  const head: Uint8Array[] = [encodeBanner(version)];
  if (source.fromSnap !== undefined) head.push(encodeFromSnap(source.fromSnap, version));
  if (source.toSnap !== undefined) {
    head.push(encodeToSnap(source.toSnap, version));
    if (version === 2) head.push(encodeProtection(source.toSnapProtected ?? false));
  }
  head.push(encodeSize(source.to.size, version));
  yield concatBytes(head);
  if (source.failAfterHeader) throw source.failAfterHeader;

  for (const extent of diffPoints(source.from, source.to, source.wholeObject ?? false)) {
    const end = extent.offset + extent.length;
    if (extent.exists && !pointIsZero(source.to, extent.offset, end)) {
      yield encodeWriteHeader(extent.offset, extent.length, version);
      yield* pointPieces(source.to, extent.offset, end);
    } else {
      yield encodeZero(extent.offset, extent.length, version);
    }
  }
  yield encodeEnd();
}
