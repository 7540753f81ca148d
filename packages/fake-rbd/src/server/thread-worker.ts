// The worker side of startRbdServerThread: one LocalRbd and its HTTP server, until the
// parent says "stop".
import { parentPort, workerData } from "node:worker_threads";
import { LocalRbd } from "../local.js";
import { startRbdServer } from "./start.js";
import type { ThreadReady } from "./thread.js";

const parent = parentPort;
if (!parent) throw new Error("thread-worker.js runs only as a worker thread (see startRbdServerThread)");
const { port, host, clusters } = workerData as { port: number; host: string; clusters: string[] };

try {
  const backend = new LocalRbd();
  // Listing each cluster's pools materialises it, so /_fake/state shows it from the start.
  for (const cluster of clusters) await backend.listPools(cluster);
  const server = await startRbdServer({
    backend,
    clusters: () => backend.ceph.listClusters(),
    reset: () => backend.ceph.reset(),
    port,
    host,
  });
  parent.once("message", async () => {
    await server.close();
    parent.close();
  });
  parent.postMessage({ url: server.url } satisfies ThreadReady);
} catch (error) {
  // the listen error's code and errno travel, so the CLI exits as it would in-thread
  const { code, errno } = error as { code?: unknown; errno?: unknown };
  parent.postMessage({
    error: {
      message: error instanceof Error ? error.message : String(error),
      ...(typeof code === "string" && { code }),
      ...(typeof errno === "number" && { errno }),
    },
  } satisfies ThreadReady);
}
