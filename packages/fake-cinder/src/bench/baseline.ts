// Child process of the bench: the references every figure is read against. An empty
// Fastify app and a plain node:http server answering the same small JSON document: what
// this machine, its current load and the load generator allow at all with and without
// Fastify (the ceilings for every other figure).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import Fastify from "fastify";
import { listenOn } from "../server.js";
import { answerCpuQueries } from "./cpu-ipc.js";

const DOCUMENT = JSON.stringify({ hello: "world" });

const app = Fastify({ logger: false });
app.get("/", async () => ({ hello: "world" }));
const fastifyUrl = await listenOn(app);

const plain = createServer((_request, response) => {
  response.writeHead(200, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(DOCUMENT),
  });
  response.end(DOCUMENT);
});
await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
const plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;

process.send?.({ fastifyUrl, plainUrl });
answerCpuQueries(async () => {
  plain.closeAllConnections();
  await new Promise<void>((resolve) => plain.close(() => resolve()));
  await app.close();
});
