// fake-cinder over a REAL Ceph 16.2 (issue 5, items 2 and 3): the `fake-cinder lab` process
// keeps its volumes and backups on a real cluster through the real rbd CLI
// (--ceph-conf/--ceph-keyring/--ceph-user; A's and B's volume pools and the backup pool are
// three pools of one cluster). With the real `cinder` CLI: a full and an incremental backup
// crossing from A to B, where the images and snapshots that appear in the real backup pool
// carry the names Cinder 21's ceph driver gives them and the restored volume's bytes equal
// the source's (sha256 of real `rbd export`). Then `cinder-migrate run` verifies its
// migration through real rbd, and `cinder-migrate verify` catches a corrupted restored image.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { parseDiffStream, RbdCliBackend } from "@cinderlab/fake-rbd";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { StartedCeph } from "../../src/ceph/index.js";
import { FakeLab } from "../../src/harness/lab.js";
import { MIGRATOR_BIN, runMigrator } from "../../src/harness/migrator.js";
import { patternBytes, writeVolumeBytes } from "../../src/harness/volume-data.js";
import { CinderCli, UUID } from "../clients/cinder-cli.js";
import { cephUnavailable, startCeph } from "./cluster.js";

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const POOLS = { a: "volumes-a", b: "volumes-b", backup: "backups" } as const;
/** cinder/backup/drivers/ceph.py: "backup.%s.snap.%s" % (backup_id, time.time()) */
const backupSnap = (bid: string) => new RegExp(`^backup\\.${bid}\\.snap\\.\\d+\\.\\d+$`);

/** the part of cinder-migrate's JSON report this test reads */
const reportSchema = z.object({
  ok: z.boolean(),
  totals: z.object({ migrated: z.number(), verified: z.number() }),
  volumes: z.array(
    z.object({
      verification: z.string(),
      ids: z.object({
        a: z.object({ backup: z.string().optional() }),
        b: z.object({ volume: z.string().optional() }),
      }),
      checksums: z.object({ source: z.string(), target: z.string() }).optional(),
    }),
  ),
});

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

const ZEROS = new Uint8Array(4 * 1024 ** 2);

/**
 * sha256 of a whole image (what `rbd export | sha256sum` gives) from a real `rbd export-diff`
 * of it: the allocated extents as rbd streams them, the holes hashed as zeros. A full export
 * of a 1 GiB image reads all 256 objects and takes 5-12 s here; this reads what is written.
 */
async function sha256OfAllocated(stream: Readable): Promise<string> {
  const hash = createHash("sha256");
  let at = 0;
  let size: number | undefined;
  const zerosTo = (end: number) => {
    while (at < end) {
      const n = Math.min(ZEROS.byteLength, end - at);
      hash.update(ZEROS.subarray(0, n));
      at += n;
    }
  };
  await parseDiffStream(stream, (r) => {
    if (r.type === "size") size = r.size;
    if (r.type !== "data") return;
    if (r.offset < at) throw new Error(`export-diff extents out of order at ${r.offset}`);
    zerosTo(r.offset);
    hash.update(r.bytes);
    at += r.bytes.byteLength;
  });
  if (size === undefined) throw new Error("export-diff stream without an image size record");
  zerosTo(size);
  return hash.digest("hex");
}

describe.skipIf(cephUnavailable)("fake-cinder lab on a real Ceph", () => {
  let ceph: StartedCeph;
  let lab: FakeLab;
  let rbd: RbdCliBackend;
  let a: CinderCli;
  let b: CinderCli;
  let dir: string;

  beforeAll(async () => {
    ceph = await startCeph(Object.values(POOLS));
    const identity = { conf: ceph.confPath, keyring: ceph.keyringPath, id: ceph.clientName };
    // the lab's Ceph cluster names ("a", "b", "backup") are three pools of this one cluster
    rbd = new RbdCliBackend({ clusters: { a: identity, b: identity, backup: identity } });
    dir = mkdtempSync(join(tmpdir(), "cinderlab-ceph-lab-"));
    lab = await FakeLab.start({
      workDir: dir,
      extraArgs: [
        "--no-view",
        "--ceph-conf",
        ceph.confPath,
        "--ceph-keyring",
        ceph.keyringPath,
        "--ceph-user",
        ceph.clientName,
        "--volume-pools",
        `a=${POOLS.a},b=${POOLS.b}`,
        "--backup-pool",
        POOLS.backup,
      ],
    });
    a = new CinderCli(lab.openrc("a", "admin"), "cluster A");
    b = new CinderCli(lab.openrc("b", "admin"), "cluster B");
  });

  afterAll(async () => {
    await lab?.close();
    await ceph?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const realImages = async (pool: string): Promise<string[]> => (await rbd.listImages(pool, "a")).sort();
  const realSnaps = async (pool: string, image: string): Promise<string[]> =>
    (await rbd.listSnaps({ cluster: "a", pool, image })).map((s) => s.name);

  it("cinder CLI: full and incremental backups cross from A to B on real Ceph with Cinder's names and bytes", {
    timeout: 240_000,
  }, async () => {
    const vid = (await a.props("create", "--name", "real-src", "1")).id ?? "";
    await lab.waitStatus("a", "volume", vid, "available");
    expect(await realImages(POOLS.a)).toContain(`volume-${vid}`);
    const source = { cluster: "a", pool: POOLS.a, image: `volume-${vid}` };
    expect((await rbd.imageInfo(source)).size).toBe(GiB);
    await writeVolumeBytes(rbd, source, [
      { offset: 0, data: patternBytes(2 * MiB, 11) },
      { offset: 300 * MiB, data: patternBytes(64 * 1024, 12) },
    ]);

    const full = (await a.props("backup-create", "--name", "real-full", vid)).id ?? "";
    expect(full).toMatch(UUID);
    await lab.waitStatus("a", "backup", full, "available");
    await lab.waitStatus("a", "volume", vid, "available");
    // Cinder 21: a full backup gets its own base image, named after the backup
    const base = `volume-${vid}.backup.${full}`;
    expect(await realImages(POOLS.backup)).toEqual([base]);
    const [fullSnap] = await realSnaps(POOLS.backup, base);
    expect(fullSnap).toMatch(backupSnap(full));
    expect(await realSnaps(POOLS.a, `volume-${vid}`)).toContain(fullSnap);
    // the saved volume metadata is a real RADOS object beside the images
    const metaObjects = rbd
      .radosObjects("backup")
      .list(POOLS.backup)
      .filter((o) => o.startsWith("backup."));
    expect(metaObjects).toEqual([`backup.${full}.meta`]);

    // the second point in time: one region overwritten, one added
    await writeVolumeBytes(rbd, source, [
      { offset: MiB, data: patternBytes(64 * 1024, 13) },
      { offset: 700 * MiB, data: patternBytes(MiB, 14) },
    ]);
    const incr = (await a.props("backup-create", "--incremental", "--name", "real-incr", vid)).id ?? "";
    await lab.waitStatus("a", "backup", incr, "available");
    await lab.waitStatus("a", "volume", vid, "available");
    // an incremental lands on its parent's base image as one more snapshot
    expect(await realImages(POOLS.backup)).toEqual([base]);
    const baseSnaps = await realSnaps(POOLS.backup, base);
    expect(baseSnaps).toHaveLength(2);
    expect(baseSnaps[0]).toBe(fullSnap);
    expect(baseSnaps[1]).toMatch(backupSnap(incr));
    expect(await realSnaps(POOLS.a, `volume-${vid}`)).toContain(baseSnaps[1]);
    const sourceSha = await sha256OfAllocated(await rbd.exportDiff(source));
    // the backup's snapshot on the real base holds exactly the source's bytes
    expect(
      await sha256OfAllocated(
        await rbd.exportDiff({ cluster: "backup", pool: POOLS.backup, image: base, snap: baseSnaps[1] }),
      ),
    ).toBe(sourceSha);

    for (const id of [full, incr]) {
      const record = await a.props("backup-export", id);
      await b.ok("backup-import", record.backup_service ?? "", record.backup_url ?? "");
      await lab.waitStatus("b", "backup", id, "available");
    }
    const target = (await b.props("create", "--name", "real-target", "1")).id ?? "";
    await lab.waitStatus("b", "volume", target, "available");
    await b.ok("backup-restore", "--volume", target, incr);
    await lab.waitStatus("b", "volume", target, "available", { abortOn: ["error", "error_restoring"] });
    expect(await realImages(POOLS.b)).toContain(`volume-${target}`);
    // the restored volume checked with the whole of a real `rbd export`
    expect(
      await sha256Of(await rbd.exportImage({ cluster: "b", pool: POOLS.b, image: `volume-${target}` })),
    ).toBe(sourceSha);
  });

  it("cinder-migrate run verifies through real rbd; verify catches a corrupted restored image", {
    timeout: 240_000,
  }, async () => {
    expect(existsSync(MIGRATOR_BIN), `${MIGRATOR_BIN} (build the migrator)`).toBe(true);
    const vid = (await a.props("create", "--name", "migrate-me", "1")).id ?? "";
    await lab.waitStatus("a", "volume", vid, "available");
    await writeVolumeBytes(rbd, { cluster: "a", pool: POOLS.a, image: `volume-${vid}` }, [
      { offset: 5 * MiB, data: patternBytes(3 * MiB, 21) },
    ]);
    const openrc = (c: "a" | "b") => lab.cluster(c).openrc.admin ?? "";
    const cephFlags = (side: "backup" | "to") => [
      `--${side}-ceph-conf`,
      ceph.confPath,
      `--${side}-keyring`,
      ceph.keyringPath,
      `--${side}-ceph-user`,
      ceph.clientName,
    ];
    const cephArgs = [
      "--rbd-bin",
      "rbd",
      ...cephFlags("backup"),
      "--backup-pool",
      POOLS.backup,
      ...cephFlags("to"),
      "--to-pool",
      POOLS.b,
    ];
    const report = join(dir, "report.md");
    const run = await runMigrator([
      "run",
      "--from-openrc",
      openrc("a"),
      "--to-openrc",
      openrc("b"),
      "--verify",
      "full",
      "--poll-min",
      "50",
      "--poll-max",
      "250",
      "--state-dir",
      dir,
      "--report",
      report,
      ...cephArgs,
      vid,
    ]);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const result = reportSchema.parse(JSON.parse(await readFile(report.replace(/\.md$/, ".json"), "utf8")));
    expect(result).toMatchObject({ ok: true, totals: { migrated: 1, verified: 1 } });
    const [migrated] = result.volumes;
    expect(migrated?.verification).toMatch(/^sha256 equal/);
    expect(migrated?.checksums?.target).toBe(migrated?.checksums?.source);
    const bid = migrated?.ids.a.backup ?? "";
    const targetId = migrated?.ids.b.volume ?? "";
    // the migration's backup is a real base image in the real backup pool, the target a real image in B's
    expect(await realImages(POOLS.backup)).toContain(`volume-${vid}.backup.${bid}`);
    expect(await realImages(POOLS.b)).toContain(`volume-${targetId}`);
    const verifyArgs = [
      "verify",
      bid,
      "--source-volume",
      vid,
      "--target-volume",
      targetId,
      "--size",
      "1",
      ...cephArgs,
    ];
    const equal = await runMigrator(verifyArgs);
    expect(equal.code, equal.stderr).toBe(0);
    expect(equal.stdout).toMatch(/^EQUAL/);

    // one byte flipped in B's real image
    const target = { cluster: "b", pool: POOLS.b, image: `volume-${targetId}` };
    const [byte = 0] = await rbd.readImage(target, 5 * MiB + 4096, 1);
    await rbd.writeImage(target, 5 * MiB + 4096, Uint8Array.of(byte ^ 0xff));
    const different = await runMigrator(verifyArgs);
    expect(different.code).not.toBe(0);
    expect(different.stdout).toMatch(/^DIFFERENT/);
  });
});
