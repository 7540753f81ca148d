// Per-request state of the Cinder app: who is calling and at which microversion.
import type { FastifyRequest } from "fastify";
import type { RequestContext } from "../../model/index.js";
import { applicationUrl } from "../http.js";
import type { ApiVersion } from "../microversion.js";
import { linkBase } from "./links.js";
import type { ViewContext } from "./views.js";

export interface CinderRequestState {
  ctx: RequestContext;
  version: ApiVersion;
}

declare module "fastify" {
  interface FastifyRequest {
    cinder: CinderRequestState | null;
  }
}

export function stateOf(request: FastifyRequest): CinderRequestState {
  const state = request.cinder;
  // The onRequest hook sets it for every Cinder route; reaching here without it is a wiring bug.
  if (!state) throw new Error(`no request context for ${request.method} ${request.url}`);
  return state;
}

export function viewOf(request: FastifyRequest): ViewContext & CinderRequestState {
  const state = stateOf(request);
  return { ...state, links: linkBase(request) };
}

/**
 * Names everything a row's view reads besides the row: the microversion, whether the
 * caller is an admin, and the link base (origin, project id in the URL or not). Equal
 * names mean equal views of an unchanged row (see RowTextCache). Free-form parts are
 * length-prefixed so that no two different inputs give one name.
 */
export function viewVariant(request: FastifyRequest): string {
  const { ctx, version } = stateOf(request);
  const projectInUrl = (request.params as { projectId?: string }).projectId;
  const project = projectInUrl === undefined ? "-" : `${projectInUrl.length}:${projectInUrl}`;
  return `${version.major}.${version.minor}\n${ctx.isAdmin ? "admin" : "user"}\n${project}\n${applicationUrl(request)}`;
}
