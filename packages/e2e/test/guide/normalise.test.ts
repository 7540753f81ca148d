import { describe, expect, it } from "vitest";
import { parseTemplate } from "../../src/guide/generate.js";
import { alignSnapTables, Normaliser } from "../../src/guide/normalise.js";

describe("guide output normalisation", () => {
  it("gives each id one stand-in of the same length, and keeps sha256 sums", () => {
    const n = new Normaliser();
    const a = "5bd94935-78e2-4a6b-955a-8c81837126d8";
    const p = "7af3fd2e3cc9419cb7d2c1ef12f12319";
    const sum = "49bc20df15e412a64472421e13fe86ff1c5165e18b2afccf160d4dc19fe68a14";
    const out = n.text(`| id | ${a} |\n| project | ${p} |\n${a}\n${sum}  -`);
    expect(out).toBe(
      `| id | 00000000-0000-4000-8000-000000000001 |\n| project | 0000000000004000a000000000000002 |\n00000000-0000-4000-8000-000000000001\n${sum}  -`,
    );
  });

  it("keeps ISO and ctime times' shapes", () => {
    const out = new Normaliser().text(
      "2026-11-25T14:49:29.123456 2026-11-25T14:49:29Z Wed Nov 25 14:49:29 2026",
    );
    expect(out).toBe("2026-01-01T00:00:00.000000 2026-01-01T00:00:00Z Thu Jan  1 00:00:00 2026");
  });

  it("decodes a base64 record, normalises it and encodes it again", () => {
    const record = Buffer.from(
      '{"id": "5bd94935-78e2-4a6b-955a-8c81837126d8", "created_at": "2026-11-25T14:49:29Z"}',
    ).toString("base64");
    const out = new Normaliser().text(`| backup_url | ${record} |`);
    const b64 = /\| backup_url \| (\S+) \|/.exec(out)?.[1] ?? "";
    expect(b64).toHaveLength(record.length);
    expect(Buffer.from(b64, "base64").toString()).toBe(
      '{"id": "00000000-0000-4000-8000-000000000001", "created_at": "2026-01-01T00:00:00Z"}',
    );
  });

  it("sizes snap ls's NAME column again when the snapshot timestamp's length changes", () => {
    // as rbd prints it: NAME as wide as the longest name, then two spaces
    const table = (name: string) =>
      [
        `SNAPID  ${"NAME".padEnd(name.length + 2)}SIZE   PROTECTED  TIMESTAMP`,
        `     4  ${name}  1 GiB             Wed Nov 25 14:49:29 2026`,
      ].join("\n");
    const short = table("backup.x.snap.1795618169.69");
    const long = table("backup.x.snap.1795618169.6987839");
    expect(alignSnapTables(short)).toBe(alignSnapTables(long));
    expect(alignSnapTables(long).split("\n")[1]).toBe(
      "     4  backup.x.snap.1700000000.0000000  1 GiB             Wed Nov 25 14:49:29 2026",
    );
  });

  it("reads commands (with continuations) from console blocks, directives from comments", () => {
    const blocks = parseTemplate(
      [
        "text",
        "<!-- guide: wait a volume v available -->",
        "```console",
        "$ echo a \\",
        "  b",
        "old output",
        "```",
      ].join("\n"),
    );
    expect(blocks).toEqual([
      { kind: "text", text: "text" },
      { kind: "directive", words: ["wait", "a", "volume", "v", "available"] },
      { kind: "console", commands: ["echo a \\\n  b"] },
    ]);
  });
});
