// The real rbd 16.2 fixtures (test/fixtures/real, written by scripts/record-real-rbd.sh):
// their schemas, the seeded data pattern, a replay of the recorded scenario onto any
// RbdBackend, the chain of streams that leads to a point, and the normalisation that makes
// run-specific values (image ids, timestamps, snapshot ids, librbd log prefixes) comparable.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { ImageRef, RbdBackend } from "../../src/backend.js";

export const fixturesDir = resolve(fileURLToPath(new URL(".", import.meta.url)), "../fixtures/real");

/** "scenario" builds the state outputs.json was recorded in; the others come after it. */
const phase = z.enum(["scenario", "errors", "lifecycle"]);
const rbdStep = z.object({
  op: z.literal("rbd"),
  phase,
  argv: z.array(z.string()),
  stdout: z.string(),
  stderr: z.string(),
  exitCode: z.number().int(),
});
const writeStep = z.object({
  op: z.literal("write"),
  phase,
  image: z.string(),
  offset: z.number().int().nonnegative(),
  length: z.number().int().positive(),
  seed: z.string().nullable(),
});
const discardStep = z.object({
  op: z.literal("discard"),
  phase,
  image: z.string(),
  offset: z.number().int().nonnegative(),
  length: z.number().int().positive(),
});
const fileStep = z.object({
  op: z.literal("file"),
  phase,
  path: z.string(),
  size: z.number().int().nonnegative(),
  writes: z.array(z.object({ offset: z.number().int(), length: z.number().int(), seed: z.string() })),
});
const step = z.discriminatedUnion("op", [rbdStep, writeStep, discardStep, fileStep]);
export type Step = z.infer<typeof step>;

const point = z.object({
  image: z.string(),
  snap: z.string().nullable(),
  /** taken after the manifest's steps[0:afterStep] */
  afterStep: z.number().int().nonnegative(),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type Point = z.infer<typeof point>;

const stream = z.object({
  name: z.string(),
  file: z.string(),
  image: z.string(),
  snap: z.string().nullable(),
  fromSnap: z.string().nullable(),
  wholeObject: z.boolean(),
  argv: z.array(z.string()),
  bytes: z.number().int().positive(),
  sha256: z.string(),
  result: z.string(),
});
export type RecordedStream = z.infer<typeof stream>;

const exportV2 = z.object({
  name: z.string(),
  file: z.string(),
  image: z.string(),
  argv: z.array(z.string()),
  bytes: z.number().int().positive(),
  sha256: z.string(),
});
export type RecordedExportV2 = z.infer<typeof exportV2>;

const manifestSchema = z.object({
  recordedWith: z.string(),
  recordedAt: z.string(),
  pool: z.string(),
  steps: z.array(step),
  points: z.record(z.string(), point),
  streams: z.array(stream),
  exports: z.array(exportV2),
});
export type Manifest = z.infer<typeof manifestSchema>;

const observation = z.object({
  name: z.string(),
  /** order of observation across outputs.json and errors.json */
  seq: z.number().int().positive(),
  /** the state it saw: the manifest's steps[0:afterStep] */
  afterStep: z.number().int().nonnegative(),
  argv: z.array(z.string()),
  stdout: z.string(),
  /** set instead of stdout when rbd wrote bytes that are not UTF-8 */
  stdoutBase64: z.string().optional(),
  stdinBase64: z.string().optional(),
  stderr: z.string(),
  exitCode: z.number().int(),
  note: z.string().optional(),
});
export type Observation = z.infer<typeof observation>;

function readJson<T>(file: string, schema: z.ZodType<T>): T {
  const path = join(fixturesDir, file);
  const parsed = schema.safeParse(JSON.parse(readFileSync(path, "utf8")));
  if (!parsed.success) throw new Error(`${path} does not match its schema: ${parsed.error.message}`);
  return parsed.data;
}

export const loadManifest = (): Manifest => readJson("manifest.json", manifestSchema);
export const loadOutputs = (): Observation[] => readJson("outputs.json", z.array(observation));
export const loadErrors = (): Observation[] => readJson("errors.json", z.array(observation));

export function streamBytes(s: RecordedStream): Buffer {
  const bytes = readFileSync(join(fixturesDir, s.file));
  const sha = createHash("sha256").update(bytes).digest("hex");
  if (sha !== s.sha256)
    throw new Error(`${s.file} changed since it was recorded (sha256 ${sha} != ${s.sha256})`);
  return bytes;
}

/** The cinderlab-sha256 pattern the recorder wrote: 32-byte blocks sha256("<seed>:<index>"). */
export function pattern(seed: string | null, length: number): Uint8Array {
  const out = new Uint8Array(length);
  if (seed === null) return out;
  for (let block = 0, at = 0; at < length; block++, at += 32) {
    const digest = createHash("sha256").update(`${seed}:${block}`).digest();
    out.set(digest.subarray(0, Math.min(32, length - at)), at);
  }
  return out;
}

export async function sha256Of(stream: Readable): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of stream) {
    const bytes = chunk as Buffer;
    hash.update(bytes);
    size += bytes.length;
  }
  return { sha256: hash.digest("hex"), size };
}

// ------------------------------------------------------------------ sizes and specs
const units: Record<string, number> = { "": 2 ** 20, B: 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/** rbd's --size/--object-size argument as the recorder used it ("32M", "256K"). */
export function parseSize(text: string): number {
  const m = /^(\d+)([BKMGT]?)$/.exec(text);
  if (!m) throw new Error(`unsupported size ${text} in the fixtures`);
  return Number(m[1]) * (units[m[2] ?? ""] ?? 1);
}

export function parseSpec(spec: string): ImageRef & { snap?: string } {
  const m = /^([^/@]+)\/([^/@]+)(?:@(.+))?$/.exec(spec);
  if (!m?.[1] || !m[2]) throw new Error(`unsupported image spec ${spec} in the fixtures`);
  return m[3] ? { pool: m[1], image: m[2], snap: m[3] } : { pool: m[1], image: m[2] };
}

function optionValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

// ------------------------------------------------------------------ replay
/**
 * Applies one recorded step to a backend through its API (not the CLI), so the state can be
 * rebuilt even where the CLI under test would disagree with rbd. Files made by "file" steps
 * are kept in `files` for a later `rbd import`.
 */
export async function applyStep(backend: RbdBackend, pool: string, s: Step, files: Map<string, Uint8Array>) {
  switch (s.op) {
    case "write":
      return backend.writeImage({ pool, image: s.image }, s.offset, pattern(s.seed, s.length));
    case "discard":
      return backend.discardImage({ pool, image: s.image }, s.offset, s.length);
    case "file": {
      const bytes = new Uint8Array(s.size);
      for (const w of s.writes) bytes.set(pattern(w.seed, w.length), w.offset);
      files.set(s.path, bytes);
      return;
    }
    case "rbd":
      return applyRbdStep(backend, s.argv, files);
  }
}

/** rbd options the recorder used that take a value (the rest are flags). */
const VALUED = new Set([
  "--size",
  "--object-size",
  "--image-feature",
  "--id",
  "--pool",
  "-p",
  "--from-snap",
  "--export-format",
]);

async function readInput(path: string, files: Map<string, Uint8Array>): Promise<Uint8Array> {
  if (path.startsWith("{fixtures}")) return readFileSync(path.replace("{fixtures}", fixturesDir));
  const bytes = files.get(path);
  if (!bytes) throw new Error(`the replay has no file ${path}: no earlier step made it`);
  return bytes;
}

async function collect(readable: Readable): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of readable) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function applyRbdStep(backend: RbdBackend, argv: string[], files: Map<string, Uint8Array>) {
  const positional = argv.filter((a, i) => !a.startsWith("-") && !VALUED.has(argv[i - 1] ?? ""));
  const [verb, sub] = positional;
  const last = positional[positional.length - 1] ?? "";
  const snapOf = (spec: string) => {
    const { snap, ...ref } = parseSpec(spec);
    if (!snap) throw new Error(`no snapshot in ${spec} (rbd ${argv.join(" ")})`);
    return { ref, snap };
  };
  switch (verb === "snap" ? `snap ${sub}` : verb) {
    case "create": {
      const size = optionValue(argv, "--size");
      const objectSize = optionValue(argv, "--object-size");
      const feature = optionValue(argv, "--image-feature");
      return backend.createImage(parseSpec(last), {
        size: parseSize(size ?? "0"),
        ...(objectSize ? { order: Math.log2(parseSize(objectSize)) } : {}),
        ...(feature ? { features: feature.split(",") } : {}),
      });
    }
    case "resize":
      return backend.resizeImage(parseSpec(last), parseSize(optionValue(argv, "--size") ?? "0"), {
        allowShrink: argv.includes("--allow-shrink"),
      });
    case "rm":
      return backend.removeImage(parseSpec(last));
    case "rename":
      return backend.renameImage(parseSpec(positional[1] ?? ""), parseSpec(last).image);
    case "snap create": {
      const { ref, snap } = snapOf(last);
      return backend.createSnap(ref, snap);
    }
    case "snap protect": {
      const { ref, snap } = snapOf(last);
      return backend.protectSnap(ref, snap);
    }
    case "snap unprotect": {
      const { ref, snap } = snapOf(last);
      return backend.unprotectSnap(ref, snap);
    }
    case "snap rm": {
      const { ref, snap } = snapOf(last);
      return backend.removeSnap(ref, snap);
    }
    case "snap rollback": {
      const { ref, snap } = snapOf(last);
      return backend.rollbackSnap(ref, snap);
    }
    case "snap rename": {
      const { ref, snap } = snapOf(positional[2] ?? "");
      return backend.renameSnap(ref, snap, snapOf(last).snap);
    }
    case "snap purge":
      return backend.purgeSnaps(parseSpec(last));
    case "import":
      if (optionValue(argv, "--export-format") === "2") {
        // an "rbd image v2" file: the image from its embedded diffs, oldest snapshot first
        const ref = parseSpec(last);
        const diffs = exportV2Diffs(await readInput(positional[1] ?? "", files));
        await backend.createImage(ref, { size: 0 });
        for (const diff of diffs) await backend.importDiff(ref, Readable.from([Buffer.from(diff)]));
        return;
      }
      return backend.importImage(
        parseSpec(last),
        Readable.from([await readInput(positional[1] ?? "", files)]),
      );
    case "import-diff":
      return backend.importDiff(
        parseSpec(last),
        Readable.from([await readInput(positional[1] ?? "", files)]),
      );
    case "export":
      if (optionValue(argv, "--export-format") === "2") {
        // RbdBackend has no export-format 2: the replay carries on with real rbd's recorded file
        files.set(last, readFileSync(join(fixturesDir, "streams", basename(last))));
        return;
      }
      files.set(last, await collect(await backend.exportImage(parseSpec(positional[1] ?? ""))));
      return;
    case "export-diff": {
      const fromSnap = optionValue(argv, "--from-snap");
      const stream = await backend.exportDiff(parseSpec(positional[1] ?? ""), fromSnap ? { fromSnap } : {});
      files.set(last, await collect(stream));
      return;
    }
  }
  throw new Error(`the replay does not know the recorded step: rbd ${argv.join(" ")}`);
}

/** Rebuilds the state outputs.json was recorded in (the "scenario" steps). */
export async function replayScenario(backend: RbdBackend, manifest: Manifest): Promise<void> {
  await backend.createPool(manifest.pool);
  await backend.initPool(manifest.pool);
  const files = new Map<string, Uint8Array>();
  for (const s of manifest.steps) {
    if (s.phase === "scenario") await applyStep(backend, manifest.pool, s, files);
  }
}

// ------------------------------------------------------------------ stream chains
/**
 * The recorded streams to import, in order, into an empty image so that it reaches `target`'s
 * point: a stream with a from-snap needs an image that already holds that snapshot.
 */
export function chainTo(manifest: Manifest, target: RecordedStream): RecordedStream[] {
  if (target.fromSnap === null) return [target];
  const from = target.fromSnap;
  // prefer a full stream to the from-snap, else any stream ending at it (shortest first)
  const candidates = manifest.streams
    .filter((s) => s.image === target.image && s.snap === from && !s.wholeObject)
    .sort((a, b) => Number(a.fromSnap !== null) - Number(b.fromSnap !== null));
  const first = candidates[0];
  if (!first) throw new Error(`no recorded stream ends at ${target.image}@${from}, needed by ${target.name}`);
  return [...chainTo(manifest, first), target];
}

// ------------------------------------------------------------------ the rbd diff v1 records
export type DiffRecord =
  | { tag: "f" | "t"; name: string }
  | { tag: "s"; size: number }
  | { tag: "w"; offset: number; length: number }
  | { tag: "z"; offset: number; length: number }
  | { tag: "e" };

/** An independent reading of an `rbd diff v1` stream (only to describe it in assertions). */
export function diffRecords(bytes: Uint8Array): DiffRecord[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.subarray(0, 12).toString("latin1") !== "rbd diff v1\n")
    throw new Error("not an rbd diff v1 stream");
  const records: DiffRecord[] = [];
  let at = 12;
  while (at < buf.length) {
    const tag = String.fromCharCode(buf[at] ?? 0);
    at += 1;
    if (tag === "f" || tag === "t") {
      const n = buf.readUInt32LE(at);
      records.push({ tag, name: buf.subarray(at + 4, at + 4 + n).toString("utf8") });
      at += 4 + n;
    } else if (tag === "s") {
      records.push({ tag, size: Number(buf.readBigUInt64LE(at)) });
      at += 8;
    } else if (tag === "w" || tag === "z") {
      const offset = Number(buf.readBigUInt64LE(at));
      const length = Number(buf.readBigUInt64LE(at + 8));
      records.push({ tag, offset, length });
      at += 16 + (tag === "w" ? length : 0);
    } else if (tag === "e") {
      records.push({ tag });
      break;
    } else {
      throw new Error(`unknown tag ${JSON.stringify(tag)} at byte ${at - 1}`);
    }
  }
  return records;
}

/**
 * The "rbd diff v2" streams inside a real `rbd export --export-format 2` file: after the
 * "rbd image v2\n" banner come image metadata records (tag, le64 length, payload) up to an
 * 'E', then "rbd image diffs v2\n", a le64 count, and that many diff v2 streams, each ending
 * at its 'e' (the one record without a length). Independent of the fake's codec on purpose.
 */
export function exportV2Diffs(bytes: Uint8Array): Uint8Array[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const expectText = (at: number, text: string) => {
    if (buf.subarray(at, at + text.length).toString("latin1") !== text) {
      throw new Error(`export v2: expected ${JSON.stringify(text)} at byte ${at}`);
    }
    return at + text.length;
  };
  let at = expectText(0, "rbd image v2\n");
  while (buf[at] !== "E".charCodeAt(0)) {
    if (at >= buf.length) throw new Error("export v2: no end of image metadata");
    at += 1 + 8 + Number(buf.readBigUInt64LE(at + 1));
  }
  at = expectText(at + 1, "rbd image diffs v2\n");
  const count = Number(buf.readBigUInt64LE(at));
  at += 8;
  const diffs: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const start = at;
    at = expectText(at, "rbd diff v2\n");
    while (buf[at] !== "e".charCodeAt(0)) {
      if (at >= buf.length) throw new Error(`export v2: diff ${i} has no end record`);
      // rbd 16.2 declares 8 bytes for the protection record but writes (and reads) one
      const length = buf[at] === "p".charCodeAt(0) ? 1 : Number(buf.readBigUInt64LE(at + 1));
      at += 1 + 8 + length;
    }
    at += 1;
    diffs.push(buf.subarray(start, at));
  }
  return diffs;
}

// ------------------------------------------------------------------ normalisation
const CTIME = /[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}/g;
// "2026-11-25T13:25:04.788+0000 7efdf4691380 -1 librbd: ..." — one librbd log record
const LOG_RECORD = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+\d{4} [0-9a-f]+ -1 ([^\n]*)\n/g;

/**
 * Splits stderr into rbd's own text and librbd's log records. librbd logs from another
 * thread, so a record can land anywhere — even mid-line — in the real output; only the set
 * of records and the remaining text are stable.
 */
export function splitStderr(stderr: string): { text: string; logs: string[] } {
  const logs: string[] = [];
  const text = stderr.replace(LOG_RECORD, (_all, message: string) => {
    logs.push(message);
    return "";
  });
  return { text, logs: logs.sort() };
}

/** Plain-text output with run-specific values replaced by placeholders. */
export function normalisePlain(text: string): string {
  const out = text
    .replace(CTIME, "<time>")
    .replace(/\bid: \S+/g, "id: <id>")
    .replace(/rbd_data\.\S+/g, "rbd_data.<id>");
  // `snap ls` right-aligns SNAPID in a 6-wide column: the value goes, the layout stays
  return out.startsWith("SNAPID") ? out.replace(/^ *\d+(?= {2}\S)/gm, "<snapid>") : out;
}

/**
 * JSON output with run-specific values replaced: image ids and prefixes, timestamps, and
 * snapshot ids, which become their rank among the ids in the same output (real Ceph numbers
 * snapshots pool-wide from a counter the fake need not share).
 */
export function normaliseJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  const snapIds = new Set<number>();
  const collect = (v: unknown, inSnapList: boolean): void => {
    if (Array.isArray(v)) for (const item of v) collect(item, inSnapList);
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (typeof x === "number" && (k === "snapshot_id" || (k === "id" && inSnapList))) snapIds.add(x);
        else collect(x, inSnapList);
      }
    }
  };
  const snapList = isSnapList(value);
  collect(value, snapList);
  const rank = new Map([...snapIds].sort((a, b) => a - b).map((id, i) => [id, i + 1]));
  const rewrite = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (v && typeof v === "object") {
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => {
          if (typeof x === "number" && (k === "snapshot_id" || (k === "id" && snapList))) {
            return [k, `<snapid ${rank.get(x)}>`];
          }
          if (k === "id" && typeof x === "string") return [k, "<id>"];
          if (k === "block_name_prefix") return [k, "rbd_data.<id>"];
          if (/timestamp$/.test(k)) return [k, "<time>"];
          return [k, rewrite(x)];
        }),
      );
    }
    return v;
  };
  return rewrite(value);
}

function isSnapList(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.every((e) => e && typeof e === "object" && "name" in e && "protected" in e && "timestamp" in e)
  );
}

/** Whether an observation's stdout is JSON (asked with --format json). */
export const isJsonOutput = (o: Observation): boolean =>
  o.exitCode === 0 && o.argv.includes("--format") && optionValue(o.argv, "--format") === "json";

/**
 * JSON text with the same placeholders, keeping rbd's layout (compact, or --pretty-format's
 * indentation) so that the text itself can be compared, not only the parsed value.
 */
export function normaliseJsonText(text: string): string {
  return text
    .replace(CTIME, "<time>")
    .replace(/("id":\s*)"[^"]*"/g, '$1"<id>"')
    .replace(/("(?:snapshot_id|id)":\s*)\d+/g, "$1<n>")
    .replace(/rbd_data\.[0-9a-f]+/g, "rbd_data.<id>");
}

/**
 * rbd's progress lines ("\rCreating snap: 10% complete...") with the percentages collapsed:
 * they count objects, so they follow the object layout rather than anything a script reads.
 * The label and the final "done." or "failed." stay.
 */
export function normaliseProgress(text: string): string {
  // export/import/export-diff/import-diff report at offsets fixed by the stream and sizes:
  // compared as printed; other verbs' intermediate reports follow librbd's internals
  return text.replace(
    /(\r((?!(?:Exporting image|Importing image(?: diff)?):)[^\r\n:]+): \d+% complete\.\.\.)+/g,
    "\r$2: <n>% complete...",
  );
}
