// The rbd diff stream codec: exact bytes, records, chunking at every offset, and
// malformed input.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  concatBytes,
  type DiffParserOptions,
  type DiffRecord,
  encodeBanner,
  encodeEnd,
  encodeFromSnap,
  encodeProtection,
  encodeSize,
  encodeToSnap,
  encodeUnknownV2,
  encodeWrite,
  encodeWriteHeader,
  encodeZero,
} from "../src/diff/index.js";
import { DiffParser } from "../src/diff/parser.js";
import { caught, expectBytes, pattern } from "./model-helpers.js";

/** A parse result with each write's payload joined, so chunkings compare equal. */
type Joined = Exclude<DiffRecord, { type: "data" }> | { type: "data"; offset: number; hex: string };

function parseAll(chunks: Uint8Array[], options: DiffParserOptions = {}): Joined[] {
  const parser = new DiffParser(options);
  const out: Joined[] = [];
  let pending: { offset: number; parts: Uint8Array[] } | undefined;
  const flush = () => {
    if (pending)
      out.push({
        type: "data",
        offset: pending.offset,
        hex: Buffer.from(concatBytes(pending.parts)).toString("hex"),
      });
    pending = undefined;
  };
  for (const chunk of chunks) {
    parser.push(chunk, (r) => {
      if (r.type === "data") {
        if (!pending) pending = { offset: r.offset, parts: [] };
        expect(r.offset).toBe(pending.offset + pending.parts.reduce((n, p) => n + p.byteLength, 0));
        pending.parts.push(r.bytes.slice());
      } else {
        flush();
        out.push(r);
      }
    });
  }
  flush();
  parser.end();
  return out;
}

const splitAt = (bytes: Uint8Array, at: number) => [bytes.subarray(0, at), bytes.subarray(at)];
const byteByByte = (bytes: Uint8Array) => Array.from(bytes, (b) => Uint8Array.of(b));

const DATA = pattern(300, 7);

const v1Stream = concatBytes([
  encodeBanner(1),
  encodeFromSnap("s1"),
  encodeToSnap("backup.3f2c.snap.1684312345.123456"),
  encodeSize(2 ** 40),
  encodeWrite(4096, DATA),
  encodeZero(8192, 4096),
  encodeWrite(2 ** 40 - 3, Uint8Array.of(1, 2, 3)),
  encodeEnd(),
]);

const v1Records: Joined[] = [
  { type: "from-snap", name: "s1" },
  { type: "to-snap", name: "backup.3f2c.snap.1684312345.123456" },
  { type: "size", size: 2 ** 40 },
  { type: "write", offset: 4096, length: DATA.byteLength },
  { type: "data", offset: 4096, hex: Buffer.from(DATA).toString("hex") },
  { type: "zero", offset: 8192, length: 4096 },
  { type: "write", offset: 2 ** 40 - 3, length: 3 },
  { type: "data", offset: 2 ** 40 - 3, hex: "010203" },
  { type: "end" },
];

const v2Stream = concatBytes([
  encodeBanner(2),
  encodeFromSnap("a", 2),
  encodeToSnap("b", 2),
  encodeProtection(true),
  encodeUnknownV2(0x58, pattern(37)),
  encodeSize(65536, 2),
  encodeWrite(0, DATA, 2),
  encodeUnknownV2(0x59, new Uint8Array(0)),
  encodeZero(4096, 512, 2),
  encodeEnd(),
]);

const v2Records: Joined[] = [
  { type: "from-snap", name: "a" },
  { type: "to-snap", name: "b" },
  { type: "protection", protected: true },
  { type: "unknown", tag: 0x58, length: 37 },
  { type: "size", size: 65536 },
  { type: "write", offset: 0, length: DATA.byteLength },
  { type: "data", offset: 0, hex: Buffer.from(DATA).toString("hex") },
  { type: "unknown", tag: 0x59, length: 0 },
  { type: "zero", offset: 4096, length: 512 },
  { type: "end" },
];

describe("encoders", () => {
  it("write the bytes real rbd 16.2 writes for banner, f, t and s", () => {
    // real `rbd export-diff --from-snap nosnap rbd/vol@s2 -` wrote this before failing
    const real = Buffer.from("rbd diff v1\nf\x06\0\0\0nosnapt\x02\0\0\0s2s\0\0\0\x02\0\0\0\0", "latin1");
    const ours = concatBytes([
      encodeBanner(),
      encodeFromSnap("nosnap"),
      encodeToSnap("s2"),
      encodeSize(33554432),
    ]);
    expectBytes(ours, real);
  });

  it("frame w and z as tag + le64 offset + le64 length", () => {
    expect(Buffer.from(encodeZero(0x900000, 0x100000)).toString("hex")).toBe(
      "7a" + "0000900000000000" + "0000100000000000",
    );
    expect(Buffer.from(encodeWriteHeader(1, 2)).toString("hex")).toBe(
      "77" + "0100000000000000" + "0200000000000000",
    );
    expect(Buffer.from(encodeEnd()).toString("hex")).toBe("65");
  });

  it("v2 prefixes every record but 'e' with its payload length", () => {
    expect(Buffer.from(encodeSize(8, 2)).toString("hex")).toBe(
      "73" + "0800000000000000" + "0800000000000000",
    );
    expect(Buffer.from(encodeWrite(0, Uint8Array.of(9), 2)).toString("hex")).toBe(
      "77" + "1100000000000000" + "0000000000000000" + "0100000000000000" + "09",
    );
    // rbd 16.2 declares 8 bytes for the 1-byte protection payload (recorded from real exports)
    expect(Buffer.from(encodeProtection(true)).toString("hex")).toBe("70" + "0800000000000000" + "01");
    expect(Buffer.from(encodeToSnap("ab", 2)).toString("hex")).toBe(
      "74" + "0600000000000000" + "02000000" + "6162",
    );
  });
});

describe("parser", () => {
  it.each([
    ["v1", v1Stream, v1Records],
    ["v2", v2Stream, v2Records],
  ] as const)("decodes a %s stream", (_v, stream, records) => {
    expect(parseAll([stream])).toEqual(records);
  });

  it.each([
    ["v1", v1Stream, v1Records],
    ["v2", v2Stream, v2Records],
  ] as const)("decodes a %s stream split at every offset", (_v, stream, records) => {
    for (let at = 0; at <= stream.byteLength; at++) {
      expect(parseAll(splitAt(stream, at)), `split at ${at}`).toEqual(records);
    }
  });

  it.each([
    ["v1", v1Stream, v1Records],
    ["v2", v2Stream, v2Records],
  ] as const)("decodes a %s stream fed byte by byte", (_v, stream, records) => {
    expect(parseAll(byteByByte(stream))).toEqual(records);
  });

  it("keeps only leftover bytes: write payloads pass through as views of the input", () => {
    const parser = new DiffParser();
    const big = pattern(4 * 1024 * 1024, 3);
    const stream = concatBytes([encodeBanner(), encodeSize(2 ** 30), encodeWrite(0, big), encodeEnd()]);
    const seen: Uint8Array[] = [];
    parser.push(stream, (r) => {
      if (r.type === "data") seen.push(r.bytes);
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.buffer).toBe(stream.buffer);
    expect(parser.done).toBe(true);
  });

  it("reports its version, position and bytes after the end record", () => {
    const parser = new DiffParser();
    parser.push(concatBytes([v2Stream, Uint8Array.of(1, 2, 3)]), () => {});
    expect(parser.version).toBe(2);
    expect(parser.done).toBe(true);
    expect(parser.trailingBytes).toBe(3);
    parser.end();
  });

  it("decodes every real rbd 16.2 stream in the fixtures, and re-encodes it to the same bytes", () => {
    const dir = join(import.meta.dirname, "fixtures/real/streams");
    const files = readdirSync(dir).filter((f) => f.endsWith(".diff"));
    let checked = 0;
    for (const file of files) {
      const real = new Uint8Array(readFileSync(join(dir, file)));
      let records: Joined[];
      try {
        records = parseAll([real], { unknownV1Tags: "error" });
      } catch {
        continue; // the deliberately broken fixtures (bad banner, truncated, unknown tag)
      }
      const parts: Uint8Array[] = [encodeBanner(1)];
      for (const r of records) {
        if (r.type === "from-snap") parts.push(encodeFromSnap(r.name));
        else if (r.type === "to-snap") parts.push(encodeToSnap(r.name));
        else if (r.type === "size") parts.push(encodeSize(r.size));
        else if (r.type === "write") parts.push(encodeWriteHeader(r.offset, r.length));
        else if (r.type === "data") parts.push(Buffer.from(r.hex, "hex"));
        else if (r.type === "zero") parts.push(encodeZero(r.offset, r.length));
        else if (r.type === "end") parts.push(encodeEnd());
      }
      expectBytes(concatBytes(parts), real, file);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(5);
  });
});

describe("malformed streams", () => {
  /** What real import-diff prints first when the stream stops inside each field. */
  function fieldAt(stream: Uint8Array, cut: number): string {
    const records: [number, string][] = [];
    // walk the v1 test stream's layout: banner 12, f 1+4+2, t 1+4+34, s 1+8, w 1+16+data, z 1+16, w 1+16+3, e
    let at = 0;
    const mark = (len: number, name: string) => {
      records.push([at + len, name]);
      at += len;
    };
    mark(12, "diff banner");
    for (const [tag, str] of [
      ["start snap name", 2],
      ["end snap name", 34],
    ] as const) {
      mark(1, "tag");
      mark(4 + str, tag);
    }
    mark(1, "tag");
    mark(8, "image size");
    mark(1, "tag");
    mark(16, "IO length");
    mark(DATA.byteLength, "write data");
    mark(1, "tag");
    mark(16, "IO length");
    mark(1, "tag");
    mark(16, "IO length");
    mark(3, "write data");
    mark(1, "tag");
    expect(at).toBe(stream.byteLength);
    return (records.find(([end]) => cut < end) as [number, string])[1];
  }

  it("a stream cut anywhere before its end record is a coded truncated-stream error (EBADMSG)", () => {
    for (let cut = 0; cut < v1Stream.byteLength; cut++) {
      const e = caught(() => parseAll([v1Stream.subarray(0, cut)]));
      expect([e.code, e.exitStatus, e.context.reason], `cut at ${cut}`).toEqual([
        "EBADMSG",
        74,
        "truncated-stream",
      ]);
      expect(e.rbdMessage, `cut at ${cut}`).toBe(
        `rbd: failed to decode ${fieldAt(v1Stream, cut)}\nrbd: import-diff failed: (74) Bad message`,
      );
      expect(e.context.offset).toBe(cut);
    }
  });

  it("a v2 stream cut anywhere is refused too", () => {
    for (let cut = 0; cut < v2Stream.byteLength; cut++) {
      expect(caught(() => parseAll([v2Stream.subarray(0, cut)])).context.reason, `cut at ${cut}`).toBe(
        "truncated-stream",
      );
    }
  });

  it("a banner rbd does not write is EINVAL, as real import-diff words it", () => {
    const e = caught(() => parseAll([Buffer.from("this is not an rbd diff stream\n")]));
    expect([e.code, e.context.reason]).toEqual(["EINVAL", "bad-banner"]);
    expect(e.rbdMessage).toBe(
      "rbd: invalid or unexpected diff banner\nrbd: import-diff failed: (22) Invalid argument",
    );
    expect(caught(() => parseAll([Buffer.from("rbd diff v3\ne")])).context.reason).toBe("bad-banner");
  });

  it("an unknown tag in a v1 stream is skipped with rbd's warning, or refused with unknownV1Tags=error", () => {
    const stream = concatBytes([encodeBanner(), encodeSize(10), Buffer.from("x"), encodeEnd()]);
    const warnings: string[] = [];
    expect(parseAll([stream], { onWarning: (w) => warnings.push(w) })).toEqual([
      { type: "size", size: 10 },
      { type: "unknown", tag: 120, length: 0 },
      { type: "end" },
    ]);
    expect(warnings).toEqual(["unrecognized tag byte 120 in stream; skipping"]);
    const e = caught(() => parseAll([stream], { unknownV1Tags: "error" }));
    expect([e.code, e.context.reason, e.context.offset]).toEqual(["EINVAL", "unknown-tag", 21]);
    expect(e.rbdMessage).toContain("unrecognized tag byte 120 in stream");
    // a stream that ends after the unknown byte is still a truncated one, as real rbd says
    const cut = caught(() => parseAll([concatBytes([encodeBanner(), Buffer.from("x")])]));
    expect(cut.rbdMessage).toBe("rbd: failed to decode tag\nrbd: import-diff failed: (74) Bad message");
  });

  it("a v2 record whose declared length disagrees with its payload is refused", () => {
    const bad = encodeSize(8, 2);
    bad[1] = 9;
    const e = caught(() => parseAll([concatBytes([encodeBanner(2), bad, encodeEnd()])]));
    expect([e.code, e.context.reason]).toEqual(["EBADMSG", "bad-record-length"]);
  });

  it("a snapshot name longer than rbd's 4096-byte limit is refused", () => {
    const e = caught(() =>
      parseAll([concatBytes([encodeBanner(), encodeToSnap("x".repeat(4097)), encodeEnd()])]),
    );
    expect([e.code, e.context.reason]).toEqual(["EINVAL", "snap-name-too-long"]);
    expect(
      parseAll([concatBytes([encodeBanner(), encodeToSnap("x".repeat(4096)), encodeEnd()])]),
    ).toHaveLength(2);
  });

  it("offsets past 2^53 are refused rather than rounded", () => {
    const z = encodeZero(0, 1);
    z.set([0, 0, 0, 0, 0, 0, 0x20, 0], 1); // offset 2^53
    const e = caught(() => parseAll([concatBytes([encodeBanner(), z, encodeEnd()])]));
    expect([e.code, e.context.reason]).toEqual(["EINVAL", "value-too-large"]);
  });
});
