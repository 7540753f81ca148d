import { encodeDiffV1, pattern } from "./diff-stream.js";

/** How a step's stdout is compared after normalisation. */
export type OutputKind = "json" | "text" | "snap-table" | "bytes" | "sha256";

export interface Step {
  /** Stable name, used in the report and in the known-differences table. */
  id: string;
  argv: string[];
  input?: Buffer;
  stdout: OutputKind;
  /** Lists every image of the pool: meaningless on a shared (external) cluster. */
  poolWide?: boolean;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * The rbd contract scenario: one list of commands, run in order against real rbd and
 * fake-rbd, each side starting from the same empty pool. Covers the verbs Cinder's RBD
 * and backup drivers and the migrator use, their JSON and plain outputs, the export-diff
 * streams, and the errors an operator meets.
 */
export function contractScenario(pool: string, name: (base: string) => string): Step[] {
  const A = `${pool}/${name("vol-a")}`;
  const B = `${pool}/${name("vol-b")}`;
  const missing = `${pool}/${name("missing")}`;
  // s1: data in objects 0 and 1 (crossing their border), a hole, then data in object 3
  const d1 = encodeDiffV1([
    { kind: "to", snap: "s1" },
    { kind: "size", bytes: 16 * MiB },
    { kind: "write", offset: 0, data: pattern("a-0", 64 * KiB) },
    { kind: "write", offset: 4 * MiB - 4 * KiB, data: pattern("a-1", 8 * KiB) },
    { kind: "write", offset: 12 * MiB + 512, data: pattern("a-3", 3 * KiB) },
  ]);
  // s1 -> s2: overwrite inside object 0, new data in object 2, zero part of object 3
  const d2 = encodeDiffV1([
    { kind: "from", snap: "s1" },
    { kind: "to", snap: "s2" },
    { kind: "size", bytes: 16 * MiB },
    { kind: "write", offset: 16 * KiB, data: pattern("a-0b", 4 * KiB) },
    { kind: "write", offset: 9 * MiB, data: pattern("a-2", 128 * KiB) },
    { kind: "zero", offset: 12 * MiB, length: 4 * KiB },
  ]);
  // extents out of offset order: real export-diff never writes this, but import-diff takes
  // whatever it is given, record by record
  const unsorted = encodeDiffV1([
    { kind: "to", snap: "u1" },
    { kind: "size", bytes: 8 * MiB },
    { kind: "write", offset: 4 * MiB, data: pattern("c-1", 4 * KiB) },
    { kind: "write", offset: 0, data: pattern("c-0", 4 * KiB) },
  ]);
  const C = `${pool}/${name("vol-c")}`;
  // an image file whose size is not a multiple of the object size, with a hole
  const fileB = Buffer.concat([
    pattern("b-0", 1 * MiB),
    Buffer.alloc(3 * MiB),
    pattern("b-1", 1 * MiB + 512),
  ]);

  return [
    { id: "ls-empty", argv: ["ls", "--format", "json", pool], stdout: "json", poolWide: true },
    { id: "create", argv: ["create", "--size", "16M", A], stdout: "text" },
    { id: "create-exists", argv: ["create", "--size", "16M", A], stdout: "text" },
    { id: "create-bad-size", argv: ["create", "--size", "12X", `${pool}/${name("bad")}`], stdout: "text" },
    { id: "info-json", argv: ["info", "--format", "json", A], stdout: "json" },
    { id: "info-plain", argv: ["info", A], stdout: "text" },
    { id: "import-diff-s1", argv: ["import-diff", "--no-progress", "-", A], input: d1, stdout: "text" },
    { id: "snap-ls-json", argv: ["snap", "ls", "--format", "json", A], stdout: "json" },
    { id: "snap-ls-plain", argv: ["snap", "ls", A], stdout: "snap-table" },
    { id: "import-diff-s2", argv: ["import-diff", "--no-progress", "-", A], input: d2, stdout: "text" },
    { id: "import-diff-again", argv: ["import-diff", "--no-progress", "-", A], input: d2, stdout: "text" },
    {
      id: "import-diff-missing",
      argv: ["import-diff", "--no-progress", "-", missing],
      input: d1,
      stdout: "text",
    },
    { id: "info-json-snaps", argv: ["info", "--format", "json", `${A}@s1`], stdout: "json" },
    { id: "diff-json-head", argv: ["diff", "--format", "json", A], stdout: "json" },
    {
      id: "diff-json-s1-s2",
      argv: ["diff", "--from-snap", "s1", "--format", "json", `${A}@s2`],
      stdout: "json",
    },
    {
      id: "diff-json-whole-object",
      argv: ["diff", "--whole-object", "--from-snap", "s1", "--format", "json", `${A}@s2`],
      stdout: "json",
    },
    { id: "diff-plain", argv: ["diff", `${A}@s1`], stdout: "text" },
    { id: "du-json", argv: ["du", "--format", "json", A], stdout: "json" },
    { id: "du-plain", argv: ["du", A], stdout: "text" },
    { id: "export-diff-s1", argv: ["export-diff", "--no-progress", `${A}@s1`, "-"], stdout: "bytes" },
    {
      id: "export-diff-s1-s2",
      argv: ["export-diff", "--no-progress", "--from-snap", "s1", `${A}@s2`, "-"],
      stdout: "bytes",
    },
    {
      id: "export-diff-whole-object",
      argv: ["export-diff", "--no-progress", "--whole-object", "--from-snap", "s1", `${A}@s2`, "-"],
      stdout: "bytes",
    },
    {
      id: "export-diff-from-missing-snap",
      argv: ["export-diff", "--no-progress", "--from-snap", "nope", `${A}@s2`, "-"],
      stdout: "bytes",
    },
    { id: "export-s2", argv: ["export", "--no-progress", `${A}@s2`, "-"], stdout: "sha256" },
    { id: "snap-create-exists", argv: ["snap", "create", "--no-progress", `${A}@s1`], stdout: "text" },
    { id: "resize-shrink-refused", argv: ["resize", "--no-progress", "--size", "8M", A], stdout: "text" },
    { id: "resize-grow", argv: ["resize", "--no-progress", "--size", "32M", A], stdout: "text" },
    { id: "info-json-resized", argv: ["info", "--format", "json", A], stdout: "json" },
    { id: "snap-protect", argv: ["snap", "protect", `${A}@s1`], stdout: "text" },
    { id: "snap-rm-protected", argv: ["snap", "rm", "--no-progress", `${A}@s1`], stdout: "text" },
    { id: "snap-unprotect", argv: ["snap", "unprotect", `${A}@s1`], stdout: "text" },
    { id: "rm-with-snaps", argv: ["rm", "--no-progress", A], stdout: "text" },
    { id: "import-file", argv: ["import", "--no-progress", "-", B], input: fileB, stdout: "text" },
    { id: "info-json-imported", argv: ["info", "--format", "json", B], stdout: "json" },
    { id: "export-imported", argv: ["export", "--no-progress", B, "-"], stdout: "sha256" },
    { id: "ls-long-json", argv: ["ls", "-l", "--format", "json", pool], stdout: "json", poolWide: true },
    { id: "ls-long-plain", argv: ["ls", "-l", pool], stdout: "text", poolWide: true },
    { id: "create-c", argv: ["create", "--size", "8M", C], stdout: "text" },
    {
      id: "import-diff-unsorted",
      argv: ["import-diff", "--no-progress", "-", C],
      input: unsorted,
      stdout: "text",
    },
    { id: "export-unsorted", argv: ["export", "--no-progress", `${C}@u1`, "-"], stdout: "sha256" },
    { id: "info-missing", argv: ["info", missing], stdout: "text" },
    { id: "ls-missing-pool", argv: ["ls", "no-such-pool-x"], stdout: "text" },
    { id: "snap-rm-s1", argv: ["snap", "rm", "--no-progress", `${A}@s1`], stdout: "text" },
    { id: "snap-ls-after-rm", argv: ["snap", "ls", "--format", "json", A], stdout: "json" },
    { id: "snap-purge", argv: ["snap", "purge", "--no-progress", A], stdout: "text" },
    { id: "rm", argv: ["rm", "--no-progress", A], stdout: "text" },
    { id: "rm-missing", argv: ["rm", "--no-progress", missing], stdout: "text" },
  ];
}
