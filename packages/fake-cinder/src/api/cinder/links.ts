// Links the way Cinder's view builders build them (cinder/api/views/common.py): the
// project id appears only when the request URL held /v3/<project_id>, and bookmarks
// drop the version segment.
import type { FastifyRequest } from "fastify";
import { applicationUrl } from "../http.js";

export interface LinkBase {
  /** scheme://host:port */
  origin: string;
  /** the project id when the URL form /v3/<project_id>/... was used */
  projectInUrl: string | undefined;
  /** the query string of the request, for next links */
  query: Record<string, unknown>;
}

export interface Link {
  rel: string;
  href: string;
}

export function linkBase(request: FastifyRequest): LinkBase {
  const params = request.params as { projectId?: string };
  return {
    origin: applicationUrl(request),
    projectInUrl: params.projectId,
    query: (request.query ?? {}) as Record<string, unknown>,
  };
}

function join(...parts: Array<string | undefined>): string {
  return parts.filter((p) => p !== undefined && p !== "").join("/");
}

export function resourceLinks(base: LinkBase, collection: string, id: string): Link[] {
  const tail =
    base.projectInUrl === undefined ? `/${collection}/${id}` : `/${base.projectInUrl}/${collection}/${id}`;
  return [
    { rel: "self", href: `${base.origin}/v3${tail}` },
    { rel: "bookmark", href: `${base.origin}${tail}` },
  ];
}

/** `<collection>_links` with a next href when a page came back full. */
export function collectionLinks(
  base: LinkBase,
  collection: string,
  items: ReadonlyArray<{ id: string }>,
  limit: number,
): Link[] {
  const last = items[items.length - 1];
  if (!last || items.length !== limit) return [];
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(base.query)) {
    if (key === "marker" || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
  }
  params.set("limit", String(limit));
  params.set("marker", last.id);
  return [{ rel: "next", href: `${join(`${base.origin}/v3`, base.projectInUrl, collection)}?${params}` }];
}
