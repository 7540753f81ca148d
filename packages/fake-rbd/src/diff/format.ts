// The `rbd diff` stream framing (ceph doc/dev/rbd-diff.rst; tools/rbd export-diff /
// import-diff). All integers are little-endian; a string is a le32 length + bytes.
//
// v1: banner, then records `tag payload`; payload sizes are implied by the tag.
// v2: banner, then `tag le64-length payload` for every record but 'e', so a reader
//     can skip tags it does not know.

export const BANNER_V1 = "rbd diff v1\n";
export const BANNER_V2 = "rbd diff v2\n";
export const BANNER_LENGTH = 12;

export const TAG_FROM_SNAP = 0x66; // 'f' + string: the snapshot the diff starts from
export const TAG_TO_SNAP = 0x74; // 't' + string: the snapshot the diff ends at
export const TAG_IMAGE_SIZE = 0x73; // 's' + le64: the image size at the end point
export const TAG_PROTECTION = 0x70; // 'p' + u8 (v2 only): the end snapshot is protected
/** rbd 16.2's export writes the 'p' record's length as 8 although its payload is 1 byte */
export const PROTECTION_DECLARED_LENGTH = 8;
export const TAG_WRITE = 0x77; // 'w' + le64 offset + le64 length + data
export const TAG_ZERO = 0x7a; // 'z' + le64 offset + le64 length
export const TAG_END = 0x65; // 'e'

export const LE32 = 4;
export const LE64 = 8;
/** tag + le64 offset + le64 length */
export const EXTENT_HEADER = 16;
/** import-diff refuses longer snapshot names (rbd utils::read_string limit) */
export const MAX_SNAP_NAME = 4096;
/** import-diff's default --sparse-size: zero runs of this size in 'w' data are not stored */
export const DEFAULT_SPARSE_SIZE = 4096;

export type DiffVersion = 1 | 2;

export type DiffRecord =
  | { type: "from-snap"; name: string }
  | { type: "to-snap"; name: string }
  | { type: "size"; size: number }
  | { type: "protection"; protected: boolean }
  /** a 'w' record's header; its payload follows as one or more "data" records, in order */
  | { type: "write"; offset: number; length: number }
  /** part of the current write's payload; `offset` is the image offset of its first byte */
  | { type: "data"; offset: number; bytes: Uint8Array }
  | { type: "zero"; offset: number; length: number }
  /** a v2 record with a tag this reader does not know; its payload was skipped */
  | { type: "unknown"; tag: number; length: number }
  | { type: "end" };
