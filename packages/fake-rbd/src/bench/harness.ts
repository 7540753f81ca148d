// A tiny bench harness: named measurements with targets, printed as one table.
import type { ServerResponse } from "node:http";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
export const TiB = 1024 * GiB;

export interface BenchRow {
  name: string;
  /** what was measured, e.g. "1024 MiB in 0.71 s" */
  detail: string;
  value: number;
  unit: "MiB/s" | "MiB" | "%";
  /** the figure to reach; `higherIsBetter` says which side of it passes */
  target?: number;
  higherIsBetter?: boolean;
  /** what plain Node moves the same way at the same moment: the fair yardstick on a busy machine */
  reference?: BenchRow;
}

/** The reference servers' answer: 1 GiB of `piece`, written as fast as the socket drains. */
export function sendGiB(response: ServerResponse, piece: Buffer): void {
  let sent = 0;
  const pump = () => {
    while (sent < GiB) {
      sent += piece.length;
      if (!response.write(piece)) return void response.once("drain", pump);
    }
    response.end();
  };
  pump();
}

export type BenchSuite = (report: (row: BenchRow) => void) => Promise<void>;

let gcFn: (() => void) | undefined;

/** A full GC, so memory figures measure what is live (works without --expose-gc). */
export function collectGarbage(): void {
  if (!gcFn) {
    setFlagsFromString("--expose-gc");
    gcFn = runInNewContext("gc") as () => void;
  }
  gcFn();
  gcFn();
}

export function throughput(name: string, bytes: number, ms: number, target?: number): BenchRow {
  const row: BenchRow = {
    name,
    detail: `${(bytes / MiB).toFixed(0)} MiB in ${(ms / 1000).toFixed(2)} s`,
    value: bytes / MiB / (ms / 1000),
    unit: "MiB/s",
    higherIsBetter: true,
  };
  if (target !== undefined) row.target = target;
  return row;
}

function met(r: BenchRow): boolean | undefined {
  if (r.target === undefined) return undefined;
  return r.higherIsBetter ? r.value >= r.target : r.value <= r.target;
}

function shown(r: BenchRow): string {
  return `${r.value.toFixed(r.unit === "%" ? 1 : 0)} ${r.unit}`;
}

function targetText(r: BenchRow): string {
  return r.target === undefined ? "" : `${r.higherIsBetter ? ">=" : "<="} ${r.target} ${r.unit}`;
}

/** "61% of 410 MiB/s": a figure as a share of its plain-Node reference. */
function versus(r: BenchRow): string {
  if (!r.reference) return "";
  return `${((r.value / r.reference.value) * 100).toFixed(0)}% of ${shown(r.reference)}`;
}

export function formatTable(rows: readonly BenchRow[]): string {
  const cells = rows.map((r) => {
    const ok = met(r);
    return [
      r.name,
      shown(r),
      targetText(r),
      ok === undefined ? "" : ok ? "ok" : "MISSED",
      versus(r),
      r.detail,
    ];
  });
  return table(["measurement", "value", "target", "", "vs plain node:http", "detail"], cells);
}

/** One line per target: measured, met or missed, and (where there is one) the reference's figure. */
export function formatSummary(rows: readonly BenchRow[]): string {
  const cells = rows
    .filter((r) => r.target !== undefined)
    .map((r) => [
      r.name.trim(),
      targetText(r),
      shown(r),
      met(r) ? "met" : "MISSED",
      r.reference ? `plain node:http the same way: ${shown(r.reference)} (${versus(r).split(" ")[0]})` : "",
    ]);
  return table(["target", "wanted", "measured", "", "reference"], cells);
}

function table(header: string[], cells: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i] as number))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}
