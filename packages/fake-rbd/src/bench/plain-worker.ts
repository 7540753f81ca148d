// The reference server for the bench, in a worker thread as the fake-rbd server is: plain
// node:http. GET sends 1 GiB in 4 MiB writes (as the fake's export of 4 MiB objects does);
// POST keeps every chunk until the body ends (as the fake keeps imported data), then
// answers the byte count.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parentPort } from "node:worker_threads";
import { sendGiB } from "./harness.js";

const piece = Buffer.alloc(4 * 1024 * 1024, 1);

const server = createServer((request, response) => {
  if (request.method === "GET") return sendGiB(response, piece);
  let kept: Buffer[] = [];
  let bytes = 0;
  request.on("data", (chunk: Buffer) => {
    kept.push(chunk);
    bytes += chunk.length;
  });
  request.on("end", () => {
    kept = [];
    response.end(String(bytes));
  });
});
server.listen(0, "127.0.0.1");
await once(server, "listening");
parentPort?.postMessage({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
parentPort?.on("message", (message: unknown) => {
  if (message === "stop") {
    server.closeAllConnections();
    server.close(() => parentPort?.close());
  }
});
