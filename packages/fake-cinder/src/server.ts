// The one place that opens sockets: app factories build Fastify instances, tests use
// inject(), and the lab and CLI listen through here (loopback unless told otherwise).
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";

/** Listens and returns the base URL, e.g. http://127.0.0.1:8776. Port 0 picks a free port. */
export async function listenOn(app: FastifyInstance, host = "127.0.0.1", port = 0): Promise<string> {
  await app.listen({ host, port });
  const address = app.server.address() as AddressInfo;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return `http://${shownHost}:${address.port}`;
}
