// Makes a command's output stable from run to run without changing its shape: ids, times
// and snapshot timestamps are replaced by stand-ins of the same length (so table borders
// stay aligned), the same id always by the same stand-in, and base64 records are decoded,
// normalised and encoded again. Pure: no I/O.

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const HEX32 = /\b[0-9a-f]{32}\b/g;
const ISO_TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?/g;
const CTIME =
  /\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \d{4}\b/g;
/** Cinder's backup snapshot suffix: `.snap.<unix seconds>.<fraction>` (the fraction's length varies) */
const SNAP_TIME = /(\.snap\.)\d+\.\d+/g;
/** cinder-migrate's progress lines start with the wall-clock time; its durations vary by run */
const CLOCK_AT_LINE_START = /^\d\d:\d\d:\d\d /gm;
const DURATION = /\b\d+\.\d s\b/g;
/** base64 of a JSON object (a backup record's backup_url) */
const BASE64_JSON = /eyJ[A-Za-z0-9+/]+=*/g;

export class Normaliser {
  readonly #ids = new Map<string, string>();

  #id(original: string): string {
    let stand = this.#ids.get(original);
    if (!stand) {
      const n = (this.#ids.size + 1).toString(16).padStart(12, "0");
      stand = original.includes("-") ? `00000000-0000-4000-8000-${n}` : `0000000000004000a000${n}`;
      this.#ids.set(original, stand);
    }
    return stand;
  }

  /** ids, times, and base64 records inside a text */
  text(input: string): string {
    const decoded = input.replace(BASE64_JSON, (b64) => {
      const json = Buffer.from(b64, "base64").toString("utf8");
      if (!json.startsWith("{")) return b64;
      return Buffer.from(this.#plain(json), "utf8").toString("base64");
    });
    return this.#plain(alignSnapTables(decoded));
  }

  #plain(input: string): string {
    return input
      .replace(UUID, (u) => this.#id(u))
      .replace(HEX32, (h) => this.#id(h))
      .replace(SNAP_TIME, "$11700000000.0000000")
      .replace(
        ISO_TIME,
        (_t, fraction: string | undefined) =>
          `2026-01-01T00:00:00${fraction ? `.${"0".repeat(fraction.length - 1)}` : ""}`,
      )
      .replace(CTIME, "Thu Jan  1 00:00:00 2026")
      .replace(CLOCK_AT_LINE_START, "00:00:00 ")
      .replace(DURATION, "0.1 s");
  }
}

/**
 * `rbd snap ls` sizes its NAME column to the longest name; once the snapshot timestamps are
 * normalised (their length differs between runs) the column is sized again.
 */
export function alignSnapTables(text: string): string {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const header = lines[i] ?? "";
    if (!/^SNAPID +NAME +SIZE/.test(header)) continue;
    const nameAt = header.indexOf("NAME");
    const sizeAt = header.indexOf("SIZE");
    let end = i + 1;
    while (end < lines.length && /^ *\d+ /.test(lines[end] ?? "")) end++;
    const rows = lines.slice(i + 1, end).map((row) => ({
      head: row.slice(0, nameAt),
      name: row.slice(nameAt, sizeAt).trimEnd().replace(SNAP_TIME, "$11700000000.0000000"),
      rest: row.slice(sizeAt),
    }));
    const width = Math.max(4, ...rows.map((r) => r.name.length));
    lines[i] = header.slice(0, nameAt) + "NAME".padEnd(width + 2) + header.slice(sizeAt);
    rows.forEach((r, k) => {
      lines[i + 1 + k] = r.head + r.name.padEnd(width + 2) + r.rest;
    });
    i = end - 1;
  }
  return lines.join("\n");
}
