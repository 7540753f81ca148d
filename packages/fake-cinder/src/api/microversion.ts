// Cinder's microversion negotiation (cinder/api/openstack/api_version_request.py and
// wsgi.Request.set_api_version_request, Zed): the `OpenStack-API-Version: volume 3.N`
// request header selects the version; without one the request is 3.0.

import { ApiFault } from "./faults.js";

export const MIN_MINOR = 0;
export const MAX_MINOR = 70;
export const MIN_VERSION = "3.0";
export const MAX_VERSION = "3.70";
export const VERSIONS_UPDATED = "2022-08-31T00:00:00Z";
export const VERSION_HEADER = "openstack-api-version";

export class ApiVersion {
  constructor(
    readonly major: number,
    readonly minor: number,
  ) {}

  /** True when this request is at 3.<minor> or later. */
  atLeast(minor: number): boolean {
    return this.major > 3 || (this.major === 3 && this.minor >= minor);
  }

  toString(): string {
    return `${this.major}.${this.minor}`;
  }
}

export const DEFAULT_VERSION = new ApiVersion(3, 0);
const LATEST = new ApiVersion(3, MAX_MINOR);
const VERSION_PATTERN = /^([1-9]\d*)\.([1-9]\d*|0)$/;

/**
 * The version a request asks for. The header may name several services
 * ("compute 2.1, volume 3.44"); only the `volume` entry counts.
 */
export function requestedVersion(headerValue: string | string[] | undefined): ApiVersion {
  if (headerValue === undefined) return DEFAULT_VERSION;
  // clients send the same few header values on every request
  if (typeof headerValue === "string") {
    const known = parsedHeaders.get(headerValue);
    if (known !== undefined) return known;
    const version = parseVersionHeader(headerValue);
    if (parsedHeaders.size >= 256) parsedHeaders.clear();
    parsedHeaders.set(headerValue, version);
    return version;
  }
  return parseVersionHeader(headerValue);
}

/** accepted header values and their versions (a refused value throws and is not kept) */
const parsedHeaders = new Map<string, ApiVersion>();

function parseVersionHeader(headerValue: string | string[]): ApiVersion {
  const joined = Array.isArray(headerValue) ? headerValue.join(",") : headerValue;
  let requested: string | undefined;
  for (const part of joined.split(",")) {
    const [service, version, ...rest] = part.trim().split(/\s+/);
    if (service?.toLowerCase() === "volume" && rest.length === 0) requested = version ?? "";
  }
  if (requested === undefined) return DEFAULT_VERSION;
  if (requested.toLowerCase() === "latest") return LATEST;
  const match = VERSION_PATTERN.exec(requested);
  if (!match) {
    throw new ApiFault(
      400,
      `API Version String ${requested} is of invalid format. Must be of format MajorNum.MinorNum.`,
    );
  }
  const version = new ApiVersion(Number(match[1]), Number(match[2]));
  if (version.major !== 3 || version.minor < MIN_MINOR || version.minor > MAX_MINOR) {
    throw new ApiFault(
      406,
      `Version ${requested} is not supported by the API. Minimum is ${MIN_VERSION} and maximum is ${MAX_VERSION}.`,
    );
  }
  return version;
}

/**
 * The headers Cinder adds to every versioned response, errors included. (Cinder skips
 * them when the version string contains "1.0" or "2.0", a test meant for the legacy
 * v1/v2 endpoints that no 3.x string matches: "3.10" and "3.20" do not contain it.)
 */
export function versionHeaders(version: ApiVersion): Readonly<Record<string, string>> {
  let headers = headersOf.get(version);
  if (headers === undefined) {
    const text = version.toString();
    headers =
      text.includes("1.0") || text.includes("2.0")
        ? {}
        : { "OpenStack-API-Version": `volume ${text}`, Vary: "OpenStack-API-Version" };
    headersOf.set(version, headers);
  }
  return headers;
}

const headersOf = new WeakMap<ApiVersion, Readonly<Record<string, string>>>();
