// `fake-rbd serve` runs its store and HTTP server in a worker thread, for one reason: the
// V8 heap of a new thread can be sized for what it is. A fake Ceph keeps gigabytes of
// image data outside the JS heap and only a few MiB of objects in it; V8 sizes its
// collection limits from that small heap, so while data streams in it marks the whole
// heap every few MiB. Measured on the 2-core machine with export-diff | import-diff of
// 1 GiB: the server thread's CPU fell by a third to a half with a larger initial old space.
import { once } from "node:events";
import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";

/** V8 flags for the store thread (read by V8 when the thread's heap is made). */
export const STORE_HEAP_FLAGS = "--initial-old-space-size=512";

export interface RbdServerThreadOptions {
  /** 0 (the default) picks a free port */
  port?: number;
  /** loopback unless told otherwise */
  host?: string;
  /** clusters that exist from the start (listed by /_fake/state) */
  clusters: readonly string[];
}

export interface RunningRbdServerThread {
  url: string;
  close(): Promise<void>;
}

/** What the worker answers once it listens, or why it could not. */
export type ThreadReady = { url: string } | { error: { message: string; code?: string; errno?: number } };

/** Starts an in-memory store (LocalRbd) and its HTTP server in a worker thread. */
export async function startRbdServerThread(options: RbdServerThreadOptions): Promise<RunningRbdServerThread> {
  setFlagsFromString(STORE_HEAP_FLAGS);
  const worker = new Worker(new URL("./thread-worker.js", import.meta.url), {
    workerData: {
      port: options.port ?? 0,
      host: options.host ?? "127.0.0.1",
      clusters: [...options.clusters],
    },
  });
  const [ready] = (await once(worker, "message")) as [ThreadReady];
  if ("error" in ready) {
    await worker.terminate();
    const { message, ...codes } = ready.error;
    throw Object.assign(new Error(message), codes);
  }
  return {
    url: ready.url,
    close: async () => {
      const exited = once(worker, "exit");
      worker.postMessage("stop");
      await exited;
    },
  };
}
