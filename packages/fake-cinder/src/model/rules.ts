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
