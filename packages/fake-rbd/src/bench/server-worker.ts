// A fake-rbd server in a worker thread, so a bench measures the server and its client on
// separate cores as they are in real use (separate processes).
import { parentPort } from "node:worker_threads";
import { LocalRbd } from "../local.js";
import { startRbdServer } from "../server/start.js";

const server = await startRbdServer({ backend: new LocalRbd(), clusters: ["ceph", "backup"] });
parentPort?.postMessage({ url: server.url });
parentPort?.on("message", async (message: unknown) => {
  if (message === "stop") {
    await server.close();
    parentPort?.close();
  }
});
