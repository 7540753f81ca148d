// The Cinder v3 API of one fake cluster as a Fastify app. Routes only parse (zod), call
// the CinderCloud model and render; the rules live in the model. Only server.ts listens;
// tests use app.inject().
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from "fastify";
import type { CinderCloud, RequestContext } from "../../model/index.js";
import { ApiFault, isFaultLike, notFound, renderFault } from "../faults.js";
import { applicationUrl, newRequestId, sendJson } from "../http.js";
import type { Identity } from "../identity.js";
import {
  MAX_VERSION,
  MIN_VERSION,
  requestedVersion,
  VERSION_HEADER,
  VERSIONS_UPDATED,
  versionHeaders,
} from "../microversion.js";
import { ListDocumentCache, RowTextCache } from "../row-text.js";
import { backupRoutes } from "./backups.js";
import "./context.js";
import { registerControlRoutes } from "./control.js";
import { miscRoutes } from "./misc.js";
import type { CinderRoute } from "./routes.js";
import { volumeRoutes } from "./volumes.js";

export type AuthStrategy = "keystone" | "noauth";

export interface CinderAppOptions {
  cloud: CinderCloud;
  /** the fake Keystone whose tokens this Cinder accepts (auth "keystone") */
  identity?: Identity;
  /** "keystone" (default when an identity is given) or Cinder's own "noauth" */
  auth?: AuthStrategy;
  /** the Keystone URL named in WWW-Authenticate on 401 */
  keystoneUrl?: string;
  /** serve /_fake/* (reset, state, faults, clock); off unless enabled */
  control?: boolean;
  logger?: boolean;
  /** oslo.middleware sizelimit's osapi_max_request_body_size (default 114688) */
  maxRequestBodySize?: number;
}

const JSON_TYPES = new Set(["application/json", "application/vnd.openstack.volume+json"]);
const INTERNAL_ERROR = "The server has either erred or is incapable of performing the requested operation.";

function versionsDocument(origin: string) {
  return {
    versions: [
      {
        id: "v3.0",
        status: "CURRENT",
        version: MAX_VERSION,
        min_version: MIN_VERSION,
        updated: VERSIONS_UPDATED,
        links: [
          { rel: "describedby", type: "text/html", href: "https://docs.openstack.org/" },
          { rel: "self", href: `${origin}/v3/` },
        ],
        "media-types": [
          { base: "application/json", type: "application/vnd.openstack.volume+json;version=3" },
        ],
      },
    ],
  };
}

/** webob's JSON rendering of an HTTP error raised outside Cinder's fault wrapper (router, sizelimit). */
function webobError(reply: FastifyReply, status: number, title: string, explanation: string) {
  return sendJson(reply, status, {
    message: `${explanation}<br /><br />\n\n\n`,
    code: `${status} ${title}`,
    title,
  });
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function buildCinderApp(options: CinderAppOptions): FastifyInstance {
  const { cloud, identity } = options;
  const auth: AuthStrategy = options.auth ?? (identity ? "keystone" : "noauth");
  if (auth === "keystone" && !identity) throw new Error("buildCinderApp: auth 'keystone' needs an identity");
  const maxBody = options.maxRequestBodySize ?? 114_688;
  const app = Fastify({
    logger: options.logger ?? false,
    genReqId: newRequestId,
    bodyLimit: maxBody,
    // Cinder's routes accept a trailing slash on collections; they match GET, not HEAD
    routerOptions: { ignoreTrailingSlash: true },
    exposeHeadRoutes: false,
  });
  app.decorateRequest("cinder", null);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (request, body, done) => {
    const type = (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    // Cinder ignores a body that comes without a Content-Type, and refuses other types with 415.
    if (type === "") return done(null, undefined);
    if (!JSON_TYPES.has(type)) return done(new ApiFault(415, "Unsupported Content-Type"), undefined);
    const text = String(body);
    if (text === "") return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new ApiFault(400, "Malformed request body"), undefined);
    }
  });

  const unauthenticated = (request: FastifyRequest, reply: FastifyReply) => {
    // keystonemiddleware's rejection: its own body, not a Cinder fault
    reply.header("WWW-Authenticate", `Keystone uri="${options.keystoneUrl ?? applicationUrl(request)}"`);
    return sendJson(reply, 401, {
      error: {
        code: 401,
        title: "Unauthorized",
        message: "The request you have made requires authentication.",
      },
    });
  };

  const authenticate = (request: FastifyRequest, reply: FastifyReply): RequestContext | undefined => {
    const token = header(request, "x-auth-token");
    if (auth === "noauth") {
      if (token === undefined) {
        // Cinder's NoAuthMiddleware hands out a token instead of serving the request.
        const user = header(request, "x-auth-user") ?? "admin";
        const project = header(request, "x-auth-project-id") ?? "admin";
        reply.header("X-Auth-Token", `${user}:${project}`);
        reply.header(
          "X-Server-Management-Url",
          `${applicationUrl(request)}${request.url.replace(/\/$/, "")}/${project}`,
        );
        reply.code(204).type("text/plain").send();
        return undefined;
      }
      const sep = token.indexOf(":");
      const userId = sep === -1 ? token : token.slice(0, sep);
      const projectId = sep === -1 ? token : token.slice(sep + 1) || userId;
      return { userId, projectId, isAdmin: true };
    }
    const found = identity?.validate(token);
    if (!found?.projectId) {
      unauthenticated(request, reply);
      return undefined;
    }
    return { userId: found.userId, projectId: found.projectId, isAdmin: identity?.isAdmin(found) ?? false };
  };

  // Callback-style hooks and handlers: this path runs on every request, and each async
  // layer would cost a promise.
  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-compute-request-id", request.id);
    reply.header("x-openstack-request-id", request.id);
    const path = request.url;
    if (path === "/" || path.startsWith("/?") || path.startsWith("/_fake/")) return done();
    let ctx: RequestContext | undefined;
    try {
      ctx = authenticate(request, reply);
      // authenticate() has answered (401, or noauth's 204): the request ends here
      if (!ctx) return;
      const version = requestedVersion(request.headers[VERSION_HEADER]);
      request.cinder = { ctx, version };
      const headers = versionHeaders(version);
      for (const name in headers) reply.header(name, headers[name]);
    } catch (error) {
      return done(error as Error);
    }
    done();
  });

  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    if (request.cinder) {
      for (const [name, value] of Object.entries(versionHeaders(request.cinder.version)))
        reply.header(name, value);
    }
    if (isFaultLike(error)) {
      const rendered = renderFault(error.status, error.message);
      for (const [name, value] of Object.entries(rendered.headers)) reply.header(name, value);
      return sendJson(reply, rendered.status, rendered.body);
    }
    const fastifyError = error as FastifyError & { validation?: unknown };
    if (fastifyError.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      // oslo.middleware 5.0 sizelimit (outside Cinder's fault wrapper, so webob's own body)
      return webobError(
        reply,
        413,
        "Request Entity Too Large",
        `Request is too large. Larger than max_request_body_size (${maxBody}).`,
      );
    }
    if (typeof fastifyError.statusCode === "number" && fastifyError.statusCode < 500) {
      const rendered = renderFault(400, "Malformed request body");
      return sendJson(reply, 400, rendered.body);
    }
    request.log.error({ err: error }, "unexpected error");
    const rendered = renderFault(500, INTERNAL_ERROR);
    return sendJson(reply, 500, rendered.body);
  });

  app.setNotFoundHandler((_request, reply) =>
    webobError(reply, 404, "Not Found", "The resource could not be found."),
  );

  // GET / is served without authentication; GET /v3/ is behind it, like Cinder's paste pipeline.
  app.get("/", async (request, reply) => sendJson(reply, 300, versionsDocument(applicationUrl(request))));
  app.get("/v3/", async (request, reply) => {
    // Cinder's router redirects the bare /v3 to /v3/ (routes' mapper.redirect, 302)
    if (request.url.split("?")[0] === "/v3") return reply.redirect(`${applicationUrl(request)}/v3/`, 302);
    return sendJson(reply, 200, versionsDocument(applicationUrl(request)));
  });

  const deps = { cloud, rowTexts: new RowTextCache(), listDocuments: new ListDocumentCache() };
  const routes: CinderRoute[] = [...volumeRoutes(deps), ...backupRoutes(deps), ...miscRoutes(deps)];
  for (const prefix of ["/v3/:projectId", "/v3"]) {
    for (const route of routes) {
      app.route({
        method: route.method,
        url: `${prefix}${route.path}`,
        handler: (request, reply) => {
          const state = request.cinder;
          if (state) {
            const { projectId } = request.params as { projectId?: string };
            if (projectId !== undefined && projectId !== state.ctx.projectId) {
              throw new ApiFault(400, "Malformed request url");
            }
            if (route.minVersion !== undefined && !state.version.atLeast(route.minVersion)) throw notFound();
          }
          const result = route.handler(request, reply);
          return result instanceof Promise ? result : undefined;
        },
      });
    }
  }

  if (options.control) registerControlRoutes(app, { cloud, identity });
  return app;
}
