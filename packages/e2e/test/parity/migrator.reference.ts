// `cinder-migrate run` against REAL Cinder 21.3.1 A and B on a real Ceph 16.2 (issue 6): a
// volume created in real A, known bytes written into its image with the real rbd CLI, then the
// whole migration (backup, export, import, restore, `--verify full`, `--cleanup`) through
// Cinder's noauth API. The volume must land in real B with the source's name and size, and
// its image's bytes (sha256 of a real `rbd export`) must equal the source's; the migrator's
// reported checksums must be the digest of the source volume's bytes.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RbdCliBackend } from "@cinderlab/fake-rbd";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { MIGRATOR_BIN, runMigrator } from "../../src/harness/migrator.js";
import { patternBytes, writeVolumeBytes } from "../../src/harness/volume-data.js";
import { type ReferenceEnv, readReferenceEnv } from "../../src/parity/targets.js";

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const POOLS = { a: "volumes-a", b: "volumes-b" } as const;
// noauth: Cinder takes the caller from the token; the project in the URL must be hex
const PROJECT = "0123456789abcdef0123456789abcdef";
const USER = "cinderlab-migrator";

/** the part of cinder-migrate's JSON report this test reads */
const reportSchema = z.object({
  ok: z.boolean(),
  totals: z.object({ migrated: z.number(), verified: z.number() }),
  volumes: z.array(
    z.object({
      verification: z.string(),
      ids: z.object({ b: z.object({ volume: z.string().optional() }) }),
      checksums: z.object({ source: z.string(), target: z.string() }).optional(),
    }),
  ),
});

const volumeSchema = z.object({
  volume: z.object({ id: z.string(), name: z.string().nullable(), size: z.number(), status: z.string() }),
});

/** one side of the reference over Cinder's noauth HTTP API */
class NoauthCinder {
  constructor(
    readonly url: string,
    private readonly label: string,
  ) {}

  get endpoint(): string {
    return `${this.url.replace(/\/$/, "")}/v3/${PROJECT}`;
  }

  async request(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const res = await fetch(`${this.endpoint}${path}`, {
      method,
      headers: {
        "X-Auth-Token": `${USER}:${PROJECT}`,
        "Content-Type": "application/json",
        "OpenStack-API-Version": "volume 3.0",
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
  }

  async volume(id: string): Promise<z.infer<typeof volumeSchema>["volume"]> {
    const res = await this.request("GET", `/volumes/${id}`);
    if (res.status !== 200)
      throw new Error(`${this.label}: GET /volumes/${id} → ${res.status} ${JSON.stringify(res.json)}`);
    return volumeSchema.parse(res.json).volume;
  }

  /** polls until the volume reaches `status`; fails at once on an error status */
  async waitVolume(id: string, status: string, timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await this.volume(id);
      if (v.status === status) return;
      if (v.status.startsWith("error"))
        throw new Error(`${this.label}: volume ${id} went to ${v.status} waiting for ${status}`);
      if (Date.now() > deadline)
        throw new Error(`${this.label}: volume ${id} still ${v.status} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  openrc(): string {
    return [
      "export OS_AUTH_TYPE=noauth",
      `export OS_USER_ID=${USER}`,
      `export OS_PROJECT_ID=${PROJECT}`,
      `export CINDER_ENDPOINT=${this.endpoint}`,
      "",
    ].join("\n");
  }
}

describe("cinder-migrate against real Cinder A and B", () => {
  let env: ReferenceEnv;
  let a: NoauthCinder;
  let b: NoauthCinder;
  let rbd: RbdCliBackend;
  let dir: string;
  const created: Array<[NoauthCinder, string]> = [];

  beforeAll(async () => {
    env = await readReferenceEnv();
    a = new NoauthCinder(env.CINDER_A_URL, "real Cinder A");
    b = new NoauthCinder(env.CINDER_B_URL, "real Cinder B");
    rbd = new RbdCliBackend({ default: { conf: env.CEPH_CONF } });
    dir = await mkdtemp(join(tmpdir(), "cinderlab-migrator-ref-"));
  });

  afterAll(async () => {
    // leave the shared reference as found for the recordings that follow
    for (const [side, id] of created.reverse()) await side.request("DELETE", `/volumes/${id}`);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("run --verify full migrates a volume's bytes from real A to real B", async () => {
    expect(existsSync(MIGRATOR_BIN), `${MIGRATOR_BIN} (build the migrator)`).toBe(true);
    const create = await a.request("POST", "/volumes", { volume: { size: 1, name: "ref-migrate-me" } });
    expect(create.status, JSON.stringify(create.json)).toBe(202);
    const vid = volumeSchema.parse(create.json).volume.id;
    created.push([a, vid]);
    await a.waitVolume(vid, "available");

    const source = { pool: POOLS.a, image: `volume-${vid}` };
    expect((await rbd.imageInfo(source)).size).toBe(GiB);
    await writeVolumeBytes(rbd, source, [
      { offset: 0, data: patternBytes(MiB, 31) },
      { offset: 5 * MiB + 123, data: patternBytes(3 * MiB, 32) },
      { offset: GiB - 64 * 1024, data: patternBytes(64 * 1024, 33) },
    ]);
    const sourceSums = await digestsOfExport(rbd, source);

    await writeFile(join(dir, "a.openrc"), a.openrc());
    await writeFile(join(dir, "b.openrc"), b.openrc());
    const report = join(dir, "report.md");
    const run = await runMigrator([
      "run",
      "--from-openrc",
      join(dir, "a.openrc"),
      "--to-openrc",
      join(dir, "b.openrc"),
      "--verify",
      "full",
      "--cleanup",
      "--output",
      "json",
      "--state-dir",
      dir,
      "--report",
      report,
      "--rbd-bin",
      "rbd",
      "--backup-ceph-conf",
      env.CEPH_CONF,
      "--backup-pool",
      env.BACKUP_POOL,
      "--to-ceph-conf",
      env.CEPH_CONF,
      "--to-pool",
      POOLS.b,
      vid,
    ]);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const result = reportSchema.parse(JSON.parse(await readFile(report.replace(/\.md$/, ".json"), "utf8")));
    expect(result).toMatchObject({ ok: true, totals: { migrated: 1, verified: 1 } });
    const [migrated] = result.volumes;
    expect(migrated?.verification).toMatch(/^sha256 equal/);
    // the migrator's digest is sha256 over per-object sha256s (packages/migrator/src/ceph/digest.ts):
    // recomputed here from the source volume's own bytes, not from the backup it hashed
    expect(migrated?.checksums?.source).toBe(sourceSums.objects);
    expect(migrated?.checksums?.target).toBe(sourceSums.objects);

    const targetId = migrated?.ids.b.volume ?? "";
    created.push([b, targetId]);
    // --cleanup deleted the migration backup in B and in A: nothing of it is left in the real pool
    expect((await rbd.listImages(env.BACKUP_POOL)).filter((i) => i.startsWith(`volume-${vid}.`))).toEqual([]);
    const target = await b.volume(targetId);
    expect(target).toMatchObject({ status: "available", size: 1, name: "ref-migrate-me" });
    // checked independently of the migrator: the whole of B's real image through real rbd
    expect(await digestsOfExport(rbd, { pool: POOLS.b, image: `volume-${targetId}` })).toEqual(sourceSums);
  });
});

const OBJECT_SIZE = 4 * MiB;

/**
 * From one real `rbd export`: the plain sha256 of the image (`rbd export | sha256sum`) and
 * the migrator's documented digest (sha256 over the sha256 of each 4 MiB object, in order).
 */
async function digestsOfExport(
  rbd: RbdCliBackend,
  ref: { pool: string; image: string },
): Promise<{ sha256: string; objects: string }> {
  const whole = createHash("sha256");
  const outer = createHash("sha256");
  let object = createHash("sha256");
  let filled = 0;
  for await (const chunk of await rbd.exportImage(ref)) {
    const bytes = chunk as Buffer;
    whole.update(bytes);
    let at = 0;
    while (at < bytes.length) {
      const n = Math.min(bytes.length - at, OBJECT_SIZE - filled);
      object.update(bytes.subarray(at, at + n));
      filled += n;
      at += n;
      if (filled === OBJECT_SIZE) {
        outer.update(object.digest());
        object = createHash("sha256");
        filled = 0;
      }
    }
  }
  if (filled > 0) outer.update(object.digest());
  return { sha256: whole.digest("hex"), objects: outer.digest("hex") };
}
