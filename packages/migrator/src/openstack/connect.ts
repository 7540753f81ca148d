import { AuthError } from "../errors.js";
import { CinderClient } from "./cinder.js";
import type { CloudConfig } from "./config.js";
import { Http, type HttpOptions } from "./http.js";
import { OpenStackSession } from "./session.js";

/** Authenticates, finds Cinder, negotiates the microversion; optionally insists on admin. */
export async function connectCinder(
  cloud: CloudConfig,
  options: { requireAdmin?: string; http?: HttpOptions } = {},
): Promise<CinderClient> {
  const http = new Http({
    ...options.http,
    ...(cloud.cacert ? { cacert: cloud.cacert } : {}),
    insecure: cloud.insecure,
  });
  const session = new OpenStackSession(cloud, http);
  await session.connect();
  const client = new CinderClient(session);
  await client.negotiate();
  if (options.requireAdmin && !client.isAdmin) {
    throw new AuthError(
      `${cloud.label}: ${options.requireAdmin} needs the admin role (backup export/import are admin-only); the token has roles: ${session.roles.join(", ") || "none"}`,
      "use admin credentials for this side",
    );
  }
  return client;
}
