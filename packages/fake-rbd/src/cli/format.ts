// Renderers for rbd's plain-text and JSON output. rbd prints sizes with Ceph's byte_u_t,
// tables with Ceph's TextTable (two spaces between columns, every cell padded, the last
// one too) and times with ctime(3) in local time; scripts diff these outputs, so each
// rule here mirrors what rbd 16.2 prints byte for byte.

const BYTE_UNITS = [" B", " KiB", " MiB", " GiB", " TiB", " PiB", " EiB"] as const;

/** Ceph's byte_u_t: "1 GiB", "1.5 GiB", "2.0 KiB" (at most 7 characters when fractional). */
export function formatBytes(value: number): string {
  let n = value;
  let index = 0;
  while (n >= 1024 && index < BYTE_UNITS.length - 1) {
    n = Math.floor(n / 1024);
    index++;
  }
  const unit = BYTE_UNITS[index] ?? " B";
  const mult = 2 ** (10 * index);
  if (index === 0 || value % mult === 0) return `${n}${unit}`;
  // Ceph tries 2, 1, then 0 decimals and keeps the first that fits in 7 characters.
  let text = "";
  for (let decimals = 2; decimals >= 0; decimals--) {
    text = `${printfFixed(value / mult, decimals)}${unit}`;
    if (text.length <= 7) break;
  }
  return text;
}

/**
 * printf's "%.*f": like toFixed, except that an exact tie rounds to even (glibc prints
 * 1.25 as "1.2" where toFixed says "1.3"; rbd du shows 1280 KiB as "1.2 MiB").
 */
export function printfFixed(value: number, decimals: number): string {
  const scale = 10 ** decimals;
  const floor = Math.floor(value * scale);
  const isExactTie = (floor + 0.5) / scale === value;
  if (!isExactTie) return value.toFixed(decimals);
  return ((floor % 2 === 0 ? floor : floor + 1) / scale).toFixed(decimals);
}

export type Align = "left" | "right";

export interface Column {
  heading: string;
  headingAlign: Align;
  align: Align;
}

/** Ceph's TextTable: widths fit the widest cell, cells joined by two spaces. */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((column, i) =>
    Math.max(column.heading.length, ...rows.map((row) => (row[i] ?? "").length)),
  );
  const pad = (text: string, width: number, align: Align) =>
    align === "left" ? text.padEnd(width) : text.padStart(width);
  const lines = [columns.map((column, i) => pad(column.heading, widths[i] ?? 0, column.headingAlign))];
  for (const row of rows) {
    lines.push(columns.map((column, i) => pad(row[i] ?? "", widths[i] ?? 0, column.align)));
  }
  return `${lines.map((cells) => cells.join("  ")).join("\n")}\n`;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;

/** ctime(3) without its newline, in local time: "Wed Nov 25 13:18:25 2026", "Thu Jun  4 ...". */
export function formatCtime(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return [
    DAYS[date.getDay()],
    MONTHS[date.getMonth()],
    String(date.getDate()).padStart(2, " "),
    `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`,
    date.getFullYear(),
  ].join(" ");
}

/**
 * Ceph's JSONFormatter: compact, or with 4-space indentation under --pretty-format; always
 * one trailing newline. Booleans that rbd dumps with dump_string stay strings ("true").
 */
export function renderJson(value: unknown, pretty: boolean): string {
  return `${pretty ? JSON.stringify(value, null, 4) : JSON.stringify(value)}\n`;
}
