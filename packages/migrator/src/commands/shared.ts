// Options and plumbing shared by the commands: where each side's credentials come from,
// Ceph access per cluster, output mode. Options are parsed with zod before use.
import { type Command, Option } from "commander";
import { z } from "zod";
import { RbdCluster } from "../ceph/rbd.js";
import type { CephSettings, SideRef } from "../engine/journal.js";
import type { CephAccess } from "../engine/ports.js";
import { UsageError } from "../errors.js";
import { type CloudConfig, cloudFromEnv, cloudFromOpenrc, loadCloud } from "../openstack/config.js";

export type Side = "from" | "to";

export function sideOptions(cmd: Command, sides: Side[]): Command {
  for (const side of sides) {
    const which = side === "from" ? "source (A)" : "target (B)";
    cmd.option(`--${side}-cloud <name>`, `${which} cloud in clouds.yaml`);
    cmd.option(`--${side}-openrc <file>`, `${which} credentials as an openrc file (OS_* variables)`);
    cmd.option(`--${side}-env`, `${which} credentials from this shell's OS_* environment`);
  }
  cmd.option("--os-cacert <file>", "CA bundle for TLS verification (both sides)");
  cmd.option("--insecure", "do not verify TLS certificates (not recommended)");
  return cmd;
}

export function cephOptions(cmd: Command): Command {
  cmd.option(
    "--rbd-bin <command>",
    "rbd binary (real rbd, or fake-rbd)",
    process.env.CINDER_MIGRATE_RBD_BIN ?? "rbd",
  );
  cmd.option("--backup-ceph-conf <file>", "ceph.conf of the backup Ceph cluster");
  cmd.option("--backup-keyring <file>", "keyring for the backup Ceph cluster");
  cmd.option("--backup-ceph-user <id>", "rados user id for the backup Ceph (rbd --id)");
  cmd.option("--backup-pool <pool>", "pool holding the backups (Cinder's backup_ceph_pool)", "backups");
  cmd.option("--to-ceph-conf <file>", "ceph.conf of B's volume Ceph cluster");
  cmd.option("--to-keyring <file>", "keyring for B's volume Ceph cluster");
  cmd.option("--to-ceph-user <id>", "rados user id for B's volume Ceph");
  cmd.option("--to-pool <pool>", "B's volume pool (Cinder's rbd_pool)", "volumes");
  return cmd;
}

export function outputOption(cmd: Command): Command {
  return cmd.addOption(
    new Option("--output <format>", "human or json").choices(["human", "json"]).default("human"),
  );
}

export function stateDirOption(cmd: Command): Command {
  return cmd.option(
    "--state-dir <dir>",
    "where run journals and reports live (default $CINDER_MIGRATE_STATE_DIR or ~/.local/state/cinder-migrate)",
  );
}

const sideOpts = z.object({
  fromCloud: z.string().optional(),
  fromOpenrc: z.string().optional(),
  fromEnv: z.boolean().optional(),
  toCloud: z.string().optional(),
  toOpenrc: z.string().optional(),
  toEnv: z.boolean().optional(),
  osCacert: z.string().optional(),
  insecure: z.boolean().optional(),
});

export function sideRef(raw: unknown, side: Side): SideRef {
  const o = sideOpts.parse(raw);
  const cloud = side === "from" ? o.fromCloud : o.toCloud;
  const openrc = side === "from" ? o.fromOpenrc : o.toOpenrc;
  const env = side === "from" ? o.fromEnv : o.toEnv;
  const given = [cloud, openrc, env].filter((x) => x !== undefined && x !== false).length;
  if (given !== 1) {
    throw new UsageError(
      `give exactly one of --${side}-cloud, --${side}-openrc, --${side}-env for the ${side === "from" ? "source (A)" : "target (B)"} side`,
    );
  }
  if (cloud) return { kind: "cloud", name: cloud };
  if (openrc) return { kind: "openrc", name: openrc };
  return { kind: "env", name: "env" };
}

export function cloudConfig(ref: SideRef, raw: unknown): CloudConfig {
  const o = sideOpts.parse(raw);
  const tls = { ...(o.osCacert ? { cacert: o.osCacert } : {}), ...(o.insecure ? { insecure: true } : {}) };
  if (ref.kind === "cloud") return loadCloud(ref.name, tls);
  if (ref.kind === "openrc") return cloudFromOpenrc(ref.name, tls);
  return cloudFromEnv(process.env, "env", tls);
}

const cephOpts = z.object({
  rbdBin: z.string(),
  backupCephConf: z.string().optional(),
  backupKeyring: z.string().optional(),
  backupCephUser: z.string().optional(),
  backupPool: z.string(),
  toCephConf: z.string().optional(),
  toKeyring: z.string().optional(),
  toCephUser: z.string().optional(),
  toPool: z.string(),
});

export function cephSettings(raw: unknown): CephSettings {
  const o = cephOpts.parse(raw);
  const side = (conf?: string, keyring?: string, user?: string) => ({
    ...(conf ? { conf } : {}),
    ...(keyring ? { keyring } : {}),
    ...(user ? { user } : {}),
  });
  return {
    rbdBin: o.rbdBin,
    ...(o.backupCephConf
      ? { backup: { ...side(o.backupCephConf, o.backupKeyring, o.backupCephUser), pool: o.backupPool } }
      : {}),
    ...(o.toCephConf ? { target: { ...side(o.toCephConf, o.toKeyring, o.toCephUser), pool: o.toPool } } : {}),
  };
}

export function cephAccess(s: CephSettings | undefined): CephAccess {
  if (!s) return {};
  const cluster = (label: string, c: NonNullable<CephSettings["backup"]>) =>
    new RbdCluster({
      label,
      bin: s.rbdBin,
      ...(c.conf ? { conf: c.conf } : {}),
      ...(c.keyring ? { keyring: c.keyring } : {}),
      ...(c.user ? { id: c.user } : {}),
    });
  return {
    ...(s.backup ? { backup: { cluster: cluster("backup Ceph", s.backup), pool: s.backup.pool } } : {}),
    ...(s.target ? { target: { cluster: cluster("B's Ceph", s.target), pool: s.target.pool } } : {}),
  };
}

export function parseMap(value: string | undefined, flag: string): Record<string, string> {
  const map: Record<string, string> = {};
  if (!value) return map;
  for (const pair of value.split(",")) {
    const [from, to, extra] = pair.split("=");
    if (!from || !to || extra !== undefined) throw new UsageError(`${flag}: "${pair}" is not FROM=TO`);
    map[from] = to;
  }
  return map;
}

export function parseVerify(value: string): string {
  if (value === "full" || value === "none") return value;
  const m = /^sample:(\d+(?:\.\d+)?)%?$/.exec(value);
  if (m && Number(m[1]) > 0 && Number(m[1]) <= 100) return `sample:${Number(m[1])}%`;
  throw new UsageError(`--verify "${value}": use full, none or sample:N% (0 < N ≤ 100)`);
}

export function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new UsageError(`${flag} must be a positive integer, not "${value}"`);
    return n;
  };
}
