// A tiny bench harness: named measurements with targets, printed as one table.
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

export function formatTable(rows: readonly BenchRow[]): string {
  const cells = rows.map((r) => {
    const verdict =
      r.target === undefined
        ? ""
        : (r.higherIsBetter ? r.value >= r.target : r.value <= r.target)
          ? "ok"
          : "MISSED";
    const target = r.target === undefined ? "" : `${r.higherIsBetter ? ">=" : "<="} ${r.target} ${r.unit}`;
    return [r.name, `${r.value.toFixed(r.unit === "%" ? 1 : 0)} ${r.unit}`, target, verdict, r.detail];
  });
  const header = ["measurement", "value", "target", "", "detail"];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i] as number))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}
