// Child process of the bench: an empty Fastify app answering a small JSON document, to show
// what this machine and load generator can do at all (the ceiling for every other figure).
import Fastify from "fastify";
import { listenOn } from "../server.js";

const app = Fastify({ logger: false });
app.get("/", async () => ({ hello: "world" }));
const url = await listenOn(app);
process.send?.({ url });
process.on("message", (message) => {
  if (message === "stop") void app.close().then(() => process.exit(0));
});
