// Query-string handling shared by the list calls: pagination (marker, limit, offset),
// sorting (sort=key:dir,... or sort_key/sort_dir), with_count, all_tenants, and the rest
// as filters (cinder/api/common.py).
import type { ListOptions, SortKey } from "../../model/index.js";
import { ApiFault } from "../faults.js";
import type { ApiVersion } from "../microversion.js";

export const OSAPI_MAX_LIMIT = 1000;

const RESERVED = new Set([
  "marker",
  "limit",
  "offset",
  "sort",
  "sort_key",
  "sort_dir",
  "with_count",
  "all_tenants",
]);

const TRUE_STRINGS = new Set(["1", "t", "true", "on", "y", "yes"]);
const FALSE_STRINGS = new Set(["0", "f", "false", "off", "n", "no"]);

function single(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? String(value[value.length - 1]) : String(value);
}

function strictBool(value: string): boolean {
  const lower = value.toLowerCase();
  if (TRUE_STRINGS.has(lower)) return true;
  if (FALSE_STRINGS.has(lower)) return false;
  // oslo strutils.bool_from_string(strict=True), surfaced as InvalidParameterValue
  throw new ApiFault(
    400,
    `Unrecognized value '${value}', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'`,
  );
}

/** A Python-literal-ish dict in a query string, e.g. metadata={'k': 'v'}. */
function parseDictParam(value: string): unknown {
  try {
    return JSON.parse(value.replace(/'/g, '"'));
  } catch {
    return value;
  }
}

export interface ParsedList {
  options: ListOptions;
  /** the page size actually applied (next links appear when a page comes back this full) */
  limit: number;
  withCount: boolean;
}

export function parseListQuery(query: Record<string, unknown>, version: ApiVersion): ParsedList {
  let limit = OSAPI_MAX_LIMIT;
  const rawLimit = single(query.limit);
  if (rawLimit !== undefined) {
    if (!/^-?\d+$/.test(rawLimit)) throw new ApiFault(400, "limit param must be an integer");
    const n = Number(rawLimit);
    if (n < 0) throw new ApiFault(400, "limit param must be positive");
    limit = Math.min(n, OSAPI_MAX_LIMIT);
  }
  let offset: number | undefined;
  const rawOffset = single(query.offset);
  if (rawOffset !== undefined) {
    if (!/^-?\d+$/.test(rawOffset)) throw new ApiFault(400, "offset param must be an integer");
    offset = Number(rawOffset);
    if (offset < 0) throw new ApiFault(400, "offset param must be positive");
  }
  const sort = parseSort(query);
  const filters: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (RESERVED.has(key)) continue;
    const text = single(value);
    if (text === undefined) continue;
    filters[key] = key === "metadata" || key === "glance_metadata" ? parseDictParam(text) : text;
  }
  const allTenantsRaw = single(query.all_tenants);
  const allTenants = allTenantsRaw === undefined ? false : strictBool(allTenantsRaw);
  const withCountRaw = single(query.with_count);
  const withCount = version.atLeast(45) && withCountRaw !== undefined && strictBool(withCountRaw);
  const options: ListOptions = { filters, limit, allTenants };
  const marker = single(query.marker);
  if (marker !== undefined) options.marker = marker;
  if (offset !== undefined) options.offset = offset;
  if (sort) options.sort = sort;
  return { options, limit, withCount };
}

function parseSort(query: Record<string, unknown>): SortKey[] | undefined {
  const sort = single(query.sort);
  const sortKey = single(query.sort_key);
  const sortDir = single(query.sort_dir);
  if (sort !== undefined && (sortKey !== undefined || sortDir !== undefined)) {
    throw new ApiFault(
      400,
      "The 'sort_key' and 'sort_dir' parameters are deprecated and cannot be used with the 'sort' parameter.",
    );
  }
  const checkDir = (dir: string): "asc" | "desc" => {
    const lower = dir.toLowerCase();
    if (lower !== "asc" && lower !== "desc") {
      throw new ApiFault(400, `Invalid input received: Unknown sort direction, must be 'desc' or 'asc'.`);
    }
    return lower;
  };
  if (sort !== undefined) {
    return sort
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part !== "")
      .map((part) => {
        const [key = "", dir] = part.split(":");
        return { key: key.trim(), dir: dir === undefined ? "desc" : checkDir(dir.trim()) };
      });
  }
  if (sortKey !== undefined || sortDir !== undefined) {
    return [{ key: sortKey ?? "created_at", dir: sortDir === undefined ? "desc" : checkDir(sortDir) }];
  }
  return undefined;
}
