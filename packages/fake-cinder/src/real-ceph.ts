// fake-cinder over a REAL Ceph: the command-line options that point a lab's volume and
// backup stores at real clusters (through `RbdCliBackend`, i.e. the real rbd CLI), and
// their translation into startLab options.
//
// Roles are the lab's Ceph cluster names: each OpenStack cluster's name ("a", "b") for its
// volume pool, and the backup cluster ("backup" by default) for the backup pool.
//   --ceph-conf F [--ceph-keyring K] [--ceph-user U]   every role on one cluster
//   --ceph-cluster ROLE=CONF[,keyring=K][,user=U]       one role elsewhere (repeatable)
//   --volume-pools a=volumes-a,b=volumes-b            distinct pools when roles share a cluster
import { type CephClientIdentity, RbdCliBackend } from "@cinderlab/fake-rbd";
import type { Command } from "commander";
import { z } from "zod";

/** zod fields merged into the CLI's common option schema */
export const realCephFields = {
  cephConf: z.string().min(1).optional(),
  cephKeyring: z.string().min(1).optional(),
  cephUser: z.string().min(1).optional(),
  cephCluster: z.array(z.string()).default([]),
  volumePools: z.string().optional(),
};

const realCephSchema = z.object(realCephFields);
type RealCephOptions = z.output<typeof realCephSchema>;

export function addRealCephOptions(command: Command): Command {
  return command
    .option("--ceph-conf <file>", "put volumes and backups on a real Ceph: its ceph.conf (every role)")
    .option("--ceph-keyring <file>", "keyring for --ceph-conf (default: what the conf names)")
    .option("--ceph-user <name>", "cephx user for --ceph-conf, without client. (default: admin)")
    .option(
      "--ceph-cluster <role=conf[,keyring=file][,user=name]>",
      "a role (cluster name, or the backup cluster) on its own real Ceph (repeatable)",
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option("--volume-pools <cluster=pool,...>", "volume pool per cluster, e.g. a=volumes-a,b=volumes-b");
}

/** Thrown for option values that cannot work; the CLI prints its message as one line. */
export class RealCephOptionError extends Error {
  override readonly name = "RealCephOptionError";
}

function parseRole(text: string): [string, CephClientIdentity] {
  const [head = "", ...rest] = text.split(",");
  const eq = head.indexOf("=");
  if (eq <= 0 || eq === head.length - 1)
    throw new RealCephOptionError(`--ceph-cluster takes ROLE=CONF[,keyring=FILE][,user=NAME]; got ${text}`);
  const identity: CephClientIdentity = { conf: head.slice(eq + 1) };
  for (const part of rest) {
    const [key, value] = [part.slice(0, part.indexOf("=")), part.slice(part.indexOf("=") + 1)];
    if (key === "keyring" && value) identity.keyring = value;
    else if (key === "user" && value) identity.id = value;
    else
      throw new RealCephOptionError(
        `--ceph-cluster ${text}: unknown part "${part}" (keyring=FILE or user=NAME)`,
      );
  }
  return [head.slice(0, eq), identity];
}

/** The startLab options for a real Ceph, or {} when none of the options is given. */
export function realCephLabInput(opts: RealCephOptions): {
  rbd?: RbdCliBackend;
  volumePools?: Record<string, string>;
} {
  const out: { rbd?: RbdCliBackend; volumePools?: Record<string, string> } = {};
  if (opts.volumePools !== undefined) {
    const pools: Record<string, string> = {};
    for (const pair of opts.volumePools.split(",").filter(Boolean)) {
      const [cluster, pool] = pair.split("=");
      if (!cluster || !pool)
        throw new RealCephOptionError(`--volume-pools takes CLUSTER=POOL,...; got ${opts.volumePools}`);
      pools[cluster] = pool;
    }
    out.volumePools = pools;
  }
  if (opts.cephConf === undefined && opts.cephCluster.length === 0) {
    if (opts.cephKeyring !== undefined || opts.cephUser !== undefined)
      throw new RealCephOptionError("--ceph-keyring and --ceph-user need --ceph-conf");
    return out;
  }
  const fallback: CephClientIdentity | undefined =
    opts.cephConf === undefined
      ? undefined
      : {
          conf: opts.cephConf,
          ...(opts.cephKeyring === undefined ? {} : { keyring: opts.cephKeyring }),
          ...(opts.cephUser === undefined ? {} : { id: opts.cephUser }),
        };
  out.rbd = new RbdCliBackend({
    clusters: Object.fromEntries(opts.cephCluster.map(parseRole)),
    ...(fallback === undefined ? {} : { default: fallback }),
  });
  return out;
}
