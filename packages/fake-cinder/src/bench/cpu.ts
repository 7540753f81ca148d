// CPU time per request, in-process through inject (no sockets): a figure that holds on a
// busy machine, where wall-clock req/s measures the neighbours as much as the server.
// inject's own overhead is included, so it overstates the server's cost.
import Fastify from "fastify";
import { benchCluster } from "./fixture.js";

export interface CpuFigure {
  what: string;
  volumes: number;
  cpuMsPerRequest: number;
}

export async function cpuPerRequest(volumes: number): Promise<CpuFigure[]> {
  const cluster = await benchCluster(volumes);
  const headers = { "x-auth-token": "bench-user:bench-project", "openstack-api-version": "volume 3.70" };
  const base = "/v3/bench-project";
  const out: CpuFigure[] = [];
  // the same measurement of an empty route: the floor that inject and Fastify cost
  const empty = Fastify({ logger: false });
  empty.get("/", async () => ({ hello: "world" }));
  for (let i = 0; i < 200; i++) await empty.inject({ method: "GET", url: "/" });
  const emptyStart = process.cpuUsage();
  for (let i = 0; i < 2000; i++) await empty.inject({ method: "GET", url: "/" });
  const emptyUsed = process.cpuUsage(emptyStart);
  out.push({
    what: "empty Fastify route",
    volumes: 0,
    cpuMsPerRequest: (emptyUsed.user + emptyUsed.system) / 1000 / 2000,
  });
  await empty.close();
  for (const [what, url] of [
    ["backup show", `${base}/backups/${cluster.backupId}`],
    ["volume list/detail", `${base}/volumes/detail`],
  ] as const) {
    for (let i = 0; i < 200; i++) await cluster.app.inject({ method: "GET", url, headers });
    const rounds = 2000;
    const start = process.cpuUsage();
    for (let i = 0; i < rounds; i++) {
      const res = await cluster.app.inject({ method: "GET", url, headers });
      if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`);
    }
    const used = process.cpuUsage(start);
    out.push({ what, volumes, cpuMsPerRequest: (used.user + used.system) / 1000 / rounds });
  }
  await cluster.app.close();
  return out;
}
