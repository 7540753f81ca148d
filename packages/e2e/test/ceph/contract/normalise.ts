// Run-specific values that real rbd and fake-rbd cannot agree on (image ids, times, the
// librbd log prefix) replaced by placeholders, so what remains must match exactly.

// snapshot_id too: a pool's snapshot sequence counts every snapshot ever made or refused in
// it, so it depends on what the provider did to the pool before the scenario (the
// testcontainers readiness probe starts it at 5 where a fresh local pool starts at 4).
const RUN_SPECIFIC_KEYS = new Set([
  "id",
  "snapshot_id",
  "block_name_prefix",
  "create_timestamp",
  "access_timestamp",
  "modify_timestamp",
  "timestamp",
]);

export function normaliseJson(value: unknown, key?: string): unknown {
  if (key !== undefined && RUN_SPECIFIC_KEYS.has(key)) return `<${key}:${typeof value}>`;
  if (Array.isArray(value)) return value.map((v) => normaliseJson(v));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normaliseJson(v, k)]));
  }
  return value;
}

/** ctime-style dates as rbd prints them: "Wed Nov 25 13:33:49 2026". */
const CTIME =
  /\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \d{4}\b/g;
/** A librbd log line: "2026-11-25T13:33:49.886+0000 7f1a63cf644c -1 librbd: ...\n". */
const LOG_LINE = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+[+-]\d{4} [0-9a-f]+ +-?\d+ ([^\n]*)\n?/g;

export function normaliseText(text: string): string {
  return text
    .replace(LOG_LINE, "<log> $1\n")
    .replace(CTIME, "<date>")
    .replace(/\b(id|block_name_prefix): (rbd_data\.)?[0-9a-f]{6,}\b/g, "$1: <$1>")
    .replace(/"(id|block_name_prefix)": "(rbd_data\.)?[0-9a-f]{6,}"/g, '"$1": "<$1>"');
}

/** Snapshot tables: SNAPID values and the column padding that follows their width. */
export function normaliseSnapTable(text: string): string {
  return normaliseText(text)
    .split("\n")
    .map((line) => line.replace(/^\s*\d+(\s+)/, "<snapid> ").replace(/\s{2,}/g, "  "))
    .join("\n");
}

/**
 * rbd's stderr carries two writers: rbd's own messages and librbd's log thread. Real rbd
 * interleaves them at random (a log line may even land in the middle of an rbd line), so
 * they are compared separately: rbd's text in order, the log lines as a sorted list.
 */
export function splitStderr(text: string): { rbd: string; log: string[] } {
  const log: string[] = [];
  let rbd = text.replace(LOG_LINE, (_, message: string) => {
    log.push(`<log> ${message}`);
    return "";
  });
  // Where librbd logged, real rbd's line structure is not deterministic: a log line can
  // split an rbd line, and when stderr is a file or a socket (Node's "pipe" stdio is a
  // socketpair) each log entry adds an empty line somewhere. Only the words and their order
  // are compared then: the lines, without empty ones, joined.
  if (log.length > 0) {
    rbd = `${rbd
      .split("\n")
      .filter((line) => line !== "")
      .join("")} (line breaks not compared: librbd logged)`;
  }
  return { rbd: normaliseText(rbd), log: log.map(normaliseText).sort() };
}
