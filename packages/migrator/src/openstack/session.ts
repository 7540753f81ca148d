// One authenticated side: Keystone v3 (password, application credential, token) or
// Cinder noauth. Finds the Cinder endpoint in the catalog, knows whether the caller is
// admin, and re-authenticates once when a token is refused or about to expire.
import { z } from "zod";
import { AuthError, CinderHttpError, ConfigError } from "../errors.js";
import type { CloudConfig } from "./config.js";
import type { Http, HttpResponse, Method } from "./http.js";

const tokenBody = z.object({
  token: z.object({
    expires_at: z.string(),
    user: z.object({ id: z.string(), name: z.string().optional() }),
    project: z.object({ id: z.string(), name: z.string().optional() }).optional(),
    roles: z.array(z.object({ name: z.string() })).default([]),
    catalog: z
      .array(
        z.object({
          type: z.string(),
          endpoints: z.array(
            z.object({
              interface: z.string(),
              url: z.string(),
              region: z.string().nullish(),
              region_id: z.string().nullish(),
            }),
          ),
        }),
      )
      .default([]),
  }),
});

const VOLUME_SERVICE_TYPES = ["block-storage", "volumev3", "volume"];
/** Renew this long before Keystone's expires_at (at most a tenth of the token's life) so a long poll never carries a dead token. */
const EXPIRY_MARGIN_MS = 60_000;

export class OpenStackSession {
  private token: string | undefined;
  private expiresAt = 0;
  private margin = EXPIRY_MARGIN_MS;
  private reauthInFlight: Promise<void> | undefined;
  cinderEndpoint = "";
  projectId = "";
  userId = "";
  roles: string[] = [];

  constructor(
    readonly cloud: CloudConfig,
    readonly http: Http,
    private readonly now: () => number = Date.now,
  ) {}

  get label(): string {
    return this.cloud.label;
  }

  get isAdmin(): boolean {
    // Cinder's noauth strategy makes every context admin.
    return this.cloud.authType === "noauth" || this.roles.includes("admin");
  }

  async connect(): Promise<void> {
    if (this.cloud.authType === "noauth") {
      this.projectId = this.cloud.projectId ?? "";
      this.userId = this.cloud.userId ?? "cinder-migrate";
      this.token = `${this.userId}:${this.projectId}`;
      this.expiresAt = Number.POSITIVE_INFINITY;
      this.cinderEndpoint = noauthEndpoint(this.cloud.endpoint ?? "", this.projectId);
      return;
    }
    await this.authenticate();
  }

  private async authenticate(): Promise<void> {
    const c = this.cloud;
    const url = `${(c.authUrl ?? "").replace(/\/+$/, "").replace(/\/v3$/, "")}/v3/auth/tokens`;
    let res: HttpResponse;
    try {
      res = await this.http.send("POST", url, { body: { auth: authBody(c) }, retry: true });
    } catch (error) {
      if (error instanceof CinderHttpError && (error.status === 401 || error.status === 403)) {
        throw new AuthError(
          `${c.label}: Keystone refused the credentials: ${error.faultMessage}`,
          "check the user, password/secret, project and domain",
        );
      }
      if (error instanceof CinderHttpError && error.status === 404) {
        throw new AuthError(
          `${c.label}: ${c.authUrl} is not a Keystone v3 endpoint (404 on /v3/auth/tokens)`,
        );
      }
      throw error;
    }
    const subject = res.headers["x-subject-token"];
    const parsed = tokenBody.safeParse(res.body);
    if (typeof subject !== "string" || !parsed.success) {
      throw new AuthError(`${c.label}: Keystone answered without a usable token`);
    }
    const t = parsed.data.token;
    this.token = subject;
    this.expiresAt = Date.parse(t.expires_at);
    this.margin = Math.min(EXPIRY_MARGIN_MS, Math.max(0, (this.expiresAt - this.now()) / 10));
    this.userId = t.user.id;
    this.projectId = t.project?.id ?? "";
    this.roles = t.roles.map((r) => r.name);
    if (!this.projectId)
      throw new AuthError(`${c.label}: the token is not scoped to a project; give a project name or id`);
    if (c.endpoint) {
      this.cinderEndpoint = c.endpoint.replace(/\/+$/, "");
      return;
    }
    const iface = c.interface;
    for (const type of VOLUME_SERVICE_TYPES) {
      const service = t.catalog.find((s) => s.type === type);
      const ep = service?.endpoints.find(
        (e) =>
          e.interface === iface &&
          (!c.regionName || e.region === c.regionName || e.region_id === c.regionName),
      );
      if (ep) {
        // Keystone substitutes the project into templated catalog URLs; some deployments do not.
        this.cinderEndpoint = ep.url
          .replaceAll("%(project_id)s", this.projectId)
          .replaceAll("$(project_id)s", this.projectId)
          .replaceAll("%(tenant_id)s", this.projectId)
          .replace(/\/+$/, "");
        return;
      }
    }
    throw new ConfigError(
      `${c.label}: no ${iface} block-storage endpoint in the Keystone catalog${c.regionName ? ` for region ${c.regionName}` : ""}`,
    );
  }

  private async ensureFresh(force = false): Promise<void> {
    if (this.cloud.authType === "noauth") return;
    if (!force && this.token && this.now() < this.expiresAt - this.margin) return;
    // One re-auth for all concurrent callers.
    this.reauthInFlight ??= this.authenticate().finally(() => {
      this.reauthInFlight = undefined;
    });
    await this.reauthInFlight;
  }

  /** A request to Cinder (absolute URL) with the token; a 401 triggers one re-auth and one replay. */
  async request(
    method: Method,
    url: string,
    init: { body?: unknown; headers?: Record<string, string>; retry?: boolean } = {},
  ): Promise<HttpResponse> {
    await this.ensureFresh();
    const withToken = () => ({ ...init, headers: { ...init.headers, ...this.authHeaders() } });
    const used = this.token;
    try {
      return await this.http.send(method, url, withToken());
    } catch (error) {
      if (!(error instanceof CinderHttpError) || error.status !== 401) throw error;
      if (this.cloud.authType === "noauth")
        throw new AuthError(`${this.label}: Cinder refused the noauth token`);
      // Another request may already have renewed it.
      if (this.token === used) await this.ensureFresh(true);
      return await this.http.send(method, url, withToken());
    }
  }

  private authHeaders(): Record<string, string> {
    const headers: Record<string, string> = { "x-auth-token": this.token ?? "" };
    if (this.cloud.authType === "noauth") {
      headers["x-user-id"] = this.userId;
      headers["x-project-id"] = this.projectId;
    }
    return headers;
  }
}

/** Like cinderclient's noauth plugin the endpoint is used verbatim; add the project when it ends at /v3. */
function noauthEndpoint(endpoint: string, projectId: string): string {
  const e = endpoint.replace(/\/+$/, "");
  return /\/v3$/.test(e) ? `${e}/${projectId}` : e;
}

function authBody(c: CloudConfig): unknown {
  const domain = (name?: string, id?: string) => (id ? { id } : { name: name ?? "Default" });
  let identity: unknown;
  if (c.authType === "password") {
    const user = c.userId
      ? { id: c.userId, password: c.password }
      : { name: c.username, domain: domain(c.userDomainName, c.userDomainId), password: c.password };
    identity = { methods: ["password"], password: { user } };
  } else if (c.authType === "v3applicationcredential") {
    const cred = c.applicationCredentialId
      ? { id: c.applicationCredentialId, secret: c.applicationCredentialSecret }
      : {
          name: c.applicationCredentialName,
          secret: c.applicationCredentialSecret,
          user: c.userId
            ? { id: c.userId }
            : { name: c.username, domain: domain(c.userDomainName, c.userDomainId) },
        };
    // An application credential carries its own project scope.
    return { identity: { methods: ["application_credential"], application_credential: cred } };
  } else {
    identity = { methods: ["token"], token: { id: c.token } };
  }
  const project = c.projectId
    ? { id: c.projectId }
    : c.projectName
      ? { name: c.projectName, domain: domain(c.projectDomainName, c.projectDomainId) }
      : undefined;
  return project ? { identity, scope: { project } } : { identity };
}
