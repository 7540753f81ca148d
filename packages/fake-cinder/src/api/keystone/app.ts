// Keystone v3, as much as python-keystoneauth1, openstackclient and tempest need to get a
// project-scoped token and a catalog: version discovery, password and token
// authentication, token validation and revocation. Error bodies are Keystone's
// {"error": {"code", "message", "title"}}.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { z } from "zod";
import { applicationUrl, isoMicro, newRequestId, sendJson } from "../http.js";
import { type Identity, type ProjectRef, type Token, Unauthenticated } from "../identity.js";

export interface CatalogEndpoint {
  interface: "public" | "internal" | "admin";
  /** may contain `%(project_id)s`, which Keystone substitutes per token */
  url: string;
  region?: string;
}

export interface CatalogService {
  id: string;
  type: string;
  name: string;
  endpoints: CatalogEndpoint[];
}

export interface KeystoneAppOptions {
  identity: Identity;
  /** read on every token issue, so endpoints can be filled in after the servers listen */
  catalog: () => CatalogService[];
  region?: string;
  logger?: boolean;
  /**
   * Answer Glance version discovery at /image: openstackclient builds an image client for
   * `volume create` and needs an `image` catalog entry whose URL answers discovery.
   */
  imageDiscovery?: boolean;
}

const DISCOVERY_UPDATED = "2020-04-07T00:00:00Z";

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Request Entity Too Large",
  500: "Internal Server Error",
};

class KeystoneError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const idOrName = z.object({ id: z.string().optional(), name: z.string().optional() }).loose();

const authRequest = z.object({
  auth: z.object({
    identity: z.object({
      methods: z.array(z.string()).min(1),
      password: z
        .object({
          user: z
            .object({
              id: z.string().optional(),
              name: z.string().optional(),
              domain: idOrName.optional(),
              password: z.string(),
            })
            .loose(),
        })
        .optional(),
      token: z.object({ id: z.string() }).optional(),
    }),
    scope: z
      .union([
        z.object({ project: idOrName.extend({ domain: idOrName.optional() }) }).loose(),
        z.literal("unscoped"),
      ])
      .optional(),
  }),
});

function versionDocument(base: string) {
  return {
    id: "v3.14",
    status: "stable",
    updated: DISCOVERY_UPDATED,
    links: [{ rel: "self", href: `${base}/v3/` }],
    "media-types": [{ base: "application/json", type: "application/vnd.openstack.identity-v3+json" }],
  };
}

export function buildKeystoneApp(options: KeystoneAppOptions): FastifyInstance {
  const { identity } = options;
  const region = options.region ?? "RegionOne";
  const app = Fastify({ logger: options.logger ?? false, genReqId: newRequestId });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === "") return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new KeystoneError(400, "Malformed request body"), undefined);
    }
  });

  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-openstack-request-id", request.id);
    reply.header("vary", "X-Auth-Token");
  });

  app.setErrorHandler((error, request, reply) => {
    let status = 500;
    let message = "An unexpected error prevented the server from fulfilling your request.";
    if (error instanceof KeystoneError) {
      status = error.status;
      message = error.message;
    } else if (error instanceof Unauthenticated) {
      status = 401;
      message = error.message;
    } else if ((error as { statusCode?: number }).statusCode === 413) {
      status = 413;
      message = "Request is too large.";
    } else if ((error as { statusCode?: number }).statusCode === 400) {
      status = 400;
      message = "Malformed request body";
    }
    if (status === 401) {
      reply.header("WWW-Authenticate", `Keystone uri="${applicationUrl(request)}"`);
    }
    if (status >= 500) request.log.error({ err: error }, "keystone request failed");
    return sendJson(reply, status, { error: { code: status, message, title: TITLES[status] ?? "Error" } });
  });

  app.setNotFoundHandler((_request, reply) =>
    sendJson(reply, 404, {
      error: { code: 404, message: "The resource could not be found.", title: "Not Found" },
    }),
  );

  app.get("/", async (request, reply) =>
    sendJson(reply, 300, { versions: { values: [versionDocument(applicationUrl(request))] } }),
  );
  const discovery = async (request: FastifyRequest, reply: FastifyReply) =>
    sendJson(reply, 200, { version: versionDocument(applicationUrl(request)) });
  app.get("/v3", discovery);
  app.get("/v3/", discovery);

  if (options.imageDiscovery ?? true) {
    // Glance 25 (Zed) answers its root with 300 and the list of image API versions.
    const glanceVersions = async (request: FastifyRequest, reply: FastifyReply) =>
      sendJson(reply, 300, {
        versions: [
          {
            id: "v2.16",
            status: "CURRENT",
            links: [{ rel: "self", href: `${applicationUrl(request)}/image/v2/` }],
          },
        ],
      });
    app.get("/image", glanceVersions);
    app.get("/image/", glanceVersions);
  }

  const render = (token: Token, withCatalog: boolean) =>
    renderToken(identity, token, region, withCatalog ? options.catalog() : undefined);

  app.post("/v3/auth/tokens", async (request, reply) => {
    const parsed = authRequest.safeParse(request.body);
    if (!parsed.success) {
      const where = parsed.error.issues[0]?.path.join(".") || "auth";
      throw new KeystoneError(
        400,
        `Expecting to find ${where} in the request body. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.`,
      );
    }
    const { identity: creds, scope } = parsed.data.auth;
    const projectScope = typeof scope === "object" ? (scope.project as ProjectRef) : undefined;
    let token: Token;
    if (creds.methods.includes("password")) {
      const user = creds.password?.user;
      if (!user)
        throw new KeystoneError(
          400,
          "Expecting to find password in identity. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.",
        );
      token = identity.authenticatePassword(user, user.password, projectScope);
    } else if (creds.methods.includes("token")) {
      if (!creds.token)
        throw new KeystoneError(
          400,
          "Expecting to find token in identity. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.",
        );
      token = identity.authenticateToken(creds.token.id, projectScope);
    } else {
      throw new KeystoneError(401, "The request you have made requires authentication.");
    }
    const nocatalog = (request.query as Record<string, unknown>).nocatalog !== undefined;
    reply.header("X-Subject-Token", token.id);
    return sendJson(reply, 201, render(token, !nocatalog));
  });

  const requireCaller = (request: FastifyRequest): Token => {
    const caller = identity.validate(headerOf(request, "x-auth-token"));
    if (!caller) throw new Unauthenticated("missing or invalid X-Auth-Token");
    return caller;
  };
  const subjectOf = (request: FastifyRequest): Token => {
    const subjectId = headerOf(request, "x-subject-token");
    const subject = identity.validate(subjectId);
    if (!subject) throw new KeystoneError(404, `Could not find token: ${subjectId ?? ""}.`);
    return subject;
  };

  app.get("/v3/auth/tokens", async (request, reply) => {
    requireCaller(request);
    const subject = subjectOf(request);
    const nocatalog = (request.query as Record<string, unknown>).nocatalog !== undefined;
    reply.header("X-Subject-Token", subject.id);
    return sendJson(reply, 200, render(subject, !nocatalog));
  });
  app.delete("/v3/auth/tokens", async (request, reply) => {
    requireCaller(request);
    identity.revoke(subjectOf(request).id);
    return reply.code(204).send();
  });

  return app;
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The token body Keystone returns from POST and GET /v3/auth/tokens. */
export function renderToken(identity: Identity, token: Token, region: string, catalog?: CatalogService[]) {
  const user = identity.userOf(token);
  const project = identity.projectOf(token);
  const body: Record<string, unknown> = {
    methods: token.methods,
    user: {
      domain: user ? identity.domain(user.domainId) : identity.domain("default"),
      id: token.userId,
      name: user?.name ?? token.userId,
      password_expires_at: null,
    },
    audit_ids: [token.auditId],
    expires_at: `${isoMicro(token.expiresAt)}Z`,
    issued_at: `${isoMicro(token.issuedAt)}Z`,
  };
  if (project) {
    body.project = { domain: identity.domain(project.domainId), id: project.id, name: project.name };
    body.is_domain = false;
    body.roles = token.roles.map((r) => ({ id: r.id, name: r.name }));
    if (catalog) {
      body.catalog = catalog.map((service) => ({
        endpoints: service.endpoints.map((e, i) => ({
          id: `${service.id.slice(0, 24)}${String(i).padStart(8, "0")}`,
          interface: e.interface,
          region_id: e.region ?? region,
          url: e.url.replaceAll("%(project_id)s", project.id).replaceAll("$(project_id)s", project.id),
          region: e.region ?? region,
        })),
        id: service.id,
        type: service.type,
        name: service.name,
      }));
    }
  }
  return { token: body };
}
