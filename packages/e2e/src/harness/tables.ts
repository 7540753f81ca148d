// Parsers for what the CLIs print: cinderclient's prettytable tables and its
// "ERROR: ..." line. (openstackclient is asked for `-f json` instead.)

/** Rows of a prettytable: each row is the list of its cells, trimmed. */
function tableRows(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("|")) continue;
    const cells = line.split("|").slice(1, -1);
    rows.push(cells.map((c) => c.trim()));
  }
  return rows;
}

/**
 * A `Property | Value` table (cinder show, create, backup-show...) as a record.
 * prettytable continues a multi-line value on rows with an empty property cell.
 * Only the first table is read.
 */
export function parsePropertyTable(text: string): Record<string, string> {
  const rows = tableRows(text);
  const header = rows.shift();
  if (header === undefined || header[0] !== "Property" || header[1] !== "Value") {
    throw new Error(`not a Property/Value table:\n${text}`);
  }
  const out: Record<string, string> = {};
  let last: string | undefined;
  for (const [key = "", value = ""] of rows) {
    // a second table follows (attachment-create prints connection_info after it)
    if (key === "Property" && value === "Value") break;
    if (key === "" && last !== undefined) {
      out[last] = `${out[last]}\n${value}`;
      continue;
    }
    out[key] = value;
    last = key;
  }
  return out;
}

/** A list table (cinder list, backup-list...) as records keyed by column header. */
export function parseListTable(text: string): Record<string, string>[] {
  const rows = tableRows(text);
  const header = rows.shift();
  if (header === undefined) throw new Error(`no table in:\n${text}`);
  return rows.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""])));
}

/** The column headers of the first table in `text`. */
export function listTableHeader(text: string): string[] {
  return tableRows(text)[0] ?? [];
}

export interface CinderErrorLine {
  message: string;
  httpStatus: number;
  requestId: string | undefined;
}

/**
 * cinderclient's failure line, `ERROR: <message> (HTTP <code>) (Request-ID: <id>)`
 * (exceptions.ClientException.__str__ behind shell.main's `ERROR: %s`).
 */
export function parseCinderError(stderr: string): CinderErrorLine | undefined {
  for (const line of stderr.split("\n")) {
    const m = /^ERROR: (.*) \(HTTP (\d{3})\)(?: \(Request-ID: (\S+)\))?$/.exec(line);
    if (m) return { message: m[1] ?? "", httpStatus: Number(m[2]), requestId: m[3] };
  }
  return undefined;
}
