import { encodeDiffV1, pattern } from "./diff-stream.js";

/** How a step's stdout is compared after normalisation. */
export type OutputKind = "json" | "text" | "snap-table" | "bytes" | "sha256";

export interface Step {
  /** Stable name, used in the report and in the known-differences table. */
  id: string;
  argv: string[];
  input?: Buffer;
  /** Feed each side the stdout its own run of that earlier step printed (a shell pipe). */
  inputFrom?: string;
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
  // Cinder's ceph backup driver, as it runs rbd (cinder/backup/drivers/ceph.py): a source
  // volume, a backup base image, full then incremental export-diff | import-diff with
  // `--pool` given as well, progress on stderr, then a diff restore into a smaller volume.
  const vol = name("volume-v");
  const V = `${pool}/${vol}`;
  const base = `${pool}/${vol}.backup.b1`;
  const R = `${pool}/${name("volume-r")}`;
  const snap1 = "backup.b1.snap.1700000001.0";
  const snap2 = "backup.b2.snap.1700000002.0";
  const dv1 = encodeDiffV1([
    { kind: "to", snap: "w1" },
    { kind: "size", bytes: 16 * MiB },
    { kind: "write", offset: 1 * MiB, data: pattern("v-1", 2 * MiB) },
    { kind: "write", offset: 10 * MiB, data: pattern("v-2", 64 * KiB) },
  ]);
  const dv2 = encodeDiffV1([
    { kind: "from", snap: "w1" },
    { kind: "to", snap: "w2" },
    { kind: "size", bytes: 16 * MiB },
    { kind: "write", offset: 2 * MiB, data: Buffer.alloc(256 * KiB) },
    { kind: "write", offset: 15 * MiB, data: pattern("v-3", 4 * KiB) },
  ]);
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
    { id: "cinder-volume-create", argv: ["create", "--size", "16M", V], stdout: "text" },
    { id: "cinder-volume-data", argv: ["import-diff", "--no-progress", "-", V], input: dv1, stdout: "text" },
    {
      id: "cinder-source-snap-1",
      argv: ["snap", "create", "--no-progress", `${V}@${snap1}`],
      stdout: "text",
    },
    { id: "cinder-base-create", argv: ["create", "--size", "16M", base], stdout: "text" },
    {
      id: "cinder-export-full",
      argv: ["export-diff", "--pool", pool, `${V}@${snap1}`, "-"],
      stdout: "bytes",
    },
    {
      id: "cinder-import-full",
      argv: ["import-diff", "--pool", pool, "-", base],
      inputFrom: "cinder-export-full",
      stdout: "text",
    },
    { id: "cinder-base-snaps", argv: ["snap", "ls", "--format", "json", base], stdout: "json" },
    {
      id: "cinder-volume-more-data",
      argv: ["import-diff", "--no-progress", "-", V],
      input: dv2,
      stdout: "text",
    },
    {
      id: "cinder-source-snap-2",
      argv: ["snap", "create", "--no-progress", `${V}@${snap2}`],
      stdout: "text",
    },
    {
      id: "cinder-export-incremental",
      argv: ["export-diff", "--pool", pool, "--from-snap", snap1, `${V}@${snap2}`, "-"],
      stdout: "bytes",
    },
    {
      id: "cinder-import-incremental",
      argv: ["import-diff", "--pool", pool, "-", base],
      inputFrom: "cinder-export-incremental",
      stdout: "text",
    },
    { id: "cinder-source-snap-1-rm", argv: ["snap", "rm", "--no-progress", `${V}@${snap1}`], stdout: "text" },
    { id: "cinder-restore-target", argv: ["create", "--size", "8M", R], stdout: "text" },
    {
      id: "cinder-restore-export",
      argv: ["export-diff", "--no-progress", `${base}@${snap2}`, "-"],
      stdout: "bytes",
    },
    {
      id: "cinder-restore-import",
      argv: ["import-diff", "--no-progress", "-", R],
      inputFrom: "cinder-restore-export",
      stdout: "text",
    },
    { id: "cinder-restored-info", argv: ["info", "--format", "json", R], stdout: "json" },
    { id: "cinder-restored-snaps", argv: ["snap", "ls", "--format", "json", R], stdout: "json" },
    { id: "cinder-restored-bytes", argv: ["export", "--no-progress", R, "-"], stdout: "sha256" },
    { id: "cinder-source-bytes", argv: ["export", "--no-progress", `${V}@${snap2}`, "-"], stdout: "sha256" },
    // errors an operator meets mid-procedure, and the other spellings of pool and options
    {
      id: "import-diff-from-snap-missing",
      argv: ["import-diff", "--no-progress", "-", R],
      input: encodeDiffV1([
        { kind: "from", snap: "not-there" },
        { kind: "to", snap: "later" },
        { kind: "size", bytes: 16 * MiB },
      ]),
      stdout: "text",
    },
    {
      id: "import-diff-bad-banner",
      argv: ["import-diff", "--no-progress", "-", R],
      input: Buffer.from("rbd diff v9\n"),
      stdout: "text",
    },
    {
      id: "import-diff-truncated",
      argv: ["import-diff", "--no-progress", "-", R],
      input: d1.subarray(0, 40),
      stdout: "text",
    },
    { id: "import-existing", argv: ["import", "--no-progress", "-", B], input: fileB, stdout: "text" },
    { id: "export-missing", argv: ["export", "--no-progress", missing, "-"], stdout: "bytes" },
    { id: "snap-ls-missing", argv: ["snap", "ls", missing], stdout: "text" },
    { id: "snap-create-missing", argv: ["snap", "create", "--no-progress", `${missing}@s`], stdout: "text" },
    { id: "diff-from-missing-snap", argv: ["diff", "--from-snap", "nope", B], stdout: "text" },
    {
      id: "resize-allow-shrink",
      argv: ["resize", "--no-progress", "--allow-shrink", "--size", "4M", B],
      stdout: "text",
    },
    {
      id: "info-pool-option",
      argv: ["info", "--pool", pool, "--format", "json", name("vol-b")],
      stdout: "json",
    },
    { id: "info-pretty-json", argv: ["info", "--format", "json", "--pretty-format", B], stdout: "text" },
    { id: "snap-ls-no-snaps", argv: ["snap", "ls", "--format", "json", B], stdout: "json" },
    { id: "global-format-first", argv: ["--format", "json", "info", B], stdout: "json" },
    { id: "unknown-verb", argv: ["frobnicate", B], stdout: "text" },
    { id: "info-missing", argv: ["info", missing], stdout: "text" },
    { id: "ls-missing-pool", argv: ["ls", "no-such-pool-x"], stdout: "text" },
    { id: "snap-rm-s1", argv: ["snap", "rm", "--no-progress", `${A}@s1`], stdout: "text" },
    { id: "snap-ls-after-rm", argv: ["snap", "ls", "--format", "json", A], stdout: "json" },
    { id: "snap-purge", argv: ["snap", "purge", "--no-progress", A], stdout: "text" },
    { id: "rm", argv: ["rm", "--no-progress", A], stdout: "text" },
    { id: "rm-missing", argv: ["rm", "--no-progress", missing], stdout: "text" },
  ];
}
