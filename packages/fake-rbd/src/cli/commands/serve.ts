import { once } from "node:events";
import { Command } from "commander";
import type { Verb } from "../context.js";
import { CliFailure } from "../errors.js";

/** `fake-rbd serve`: one in-memory Ceph (several named clusters) shared over HTTP. */
export function serveCommand(verb: Verb): Command {
  const cmd = new Command("serve")
    .summary("fake-rbd only: run the fake Ceph as an HTTP server.")
    .description(
      "fake-rbd extension: run an in-memory Ceph (named clusters, pools, images) as an HTTP server, so several\n" +
        "processes share it. Point clients at it with FAKE_RBD_URL, --fake-rbd-url, or 'fake rbd url = <url>' in\n" +
        "ceph.conf. Prints the URL on stdout once listening; stops on SIGINT/SIGTERM.",
    )
    .option("--port <port>", "TCP port (0 picks a free one)", "0")
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option("--clusters <names>", "clusters to create up front, comma-separated", "ceph");
  return verb(cmd, async (ctx) => {
    const opts = cmd.opts<{ port: string; host: string; clusters: string }>();
    const port = Number(opts.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new CliFailure(`fake-rbd: --port must be 0..65535, not '${opts.port}'`, 22);
    }
    const clusters = opts.clusters
      .split(",")
      .map((c) => c.trim())
      .filter(Boolean);
    // loaded here so that every other verb starts without Fastify and the model
    const { startRbdServerThread } = await import("../../server/thread.js");
    const server = await startRbdServerThread({ port, host: opts.host, clusters });
    ctx.out(`${server.url}\n`);
    ctx.err(`fake-rbd: serving clusters ${clusters.join(", ")} at ${server.url} (Ctrl-C to stop)\n`);
    const signal = await Promise.race([once(process, "SIGINT"), once(process, "SIGTERM")]);
    ctx.err(`fake-rbd: ${String(signal[0] ?? "signal")} received, stopping\n`);
    await server.close();
  });
}
