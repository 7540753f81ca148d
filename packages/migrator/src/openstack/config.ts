// Where a side's credentials come from, the OpenStack way: a named cloud in clouds.yaml
// (OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/clouds.yaml,
// /etc/openstack/clouds.yaml — the first file that exists wins, like openstacksdk), or OS_*
// variables from the environment or an openrc file. Secrets stay in memory only.
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ConfigError } from "../errors.js";

export type AuthType = "password" | "v3applicationcredential" | "token" | "noauth";

export interface CloudConfig {
  /** cloud name, or "env"/the openrc path: used in messages and the journal, never a secret */
  label: string;
  authType: AuthType;
  authUrl?: string;
  username?: string;
  userId?: string;
  password?: string;
  userDomainName?: string;
  userDomainId?: string;
  projectName?: string;
  projectId?: string;
  projectDomainName?: string;
  projectDomainId?: string;
  applicationCredentialId?: string;
  applicationCredentialName?: string;
  applicationCredentialSecret?: string;
  token?: string;
  /** Cinder endpoint override (noauth, or a catalog with unreachable URLs) */
  endpoint?: string;
  regionName?: string;
  interface: "public" | "internal" | "admin";
  cacert?: string;
  insecure: boolean;
}

const str = z.union([z.string(), z.number()]).transform(String).optional();

const cloudEntry = z.looseObject({
  auth_type: z.string().optional(),
  auth: z
    .looseObject({
      auth_url: str,
      username: str,
      user_id: str,
      password: str,
      user_domain_name: str,
      user_domain_id: str,
      project_name: str,
      project_id: str,
      tenant_name: str,
      tenant_id: str,
      project_domain_name: str,
      project_domain_id: str,
      domain_name: str,
      application_credential_id: str,
      application_credential_name: str,
      application_credential_secret: str,
      token: str,
      endpoint: str,
    })
    .optional(),
  region_name: str,
  interface: z.enum(["public", "internal", "admin"]).optional(),
  cacert: str,
  verify: z.boolean().optional(),
  insecure: z.boolean().optional(),
  block_storage_endpoint_override: str,
  volume_endpoint_override: str,
});

const cloudsFile = z.object({ clouds: z.record(z.string(), cloudEntry) });

export function cloudsYamlSearchPath(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string[] {
  const paths: string[] = [];
  if (env.OS_CLIENT_CONFIG_FILE) paths.push(env.OS_CLIENT_CONFIG_FILE);
  paths.push(join(cwd, "clouds.yaml"), join(env.HOME ?? homedir(), ".config", "openstack", "clouds.yaml"));
  paths.push("/etc/openstack/clouds.yaml");
  return paths;
}

export function loadCloud(
  name: string,
  options: { env?: NodeJS.ProcessEnv; cwd?: string; cacert?: string; insecure?: boolean } = {},
): CloudConfig {
  const env = options.env ?? process.env;
  const searched = cloudsYamlSearchPath(env, options.cwd);
  const file = searched.find((p) => existsSync(p));
  if (!file) {
    throw new ConfigError(
      `unknown cloud "${name}": no clouds.yaml found (searched ${searched.join(", ")})`,
      "create clouds.yaml or set OS_CLIENT_CONFIG_FILE",
    );
  }
  let parsed: z.infer<typeof cloudsFile>;
  try {
    parsed = cloudsFile.parse(parseYaml(readFileSync(file, "utf8")));
  } catch (error) {
    throw new ConfigError(`${file} is not a valid clouds.yaml: ${firstLine(error)}`);
  }
  const entry = parsed.clouds[name];
  if (!entry) {
    throw new ConfigError(
      `unknown cloud "${name}" in ${file} (known: ${Object.keys(parsed.clouds).join(", ") || "none"})`,
    );
  }
  const auth = entry.auth ?? {};
  return finish({
    label: name,
    authType: normaliseAuthType(entry.auth_type, auth.token !== undefined, `cloud "${name}"`),
    authUrl: auth.auth_url,
    username: auth.username,
    userId: auth.user_id,
    password: auth.password,
    userDomainName: auth.user_domain_name ?? auth.domain_name,
    userDomainId: auth.user_domain_id,
    projectName: auth.project_name ?? auth.tenant_name,
    projectId: auth.project_id ?? auth.tenant_id,
    projectDomainName: auth.project_domain_name ?? auth.domain_name,
    projectDomainId: auth.project_domain_id,
    applicationCredentialId: auth.application_credential_id,
    applicationCredentialName: auth.application_credential_name,
    applicationCredentialSecret: auth.application_credential_secret,
    token: auth.token,
    endpoint: entry.block_storage_endpoint_override ?? entry.volume_endpoint_override ?? auth.endpoint,
    regionName: entry.region_name,
    interface: entry.interface ?? "public",
    cacert: options.cacert ?? entry.cacert,
    insecure: options.insecure ?? (entry.insecure === true || entry.verify === false),
  });
}

/** OS_* variables, as an openrc sets them (cinderclient's names, plus CINDER_ENDPOINT for noauth). */
export function cloudFromEnv(
  env: Record<string, string | undefined>,
  label: string,
  options: { cacert?: string; insecure?: boolean } = {},
): CloudConfig {
  const get = (k: string) => (env[k] === undefined || env[k] === "" ? undefined : env[k]);
  if (!get("OS_AUTH_URL") && !get("CINDER_ENDPOINT") && !get("OS_ENDPOINT") && !get("OS_VOLUME_ENDPOINT")) {
    throw new ConfigError(
      `${label}: neither OS_AUTH_URL nor CINDER_ENDPOINT is set`,
      "source an openrc or use --from-cloud/--to-cloud",
    );
  }
  return finish({
    label,
    authType: normaliseAuthType(get("OS_AUTH_TYPE"), get("OS_TOKEN") !== undefined, label),
    authUrl: get("OS_AUTH_URL"),
    username: get("OS_USERNAME"),
    userId: get("OS_USER_ID"),
    password: get("OS_PASSWORD"),
    userDomainName: get("OS_USER_DOMAIN_NAME"),
    userDomainId: get("OS_USER_DOMAIN_ID"),
    projectName: get("OS_PROJECT_NAME") ?? get("OS_TENANT_NAME"),
    projectId: get("OS_PROJECT_ID") ?? get("OS_TENANT_ID"),
    projectDomainName: get("OS_PROJECT_DOMAIN_NAME"),
    projectDomainId: get("OS_PROJECT_DOMAIN_ID"),
    applicationCredentialId: get("OS_APPLICATION_CREDENTIAL_ID"),
    applicationCredentialName: get("OS_APPLICATION_CREDENTIAL_NAME"),
    applicationCredentialSecret: get("OS_APPLICATION_CREDENTIAL_SECRET"),
    token: get("OS_TOKEN") ?? get("OS_AUTH_TOKEN"),
    endpoint: get("CINDER_ENDPOINT") ?? get("OS_VOLUME_ENDPOINT") ?? get("OS_ENDPOINT"),
    regionName: get("OS_REGION_NAME"),
    interface: (get("OS_INTERFACE")?.replace(/URL$/, "") as CloudConfig["interface"]) ?? "public",
    cacert: options.cacert ?? get("OS_CACERT"),
    insecure: options.insecure ?? ["1", "true", "yes"].includes((get("OS_INSECURE") ?? "").toLowerCase()),
  });
}

/** `export OS_X=value` lines of an openrc; quotes removed, no shell evaluation. */
export function parseOpenrc(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const m = /^\s*(?:export\s+)?([A-Z_][A-Z0-9_]*)=(.*)$/.exec(raw);
    if (!m?.[1]) continue;
    let value = (m[2] ?? "").trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) {
      value = value.slice(1, -1);
    }
    vars[m[1]] = value;
  }
  return vars;
}

export function cloudFromOpenrc(
  path: string,
  options: { cacert?: string; insecure?: boolean } = {},
): CloudConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read openrc ${path}: ${firstLine(error)}`);
  }
  return cloudFromEnv(parseOpenrc(text), path, options);
}

function normaliseAuthType(value: string | undefined, hasToken: boolean, where: string): AuthType {
  const v = (value ?? (hasToken ? "token" : "password")).toLowerCase();
  if (["password", "v3password", "keystone"].includes(v)) return "password";
  if (["v3applicationcredential", "applicationcredential", "application_credential"].includes(v)) {
    return "v3applicationcredential";
  }
  if (["token", "v3token", "admin_token"].includes(v)) return "token";
  if (["noauth", "none"].includes(v)) return "noauth";
  throw new ConfigError(
    `${where}: auth type "${value}" is not supported (password, v3applicationcredential, token, noauth)`,
  );
}

function finish(c: CloudConfig): CloudConfig {
  const missing = (what: string) => new ConfigError(`${c.label}: ${c.authType} auth needs ${what}`);
  if (c.authType === "noauth") {
    if (!c.endpoint) throw missing("a Cinder endpoint (CINDER_ENDPOINT or block_storage_endpoint_override)");
    if (!c.projectId) throw missing("a project id (OS_PROJECT_ID)");
  } else {
    if (!c.authUrl) throw missing("an auth URL (OS_AUTH_URL)");
    if (c.authType === "password" && !c.password) throw missing("a password (OS_PASSWORD)");
    if (c.authType === "password" && !c.username && !c.userId)
      throw missing("a user (OS_USERNAME or OS_USER_ID)");
    if (c.authType === "token" && !c.token) throw missing("a token (OS_TOKEN)");
    if (c.authType === "v3applicationcredential" && !c.applicationCredentialSecret) {
      throw missing("an application credential secret");
    }
  }
  // Drop undefined keys so the object prints cleanly (it is never written anywhere).
  return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as unknown as CloudConfig;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}
