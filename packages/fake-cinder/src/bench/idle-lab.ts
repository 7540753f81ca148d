// Child process of the bench: starts a whole lab (two clusters, fake-rbd server) and
// reports its resident memory once idle.
import { startLab } from "../lab.js";

const lab = await startLab({ serveRbd: true });
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
await new Promise((resolve) => setTimeout(resolve, 200));
gc?.();
process.send?.({ rssBytes: process.memoryUsage().rss, heapBytes: process.memoryUsage().heapUsed });
process.on("message", (message) => {
  if (message === "stop") void lab.close().then(() => process.exit(0));
});
