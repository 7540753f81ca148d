// `fake-cinder lab` as a real process: two fake clusters (Keystone + Cinder each) and
// the shared backup Ceph, on ports the kernel picks on 127.0.0.1 (the lab binds port 0),
// awaited through the ready file the lab writes once every server listens, and always
// stopped by PID.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { sourceOpenrc } from "./openrc.js";
import { ManagedProcess } from "./process.js";
import { type ImageBytes, type ImageLocation, volumeImage } from "./volume-data.js";
import { pollUntil, waitForHttp } from "./wait.js";

const here = dirname(fileURLToPath(import.meta.url));
/** the monorepo root, from packages/e2e/{src,dist}/harness */
export const REPO_ROOT = resolve(here, "../../../..");
/** the built CLI; CINDERLAB_FAKE_CINDER_BIN points the suite at another build */
export const FAKE_CINDER_BIN =
  process.env.CINDERLAB_FAKE_CINDER_BIN ?? join(REPO_ROOT, "packages/fake-cinder/dist/bin.js");

export type ClusterName = "a" | "b";
export type Persona = "admin" | "member" | "noauth";

const labFile = z.object({
  clusters: z.record(
    z.string(),
    z.object({
      keystone: z.string(),
      cinder: z.string(),
      cinderNoauth: z.string(),
      projectId: z.string(),
      volumePool: z.string(),
      rbdCluster: z.string(),
      openrc: z.record(z.string(), z.string()),
    }),
  ),
  rbd: z.object({ url: z.string().optional() }),
  backupPool: z.string(),
  backupCluster: z.string(),
});
export type LabDescription = z.infer<typeof labFile>;

export interface StartLabOptions {
  /** where openrc files, the ready file and the log go; a fresh temp dir by default */
  workDir?: string;
  /** every asynchronous status step takes this long: polling stays real, the suite fast (default 20) */
  delayMs?: number;
  extraArgs?: string[];
  readyTimeoutMs?: number;
}

export class FakeLab {
  private rbdClient: ImageBytes | undefined;

  private constructor(
    readonly process: ManagedProcess,
    readonly workDir: string,
    readonly description: LabDescription,
    private readonly ownWorkDir: boolean,
  ) {}

  static async start(options: StartLabOptions = {}): Promise<FakeLab> {
    if (!existsSync(FAKE_CINDER_BIN)) {
      throw new Error(`${FAKE_CINDER_BIN} is missing: build fake-cinder first (npx turbo run build)`);
    }
    const ownWorkDir = options.workDir === undefined;
    const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), "cinderlab-e2e-lab-"));
    mkdirSync(workDir, { recursive: true });
    const readyFile = join(workDir, "lab.json");
    const proc = ManagedProcess.start({
      name: "fake-cinder lab",
      command: process.execPath,
      args: [
        FAKE_CINDER_BIN,
        "lab",
        "--host",
        "127.0.0.1",
        "--openrc-dir",
        workDir,
        "--ready-file",
        readyFile,
        "--delay-ms",
        String(options.delayMs ?? 20),
        ...(options.extraArgs ?? []),
      ],
      logFile: join(workDir, "lab.log"),
    });
    try {
      const description = await pollUntil(
        async () =>
          existsSync(readyFile) ? labFile.parse(JSON.parse(readFileSync(readyFile, "utf8"))) : undefined,
        {
          what: `the lab's ready file ${readyFile}`,
          timeoutMs: options.readyTimeoutMs ?? 20_000,
          abort: () => proc.deathError(),
        },
      );
      for (const c of Object.values(description.clusters)) {
        await waitForHttp(c.keystone, { abort: () => proc.deathError() });
        await waitForHttp(c.cinder, { abort: () => proc.deathError() });
      }
      return new FakeLab(proc, workDir, description, ownWorkDir);
    } catch (error) {
      await proc.stop();
      throw error;
    }
  }

  cluster(name: ClusterName) {
    const c = this.description.clusters[name];
    if (c === undefined) throw new Error(`the lab has no cluster ${name}`);
    return c;
  }

  /** The environment a sourced openrc gives, for `cinder`/`openstack`. */
  openrc(cluster: ClusterName, persona: Persona): Record<string, string> {
    const file = this.cluster(cluster).openrc[persona];
    if (file === undefined) throw new Error(`the lab wrote no ${persona} openrc for cluster ${cluster}`);
    return sourceOpenrc(file);
  }

  /** The shared fake Ceph, over the lab's fake-rbd server. */
  async rbd(): Promise<ImageBytes> {
    const url = this.description.rbd.url;
    if (url === undefined)
      throw new Error("the lab serves no fake-rbd server (started with --no-serve-rbd?)");
    this.rbdClient ??= await connectRemoteRbd(url);
    return this.rbdClient;
  }

  /** Where Cinder's RBD driver keeps a volume of this cluster. */
  volumeImage(cluster: ClusterName, volumeId: string): ImageLocation {
    const c = this.cluster(cluster);
    return volumeImage(c.rbdCluster, c.volumePool, volumeId);
  }

  /**
   * Polls a volume or backup straight over HTTP (Cinder's noauth side of the cluster,
   * as an admin observer) until it has `status`: the waits between the CLI steps under
   * test, at milliseconds per poll instead of a Python start-up each.
   */
  async waitStatus(
    cluster: ClusterName,
    kind: "volume" | "backup",
    id: string,
    status: string,
    options: { abortOn?: string[]; timeoutMs?: number } = {},
  ): Promise<Record<string, unknown>> {
    const c = this.cluster(cluster);
    const url = `${c.cinderNoauth}/v3/${c.projectId}/${kind}s/${id}`;
    const abortOn = options.abortOn ?? ["error"];
    let last: string | undefined;
    return await pollUntil(
      async () => {
        const res = await fetch(url, { headers: { "x-auth-token": `e2e-observer:${c.projectId}` } });
        const body = (await res.json()) as Record<string, Record<string, unknown>>;
        const item = body[kind];
        if (res.status !== 200 || item === undefined)
          throw new Error(`GET ${url} → ${res.status} ${JSON.stringify(body)}`);
        last = String(item.status);
        return last === status ? item : undefined;
      },
      {
        what: `${kind} ${id} in cluster ${cluster} to be ${status}`,
        timeoutMs: options.timeoutMs ?? 20_000,
        intervalMs: 10,
        abort: () =>
          this.process.deathError() ??
          (last !== undefined && last !== status && abortOn.includes(last)
            ? new Error(`${kind} ${id} in cluster ${cluster} went to ${last}`)
            : undefined),
      },
    );
  }

  /** Polls until GET of the volume or backup answers 404 (Cinder's "deleted"). */
  async waitGone(cluster: ClusterName, kind: "volume" | "backup", id: string): Promise<void> {
    const c = this.cluster(cluster);
    const url = `${c.cinderNoauth}/v3/${c.projectId}/${kind}s/${id}`;
    await pollUntil(
      async () => {
        const res = await fetch(url, { headers: { "x-auth-token": `e2e-observer:${c.projectId}` } });
        const body = await res.text();
        if (res.status === 404) return true;
        if (res.status !== 200) throw new Error(`GET ${url} → ${res.status} ${body}`);
        return undefined;
      },
      {
        what: `${kind} ${id} in cluster ${cluster} to be deleted`,
        intervalMs: 10,
        abort: () => this.process.deathError(),
      },
    );
  }

  /** The lab's log so far, for failure messages. */
  logTail(): string {
    return this.process.tail();
  }

  async close(): Promise<void> {
    await this.rbdClient?.close?.();
    await this.process.stop();
    // openrc files hold the lab's passwords; CINDERLAB_E2E_KEEP=1 keeps them and lab.log for a post-mortem
    if (this.ownWorkDir && !process.env.CINDERLAB_E2E_KEEP)
      rmSync(this.workDir, { recursive: true, force: true });
  }
}

/** fake-rbd's HTTP client, loaded from the built package when first needed. */
async function connectRemoteRbd(url: string): Promise<ImageBytes> {
  // resolved at run time, so e2e typechecks before fake-rbd is built;
  // CINDERLAB_FAKE_RBD_MODULE points the suite at another build, like the bin override
  const specifier = process.env.CINDERLAB_FAKE_RBD_MODULE ?? "@cinderlab/fake-rbd";
  const mod = (await import(specifier)) as Record<string, unknown>;
  const RemoteRbd = mod.RemoteRbd as (new (options: { url: string }) => ImageBytes) | undefined;
  if (RemoteRbd === undefined) throw new Error("@cinderlab/fake-rbd exports no RemoteRbd (build fake-rbd)");
  return new RemoteRbd({ url });
}
