import { createServer } from "node:net";

/**
 * A free TCP port on 127.0.0.1, found by letting the kernel pick one and releasing it.
 * Another process could take it before the caller binds it; on a test machine that
 * race is rare, and the caller's readiness wait fails loudly if it happens.
 */
export async function freePort(): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("could not read the port the kernel picked"));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
