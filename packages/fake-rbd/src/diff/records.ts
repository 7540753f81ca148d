// Pure encoders for diff records, and the small reader helpers the parser decodes with.
import { RbdError } from "../model/errors.js";
import {
  BANNER_V1,
  BANNER_V2,
  type DiffVersion,
  EXTENT_HEADER,
  LE32,
  LE64,
  PROTECTION_DECLARED_LENGTH,
  TAG_END,
  TAG_FROM_SNAP,
  TAG_IMAGE_SIZE,
  TAG_PROTECTION,
  TAG_TO_SNAP,
  TAG_WRITE,
  TAG_ZERO,
} from "./format.js";

const encoder = new TextEncoder();

export function encodeBanner(version: DiffVersion = 1): Uint8Array {
  return encoder.encode(version === 1 ? BANNER_V1 : BANNER_V2);
}

/** Writes a non-negative safe integer as le64. */
export function putLe64(view: DataView, at: number, value: number): void {
  view.setUint32(at, value % 2 ** 32, true);
  view.setUint32(at + 4, Math.floor(value / 2 ** 32), true);
}

/** Reads le64; values past 2^53 cannot be offsets of a real image and are refused. */
export function getLe64(bytes: Uint8Array, at: number): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(at, true);
  const hi = view.getUint32(at + 4, true);
  if (hi >= 2 ** 21) return undefined;
  return hi * 2 ** 32 + lo;
}

function record(
  tag: number,
  payloadLength: number,
  version: DiffVersion,
): { bytes: Uint8Array; view: DataView; at: number } {
  const head = version === 2 ? 1 + LE64 : 1;
  const bytes = new Uint8Array(head + payloadLength);
  const view = new DataView(bytes.buffer);
  bytes[0] = tag;
  if (version === 2) putLe64(view, 1, payloadLength);
  return { bytes, view, at: head };
}

function stringRecord(tag: number, name: string, version: DiffVersion): Uint8Array {
  const text = encoder.encode(name);
  const r = record(tag, LE32 + text.byteLength, version);
  r.view.setUint32(r.at, text.byteLength, true);
  r.bytes.set(text, r.at + LE32);
  return r.bytes;
}

export function encodeFromSnap(name: string, version: DiffVersion = 1): Uint8Array {
  return stringRecord(TAG_FROM_SNAP, name, version);
}

export function encodeToSnap(name: string, version: DiffVersion = 1): Uint8Array {
  return stringRecord(TAG_TO_SNAP, name, version);
}

export function encodeSize(size: number, version: DiffVersion = 1): Uint8Array {
  const r = record(TAG_IMAGE_SIZE, LE64, version);
  putLe64(r.view, r.at, size);
  return r.bytes;
}

/** v2 only: whether import-diff should protect the end snapshot it creates. */
export function encodeProtection(isProtected: boolean): Uint8Array {
  const r = record(TAG_PROTECTION, 1, 2);
  // what rbd 16.2 writes: a declared length of 8 in front of the 1-byte payload
  putLe64(r.view, 1, PROTECTION_DECLARED_LENGTH);
  r.bytes[r.at] = isProtected ? 1 : 0;
  return r.bytes;
}

function extentHeader(tag: number, offset: number, length: number, payload: number, version: DiffVersion) {
  const r = record(tag, EXTENT_HEADER, version);
  if (version === 2) putLe64(r.view, 1, payload);
  putLe64(r.view, r.at, offset);
  putLe64(r.view, r.at + LE64, length);
  return r.bytes;
}

/** The header of a 'w' record; `length` bytes of data must follow it. */
export function encodeWriteHeader(offset: number, length: number, version: DiffVersion = 1): Uint8Array {
  return extentHeader(TAG_WRITE, offset, length, EXTENT_HEADER + length, version);
}

/** A whole 'w' record (header and data in one buffer), for tests and small writes. */
export function encodeWrite(offset: number, data: Uint8Array, version: DiffVersion = 1): Uint8Array {
  const header = encodeWriteHeader(offset, data.byteLength, version);
  const out = new Uint8Array(header.byteLength + data.byteLength);
  out.set(header);
  out.set(data, header.byteLength);
  return out;
}

export function encodeZero(offset: number, length: number, version: DiffVersion = 1): Uint8Array {
  return extentHeader(TAG_ZERO, offset, length, EXTENT_HEADER, version);
}

export function encodeEnd(): Uint8Array {
  return Uint8Array.of(TAG_END);
}

/** A v2 record with an arbitrary tag, to test that readers skip what they do not know. */
export function encodeUnknownV2(tag: number, payload: Uint8Array): Uint8Array {
  const r = record(tag, payload.byteLength, 2);
  r.bytes.set(payload, r.at);
  return r.bytes;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.byteLength;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

const IMPORT_FAILED = "rbd: import-diff failed:";

/** A malformed stream, worded as real import-diff words it (plus a stable reason). */
export function streamError(
  code: "EBADMSG" | "EINVAL" | "EEXIST",
  reason: string,
  message: string,
  firstLine: string,
  offset: number,
): RbdError {
  const errno = { EBADMSG: "(74) Bad message", EINVAL: "(22) Invalid argument", EEXIST: "(17) File exists" }[
    code
  ];
  return new RbdError(code, message, {
    rbdMessage: `${firstLine}\n${IMPORT_FAILED} ${errno}`,
    context: { op: "import-diff", reason, offset },
  });
}
