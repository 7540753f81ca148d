import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { CliFailure } from "./errors.js";

// Which fake Ceph the CLI talks to. A ceph.conf can carry the answer, so one per-cluster
// conf file serves both real rbd (which ignores unknown keys) and fake-rbd:
//
//   [global]
//   fake rbd url = http://127.0.0.1:6789
//   fake rbd cluster = backup
//
// Precedence: --fake-rbd-url, then FAKE_RBD_URL, then the conf key. The fake cluster is the
// conf's `fake rbd cluster`, else --cluster, else "ceph". The conf file is found like
// rbd finds it: -c/--conf, then CEPH_CONF, then /etc/ceph/$cluster.conf,
// ~/.ceph/$cluster.conf and ./$cluster.conf.

export const URL_ENV = "FAKE_RBD_URL";
export const URL_KEY = "fake rbd url";
export const CLUSTER_KEY = "fake rbd cluster";
export const DEFAULT_CLUSTER = "ceph";

export type CephConf = Map<string, Map<string, string>>;

/** Ceph treats spaces, underscores and dashes in option names alike. */
function normalizeKey(key: string): string {
  return key
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, " ");
}

export function parseCephConf(text: string): CephConf {
  const conf: CephConf = new Map();
  let section = conf.get("global") ?? new Map<string, string>();
  conf.set("global", section);
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s[#;].*$/, "").trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      const name = (header[1] ?? "").trim();
      section = conf.get(name) ?? new Map<string, string>();
      conf.set(name, section);
      continue;
    }
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    section.set(normalizeKey(line.slice(0, eq)), line.slice(eq + 1).trim());
  }
  return conf;
}

/** A key as a client sees it: [client.<id>], then [client], then [global]. */
export function confValue(conf: CephConf, key: string, clientId: string): string | undefined {
  const k = normalizeKey(key);
  for (const section of [`client.${clientId}`, "client", "global"]) {
    const value = conf.get(section)?.get(k);
    if (value !== undefined && value !== "") return value;
  }
  return undefined;
}

export interface TargetOptions {
  fakeRbdUrl?: string | undefined;
  conf?: string | undefined;
  cluster?: string | undefined;
  id?: string | undefined;
}

export interface Target {
  url: string | undefined;
  cluster: string;
  confPath: string | undefined;
}

function findConf(options: TargetOptions, env: NodeJS.ProcessEnv): string | undefined {
  if (options.conf) return options.conf;
  if (env.CEPH_CONF) return env.CEPH_CONF;
  const name = `${options.cluster ?? DEFAULT_CLUSTER}.conf`;
  return [join("/etc/ceph", name), join(homedir(), ".ceph", name), join(".", name)].find((p) =>
    existsSync(p),
  );
}

export function resolveTarget(options: TargetOptions, env: NodeJS.ProcessEnv): Target {
  const confPath = findConf(options, env);
  let conf: CephConf | undefined;
  if (confPath !== undefined) {
    try {
      conf = parseCephConf(readFileSync(confPath, "utf8"));
    } catch (error) {
      // rbd goes on without a conf it cannot read; only an explicit -c/--conf is fatal here,
      // because that is where the fake's address was supposed to come from.
      if (options.conf) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new CliFailure(`rbd: cannot read configuration file ${confPath}: ${reason}`, 2);
      }
    }
  }
  const clientId = options.id ?? "admin";
  const url =
    options.fakeRbdUrl ?? (env[URL_ENV] || undefined) ?? (conf && confValue(conf, URL_KEY, clientId));
  const cluster = (conf && confValue(conf, CLUSTER_KEY, clientId)) ?? options.cluster ?? DEFAULT_CLUSTER;
  return { url, cluster, confPath };
}

export function noServerFailure(target: Target): CliFailure {
  const where = target.confPath
    ? `the [global] section of ${target.confPath}`
    : "a ceph.conf given with -c/--conf";
  return new CliFailure(
    `rbd: couldn't connect to the cluster! no fake-rbd server configured: set ${URL_ENV}, pass --fake-rbd-url, or add '${URL_KEY} = http://HOST:PORT' to ${where}`,
    2,
  );
}
