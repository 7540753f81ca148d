// Child process of the bench: serves one seeded cluster on a loopback port so the load
// generator runs in another process (two cores: one each). Talks to the parent over IPC.
import { listenOn } from "../server.js";
import { answerCpuQueries } from "./cpu-ipc.js";
import { BENCH_CTX, benchCluster } from "./fixture.js";

const volumes = Number(process.argv[2] ?? "100");
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const before = process.memoryUsage();
const cluster = await benchCluster(volumes);
gc?.();
const after = process.memoryUsage();
const url = await listenOn(cluster.app);
process.send?.({
  url,
  projectId: BENCH_CTX.projectId,
  token: `${BENCH_CTX.userId}:${BENCH_CTX.projectId}`,
  backupId: cluster.backupId,
  volumeId: cluster.volumeIds[0],
  heapBytes: after.heapUsed - before.heapUsed,
  rssBytes: after.rss,
});
answerCpuQueries(() => cluster.app.close());
