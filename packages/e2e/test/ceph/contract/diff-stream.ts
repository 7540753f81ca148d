import { createHash } from "node:crypto";

// A minimal writer of the `rbd diff v1` stream (Ceph's doc/dev/rbd-diff.rst), written
// independently of fake-rbd's codec so the contract suite does not test the fake with itself.
// It lets a scenario put known bytes into a real image: `rbd import-diff` is the only
// deterministic way to write into an existing image with the rbd CLI.

export type DiffRecord =
  | { kind: "from"; snap: string }
  | { kind: "to"; snap: string }
  | { kind: "size"; bytes: number }
  | { kind: "write"; offset: number; data: Buffer }
  | { kind: "zero"; offset: number; length: number };

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

function name(tag: string, snap: string): Buffer {
  const s = Buffer.from(snap, "utf8");
  const len = Buffer.alloc(4);
  len.writeUInt32LE(s.length);
  return Buffer.concat([Buffer.from(tag, "latin1"), len, s]);
}

export function encodeDiffV1(records: readonly DiffRecord[]): Buffer {
  const parts: Buffer[] = [Buffer.from("rbd diff v1\n", "latin1")];
  for (const r of records) {
    switch (r.kind) {
      case "from":
        parts.push(name("f", r.snap));
        break;
      case "to":
        parts.push(name("t", r.snap));
        break;
      case "size":
        parts.push(Buffer.from("s", "latin1"), u64(r.bytes));
        break;
      case "write":
        parts.push(Buffer.from("w", "latin1"), u64(r.offset), u64(r.data.length), r.data);
        break;
      case "zero":
        parts.push(Buffer.from("z", "latin1"), u64(r.offset), u64(r.length));
        break;
    }
  }
  parts.push(Buffer.from("e", "latin1"));
  return Buffer.concat(parts);
}

/** `length` bytes derived from `seed`: the same on every run, never all zeros. */
export function pattern(seed: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  let block = createHash("sha256").update(seed).digest();
  for (let at = 0; at < length; at += block.length) {
    block.copy(out, at);
    block = createHash("sha256").update(block).digest();
  }
  return out;
}
