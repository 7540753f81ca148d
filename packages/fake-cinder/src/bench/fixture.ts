// A bench cluster: one CinderCloud with zero delays on a manual clock, seeded with N volumes
// (available) and one backup, served by the Cinder app with noauth (the auth strategy
// costs the same per request as a token lookup).
import { LocalRbd } from "@cinderlab/fake-rbd";
import type { FastifyInstance } from "fastify";
import { buildCinderApp } from "../api/cinder/app.js";
import { CinderCloud, ManualClock, runUntilIdle, ZERO_DELAYS } from "../model/index.js";

export const BENCH_CTX = { projectId: "bench-project", userId: "bench-user", isAdmin: true };

export interface BenchCluster {
  cloud: CinderCloud;
  app: FastifyInstance;
  backupId: string;
  volumeIds: string[];
}

export async function benchCluster(volumes: number): Promise<BenchCluster> {
  const clock = new ManualClock(Date.UTC(2026, 10, 25, 10, 0, 0));
  const rbd = new LocalRbd();
  await rbd.createPool("volumes", "a");
  await rbd.createPool("backups", "backup");
  const cloud = new CinderCloud({
    name: "a",
    clock,
    rbd,
    volumePool: "volumes",
    volumeCluster: "a",
    backupRbd: rbd,
    backupPool: "backups",
    backupCluster: "backup",
    delays: ZERO_DELAYS,
    quotas: { volumes: -1, gigabytes: -1, backups: -1, backupGigabytes: -1 },
  });
  const volumeIds: string[] = [];
  for (let i = 0; i < volumes; i++) {
    volumeIds.push(
      cloud.createVolume(BENCH_CTX, { size: 1, name: `bench-${i}`, metadata: { seq: String(i) } }).id,
    );
    // keep the number of in-flight driver steps bounded while seeding
    if (i % 500 === 499) await runUntilIdle([cloud]);
  }
  await runUntilIdle([cloud]);
  const first = volumeIds[0];
  if (first === undefined) throw new Error("benchCluster needs at least one volume");
  const backup = cloud.createBackup(BENCH_CTX, { volumeId: first, name: "bench-backup" });
  await runUntilIdle([cloud]);
  const app = buildCinderApp({ cloud, auth: "noauth" });
  return { cloud, app, backupId: backup.id, volumeIds };
}
