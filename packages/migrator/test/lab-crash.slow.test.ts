// SIGKILL the real cinder-migrate process at every kill point of the API steps (the env
// hook CINDER_MIGRATE_CRASH_AT=<step>:<phase>), then `resume`: exactly one backup in A,
// one imported record in B, one restored volume, the source's bytes in it. (Ceph checks
// and cleanup are enumerated in-process in crash-resume.test.ts; here they are left out
// so each point costs two process starts.)
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DiffParser } from "../src/ceph/diff-parser.js";
import { ImageHasher } from "../src/ceph/digest.js";
import { runTag, STEP_NAMES } from "../src/engine/facts.js";
import { type EmbeddedLab, pattern, seedVolume, startEmbeddedLab } from "../src/lab/embedded.js";
import type { CinderClient } from "../src/openstack/cinder.js";
import { cloudFromOpenrc } from "../src/openstack/config.js";
import { connectCinder } from "../src/openstack/connect.js";
import { cli } from "./support/cli.js";

// Ceph checks, the transfer and cleanup are off in these runs (enumerated in-process instead).
const CEPH_STEPS = new Set(["check-backup", "verify", "transfer", "cleanup"]);
const WAITS = new Set(["wait-backup", "wait-import", "wait-volume", "wait-restore"]);
const POINTS = STEP_NAMES.filter((s) => !CEPH_STEPS.has(s)).flatMap((s) => [
  `${s}:before`,
  ...(WAITS.has(s) ? [`${s}:during`] : []),
  `${s}:acted`,
  `${s}:after`,
]);

let lab: EmbeddedLab;
let dir: string;
let a: CinderClient;
let b: CinderClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cm-crash-"));
  lab = await startEmbeddedLab(dir, { delayMs: 40, quotas: { volumes: 200, backups: 200 } });
  a = await connectCinder(cloudFromOpenrc(lab.openrc.a));
  b = await connectCinder(cloudFromOpenrc(lab.openrc.b));
});
afterAll(async () => lab?.close());

async function digest(cluster: string, volumeId: string): Promise<string> {
  const c = lab.lab.cluster(cluster);
  const stream = await lab.lab.rbd.exportDiff({
    cluster: c.rbdCluster,
    pool: c.volumePool,
    image: `volume-${volumeId}`,
  });
  const parser = new DiffParser();
  const hasher = new ImageHasher(1024 ** 3);
  for await (const chunk of stream) parser.push(chunk as Buffer, (e) => hasher.event(e));
  parser.finish();
  return hasher.result().sha256;
}

describe.concurrent("SIGKILL at every kill point, then resume", () => {
  it("covers every API step", () => {
    expect(POINTS).toHaveLength(11 * 3 + 4);
  });

  it.each(POINTS)("%s", async (point) => {
    const runId = `crash-${point.replace(":", "-")}`;
    const v = await seedVolume(lab, "a", {
      name: runId,
      size: 1,
      writes: [{ offset: 4096, data: pattern(point.length, 70_000) }],
    });
    const args = [
      "--from-openrc",
      lab.openrc.a,
      "--to-openrc",
      lab.openrc.b,
      "--state-dir",
      dir,
      "--poll-min",
      "20",
      "--output",
      "json",
    ];
    const killed = await cli(["run", ...args, "--run-id", runId, v.id], { CINDER_MIGRATE_CRASH_AT: point });
    expect(killed.signal).toBe("SIGKILL");
    const resumed = await cli(["resume", runId, "--state-dir", dir, "--poll-min", "20", "--output", "json"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const report = JSON.parse(resumed.stdout.trim().split("\n").at(-1) ?? "{}").report;
    expect(report.volumes[0].outcome).toBe("migrated");
    const backupsInA = (await a.findBackups({ volumeId: v.id })).filter(
      (x) => x.name === runTag(runId, v.id),
    );
    expect(backupsInA).toHaveLength(1);
    expect((await b.getBackup(backupsInA[0]?.id ?? ""))?.status).toBe("available");
    const targets = (await b.findVolumes({ name: runId })).concat(
      await b.findVolumes({ name: runTag(runId, v.id) }),
    );
    expect(targets.map((t) => t.id)).toEqual([report.volumes[0].ids.b.volume]);
    expect(await digest("b", targets[0]?.id ?? "")).toBe(await digest("a", v.id));
    expect((await a.getVolume(v.id))?.status).toBe("available");
  });
});
