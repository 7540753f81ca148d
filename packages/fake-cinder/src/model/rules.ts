// Small pure helpers shared by CinderCloud: visibility, filtering, sorting, pagination and
// Python-flavoured text formatting used in Cinder's messages.
import { MarkerNotFound } from "./errors.js";
import type { ListOptions, RequestContext, SortKey } from "./types.js";

/** Python's repr of a list of strings: ['a', 'b'] */
export const pyList = (items: readonly string[]): string => `[${items.map((i) => `'${i}'`).join(", ")}]`;

/** Python's repr of a tuple of strings: ('a', 'b') */
export const pyTuple = (items: readonly string[]): string => `(${items.map((i) => `'${i}'`).join(", ")})`;

/** cinder.utils.build_or_str */
export const orStr = (items: readonly string[]): string => items.join(" or ");

export function visible(ctx: RequestContext, projectId: string): boolean {
  return ctx.isAdmin || ctx.projectId === projectId;
}

export const DEFAULT_SORT: SortKey[] = [
  { key: "created_at", dir: "desc" },
  { key: "id", dir: "desc" },
];

type Comparable = string | number | boolean | Date | null | undefined;

function compare(a: Comparable, b: Comparable): number {
  // NULLs sort first ascending, as in MySQL/sqlite
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  const av = a instanceof Date ? a.getTime() : a;
  const bv = b instanceof Date ? b.getTime() : b;
  return av < bv ? -1 : av > bv ? 1 : 0;
}

/**
 * Sorts, then applies marker (items after the marker in sort order), offset and limit, the way
 * cinder.db's paginate_query does. `field` maps an API sort key to the item's value.
 */
export function paginate<T extends { id: string }>(
  items: T[],
  opts: ListOptions,
  field: (item: T, key: string) => Comparable,
  /** items already come in the default order (created_at desc, id desc) */
  presorted = false,
): T[] {
  const customSort = opts.sort !== undefined && opts.sort.length > 0;
  const sort = customSort ? [...(opts.sort ?? [])] : [...DEFAULT_SORT];
  if (!sort.some((s) => s.key === "id")) sort.push({ key: "id", dir: sort[0]?.dir ?? "desc" });
  const cmp = (x: T, y: T): number => {
    for (const s of sort) {
      const c = compare(field(x, s.key), field(y, s.key));
      if (c !== 0) return s.dir === "asc" ? c : -c;
    }
    return 0;
  };
  let sorted = presorted && !customSort ? items : [...items].sort(cmp);
  if (opts.marker !== undefined) {
    const idx = sorted.findIndex((i) => i.id === opts.marker);
    if (idx < 0) throw new MarkerNotFound(opts.marker);
    sorted = sorted.slice(idx + 1);
  }
  if (opts.offset !== undefined && opts.offset > 0) sorted = sorted.slice(opts.offset);
  if (opts.limit !== undefined && opts.limit >= 0) sorted = sorted.slice(0, opts.limit);
  return sorted;
}

/** (created_at, id) ascending: the default list order, reversed */
export function oldestFirst<T extends { id: string }>(
  field: (item: T, key: string) => Comparable,
): (x: T, y: T) => number {
  return (x, y) => compare(field(x, "created_at"), field(y, "created_at")) || compare(x.id, y.id);
}

/** Inserts `item` into `rows`, kept sorted by `cmp`, after its equals (O(log n) search). */
export function insertSorted<T>(rows: T[], item: T, cmp: (x: T, y: T) => number): void {
  let lo = 0;
  let hi = rows.length;
  // rows are created in time order, so the slot is nearly always the end
  const last = rows[hi - 1];
  if (last === undefined || cmp(last, item) <= 0) {
    rows.push(item);
    return;
  }
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(rows[mid] as T, item) <= 0) lo = mid + 1;
    else hi = mid;
  }
  rows.splice(lo, 0, item);
}

/** Removes `item` (by identity) from `rows`, kept sorted by `cmp`. */
export function removeSorted<T>(rows: T[], item: T, cmp: (x: T, y: T) => number): void {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(rows[mid] as T, item) < 0) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < rows.length && cmp(rows[i] as T, item) === 0; i++) {
    if (rows[i] === item) {
      rows.splice(i, 1);
      return;
    }
  }
  // not where its keys say (a key changed in place): fall back to a scan
  const at = rows.indexOf(item);
  if (at >= 0) rows.splice(at, 1);
}

/**
 * `paginate` for the default order (created_at desc, id desc) without sorting: walks rows kept
 * oldest first from the newest end and stops once the page is full, so a page costs
 * O(marker position + offset + limit) rather than a sort of every row.
 */
export function pageNewestFirst<T extends { id: string }>(
  oldest: readonly T[],
  keep: (item: T) => boolean,
  opts: ListOptions,
): T[] {
  const out: T[] = [];
  let seekingMarker = opts.marker !== undefined;
  let skip = opts.offset !== undefined && opts.offset > 0 ? opts.offset : 0;
  const limit = opts.limit !== undefined && opts.limit >= 0 ? opts.limit : Number.POSITIVE_INFINITY;
  for (let i = oldest.length - 1; i >= 0; i--) {
    if (!seekingMarker && out.length >= limit) break;
    const item = oldest[i] as T;
    if (!keep(item)) continue;
    if (seekingMarker) {
      if (item.id === opts.marker) seekingMarker = false;
      continue;
    }
    if (skip > 0) {
      skip--;
      continue;
    }
    out.push(item);
  }
  if (seekingMarker) throw new MarkerNotFound(opts.marker as string);
  return out;
}

/** Cinder's strutils.bool_from_string for filter values */
export function boolFromString(value: unknown): boolean {
  if (typeof value === "boolean") return value;
  return ["1", "t", "true", "on", "y", "yes"].includes(String(value).trim().toLowerCase());
}

/** the random part of a transfer auth key: [a-z0-9] like cinder.utils.generate_password's default */
export function randomString(length: number, random: () => number = Math.random): string {
  const symbols = "abcdefghijklmnopqrstuvwxyz0123456789";
  let s = "";
  for (let i = 0; i < length; i++) s += symbols[Math.floor(random() * symbols.length)];
  return s;
}

/** items in the default list order (created_at desc, id desc) */
export function sortDefault<T extends { id: string }>(
  items: T[],
  field: (item: T, key: string) => Comparable,
): T[] {
  return paginate(items, {}, field);
}
