// Ceph access through the `rbd` CLI (real rbd, or fake-rbd which speaks the same verbs and
// finds its server through the same --conf). Read-only: the migrator never writes to Ceph.
import { spawn } from "node:child_process";
import { z } from "zod";
import type { CephCluster, Digest, RbdLocation } from "../engine/ports.js";
import { MigratorError, RbdFailed } from "../errors.js";
import { DiffParser } from "./diff-parser.js";
import { ImageHasher } from "./digest.js";

export interface RbdClusterConfig {
  label: string;
  /** path of the rbd binary, or a command line such as "node /path/fake-rbd/dist/cli/bin.js" */
  bin: string;
  conf?: string;
  keyring?: string;
  /** rados client id (`--id`), e.g. "cinder-backup" */
  id?: string;
  cluster?: string;
  env?: Record<string, string>;
}

const snapList = z.array(z.object({ name: z.string() }));

export class RbdCluster implements CephCluster {
  constructor(readonly config: RbdClusterConfig) {}

  get label(): string {
    return this.config.label;
  }

  private baseArgs(): string[] {
    const c = this.config;
    const args: string[] = [];
    if (c.cluster) args.push("--cluster", c.cluster);
    if (c.conf) args.push("--conf", c.conf);
    if (c.keyring) args.push("--keyring", c.keyring);
    if (c.id) args.push("--id", c.id);
    return args;
  }

  private spawn(args: string[]) {
    const [cmd, ...pre] = splitCommand(this.config.bin);
    const all = [...pre, ...this.baseArgs(), ...args];
    const child = spawn(cmd ?? "rbd", all, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...this.config.env },
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString();
    });
    const done = new Promise<void>((resolve, reject) => {
      child.on("error", (error) =>
        reject(new MigratorError("RBD", `cannot run ${this.config.bin}: ${error.message}`, { exitCode: 3 })),
      );
      child.on("close", (code) => (code === 0 ? resolve() : reject(new RbdFailed(args, code, stderr))));
    });
    return { child, done };
  }

  private async json(args: string[]): Promise<unknown> {
    const { child, done } = this.spawn([...args, "--format", "json"]);
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    await done;
    try {
      return JSON.parse(out || "null");
    } catch {
      throw new MigratorError("RBD", `rbd ${args.join(" ")} printed no JSON: ${out.slice(0, 120)}`, {
        exitCode: 3,
      });
    }
  }

  async listImages(pool: string): Promise<string[]> {
    return z.array(z.string()).parse(await this.json(["ls", "--pool", pool]));
  }

  async listSnapshots(pool: string, image: string): Promise<string[]> {
    return snapList.parse(await this.json(["snap", "ls", `${pool}/${image}`])).map((s) => s.name);
  }

  async digest(
    location: RbdLocation,
    size: number,
    sample?: { percent: number; seed: string },
  ): Promise<Digest> {
    const spec = `${location.pool}/${location.image}${location.snap ? `@${location.snap}` : ""}`;
    const { child, done } = this.spawn(["export-diff", spec, "-"]);
    const parser = new DiffParser();
    const hasher = new ImageHasher(size, sample);
    const emit = hasher.event.bind(hasher);
    const consumed = (async () => {
      for await (const chunk of child.stdout) parser.push(chunk as Buffer, emit);
      parser.finish();
    })();
    await Promise.all([done, consumed]);
    return hasher.result();
  }
}

/** "node /x/bin.js" → ["node", "/x/bin.js"]; no shell quoting beyond spaces. */
function splitCommand(command: string): string[] {
  return command.trim().split(/\s+/);
}

/** Images and snapshots the Ceph backup driver makes for backup `bid` of volume `vid` (spec §4.3). */
export function backupSnapshotPrefix(backupId: string): string {
  return `backup.${backupId}.snap.`;
}
