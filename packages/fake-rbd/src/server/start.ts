import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { buildRbdServer, type RbdServerOptions } from "./app.js";

export interface StartRbdServerOptions extends RbdServerOptions {
  /** 0 (the default) picks a free port */
  port?: number;
  /** loopback unless told otherwise */
  host?: string;
}

export interface RunningRbdServer {
  url: string;
  port: number;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** Builds the server and listens; the caller owns shutdown (`close`). */
export async function startRbdServer(options: StartRbdServerOptions): Promise<RunningRbdServer> {
  const app = buildRbdServer(options);
  const host = options.host ?? "127.0.0.1";
  await app.listen({ port: options.port ?? 0, host });
  const { port } = app.server.address() as AddressInfo;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    app,
    close: () => app.close(),
  };
}
