// The whole cross-cluster procedure in one process with zero delays, through the HTTP
// layer (inject, no sockets): in A create a volume, write bytes, back it up, export; in B
// import, create a volume, restore into it; the restored bytes must equal the source's.
import { createHash, randomBytes } from "node:crypto";
import { LocalRbd } from "@cinderlab/fake-rbd";
import type { FastifyInstance } from "fastify";
import { buildCinderApp } from "../api/cinder/app.js";
import { CinderCloud, ManualClock, runUntilIdle, ZERO_DELAYS } from "../model/index.js";

const PROJECT = "p";
const TOKEN = "admin:p";
const DATA_BYTES = 4 * 1024 * 1024;

interface Side {
  cloud: CinderCloud;
  app: FastifyInstance;
}

export interface ProcedureBench {
  runOnce(): Promise<number>;
  close(): Promise<void>;
}

export async function procedureBench(): Promise<ProcedureBench> {
  const clock = new ManualClock(Date.UTC(2026, 10, 25, 10, 0, 0));
  const rbd = new LocalRbd();
  await rbd.createPool("volumes", "a");
  await rbd.createPool("volumes", "b");
  await rbd.createPool("backups", "backup");
  const side = (name: string): Side => {
    const cloud = new CinderCloud({
      name,
      clock,
      rbd,
      volumePool: "volumes",
      volumeCluster: name,
      backupRbd: rbd,
      backupPool: "backups",
      backupCluster: "backup",
      delays: ZERO_DELAYS,
      quotas: { volumes: -1, gigabytes: -1, backups: -1, backupGigabytes: -1 },
    });
    return { cloud, app: buildCinderApp({ cloud, auth: "noauth" }) };
  };
  const a = side("a");
  const b = side("b");
  const idle = () => runUntilIdle([a.cloud, b.cloud]);
  const call = async (s: Side, method: "GET" | "POST", path: string, payload?: unknown) => {
    const res = await s.app.inject({
      method,
      url: `/v3/${PROJECT}${path}`,
      headers: { "x-auth-token": TOKEN, "openstack-api-version": "volume 3.70" },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    if (res.statusCode >= 400) throw new Error(`${method} ${path} → ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const data = randomBytes(DATA_BYTES);
  const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
  const expected = sha(data);

  return {
    async runOnce() {
      const start = performance.now();
      const source = (await call(a, "POST", "/volumes", { volume: { size: 1, name: "src" } })).volume.id;
      await idle();
      await rbd.writeImage(a.cloud.volumeImageRef(source), 0, data);
      const backupId = (await call(a, "POST", "/backups", { backup: { volume_id: source, name: "mig" } }))
        .backup.id;
      await idle();
      if ((await call(a, "GET", `/backups/${backupId}`)).backup.status !== "available")
        throw new Error("backup failed");
      const record = (await call(a, "GET", `/backups/${backupId}/export_record`))["backup-record"];
      await call(b, "POST", "/backups/import_record", { "backup-record": record });
      await idle();
      const target = (await call(b, "POST", "/volumes", { volume: { size: 1, name: "dst" } })).volume.id;
      await idle();
      await call(b, "POST", `/backups/${backupId}/restore`, { restore: { volume_id: target, name: null } });
      await idle();
      if ((await call(b, "GET", `/volumes/${target}`)).volume.status !== "available")
        throw new Error("restore failed");
      const restored = await rbd.readImage(b.cloud.volumeImageRef(target), 0, DATA_BYTES);
      const elapsed = performance.now() - start;
      if (sha(restored) !== expected) throw new Error("restored bytes differ from the source's");
      return elapsed;
    },
    async close() {
      await a.app.close();
      await b.app.close();
    },
  };
}
