// The lab's live view: one small Fastify app (its own port) serving the page, the state
// (GET /state) and a Server-Sent Events feed (GET /events). It listens to the Cinder apps
// of the lab (hooks record each call) and to each model's status changes; the pure
// Timeline turns both into entries. The backup pool is read through the same RbdBackend
// the clusters use, after every change and on a slow poll (a trainee's `rbd rm` goes
// around Cinder and makes no model event).
import { AsyncLocalStorage } from "node:async_hooks";
import type { ServerResponse } from "node:http";
import type { RbdBackend } from "@cinderlab/fake-rbd";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import type { CinderCloud } from "../model/index.js";
import { listenOn } from "../server.js";
import { PAGE_HTML } from "./page.js";
import {
  type ClusterView,
  type FeedMessage,
  feedMessageSchema,
  type PoolView,
  type TimelineEntry,
  type ViewSnapshot,
  type ViewState,
  viewStateSchema,
} from "./schemas.js";
import { type ApiCall, faultMessage, Timeline } from "./timeline.js";

export interface LabViewOptions {
  rbd: RbdBackend;
  backupPool: string;
  backupCluster: string;
  /** the lab's clock (a manual clock's time is what the timeline shows) */
  now: () => Date;
  /** how often the backup pool is re-read when nothing else happens (default 1000 ms) */
  pollMs?: number;
}

function callOf(request: FastifyRequest, cluster: string): ApiCall {
  const body = request.body;
  const action =
    body !== null && typeof body === "object" && !Array.isArray(body) ? Object.keys(body)[0] : undefined;
  return { cluster, method: request.method, url: request.url, action };
}

export class LabView {
  readonly #options: LabViewOptions;
  readonly #timeline = new Timeline();
  /** the key of the Cinder call whose handler is running (status changes inside it are its doing) */
  readonly #current = new AsyncLocalStorage<number>();
  readonly #clusters: Array<{ name: string; cloud: CinderCloud }> = [];
  readonly #clients = new Set<ServerResponse>();
  readonly #unsubscribe: Array<() => void> = [];
  #nextKey = 0;
  #app: FastifyInstance | undefined;
  #poll: NodeJS.Timeout | undefined;
  #refresh: NodeJS.Timeout | undefined;
  #lastSnapshot = "";

  constructor(options: LabViewOptions) {
    this.#options = options;
  }

  /** Records every call a Cinder app of `cluster` answers (add before it listens). */
  attach(app: FastifyInstance, cluster: string): void {
    const keys = new WeakMap<FastifyRequest, number>();
    const messages = new WeakMap<FastifyRequest, string | null>();
    app.addHook("preHandler", (request, _reply, done) => {
      const key = ++this.#nextKey;
      keys.set(request, key);
      this.#timeline.begin(key, callOf(request, cluster), this.#options.now());
      this.#current.run(key, done);
    });
    app.addHook("onSend", (request, reply, payload, done) => {
      // a refusal's message is what a trainee needs to see next to the call
      if (reply.statusCode >= 400 && typeof payload === "string")
        messages.set(request, faultMessage(payload));
      done(null, payload);
    });
    app.addHook("onResponse", (request, reply, done) => {
      const key = keys.get(request);
      // a call refused before its handler (bad JSON, 404) still shows, without held changes
      const fallback = key === undefined ? callOf(request, cluster) : undefined;
      const message = messages.get(request);
      this.#publish(
        this.#timeline.end(key ?? -1, reply.statusCode, this.#options.now(), { fallback, message }),
      );
      done();
    });
  }

  /** Follows a cluster's status changes. */
  watch(name: string, cloud: CinderCloud): void {
    this.#clusters.push({ name, cloud });
    this.#unsubscribe.push(
      cloud.on("change", (event) => {
        this.#publish(this.#timeline.change({ ...event, cluster: name }, this.#current.getStore()));
      }),
    );
  }

  async snapshot(): Promise<ViewSnapshot> {
    return {
      clusters: this.#clusters.map(({ name, cloud }) => clusterView(name, cloud)),
      pool: await this.#pool(),
    };
  }

  async state(): Promise<ViewState> {
    return viewStateSchema.parse({ ...(await this.snapshot()), timeline: this.#timeline.entries });
  }

  async listen(host: string, port = 0): Promise<string> {
    const app = Fastify({ logger: false, forceCloseConnections: true });
    app.get("/", async (_request, reply) => reply.type("text/html; charset=utf-8").send(PAGE_HTML));
    app.get("/state", async (_request, reply) => reply.type("application/json").send(await this.state()));
    app.get("/events", (request, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache",
        connection: "keep-alive",
      });
      this.#clients.add(res);
      request.raw.on("close", () => this.#clients.delete(res));
      void this.snapshot().then((snapshot) => {
        this.#send(res, { type: "snapshot", snapshot });
        this.#send(res, { type: "timeline", entries: this.#timeline.entries });
      });
    });
    app.addHook("preClose", (done) => {
      for (const res of this.#clients) res.end();
      this.#clients.clear();
      done();
    });
    this.#app = app;
    const url = await listenOn(app, host, port);
    this.#poll = setInterval(() => this.#scheduleSnapshot(), this.#options.pollMs ?? 1000);
    this.#poll.unref();
    return url;
  }

  async close(): Promise<void> {
    clearInterval(this.#poll);
    clearTimeout(this.#refresh);
    for (const off of this.#unsubscribe.splice(0)) off();
    await this.#app?.close();
  }

  #publish(entries: TimelineEntry[]): void {
    if (entries.length === 0) return;
    for (const res of this.#clients) this.#send(res, { type: "timeline", entries });
    this.#scheduleSnapshot();
  }

  /** one snapshot for a burst of changes; sent only when it differs from the last one */
  #scheduleSnapshot(): void {
    if (this.#refresh !== undefined || this.#clients.size === 0) return;
    this.#refresh = setTimeout(() => {
      void this.snapshot()
        .then((snapshot) => {
          const text = JSON.stringify(snapshot);
          if (text === this.#lastSnapshot) return;
          this.#lastSnapshot = text;
          for (const res of this.#clients) this.#send(res, { type: "snapshot", snapshot });
        })
        .finally(() => {
          this.#refresh = undefined;
        });
    }, 30);
  }

  #send(res: ServerResponse, message: FeedMessage): void {
    if (res.writableEnded || res.destroyed) return;
    res.write(`data: ${JSON.stringify(feedMessageSchema.parse(message))}\n\n`);
  }

  async #pool(): Promise<PoolView> {
    const { rbd, backupPool: pool, backupCluster: cluster } = this.#options;
    try {
      const names = (await rbd.listImages(pool, cluster)).sort();
      const images = [];
      for (const name of names) {
        const snaps = await rbd.listSnaps({ pool, image: name, cluster }).catch(() => []);
        images.push({ name, snaps: snaps.map((s) => s.name) });
      }
      return { cluster, pool, images, error: null };
    } catch (error) {
      return {
        cluster,
        pool,
        images: [],
        error: `cannot list ${cluster}/${pool}: ${(error as Error).message}`,
      };
    }
  }
}

function clusterView(name: string, cloud: CinderCloud): ClusterView {
  const dump = cloud.dump();
  const byCreation = <T extends { createdAt: Date }>(a: T, b: T) =>
    a.createdAt.getTime() - b.createdAt.getTime();
  return {
    name,
    release: dump.release,
    volumes: [...dump.volumes].sort(byCreation).map((v) => ({
      id: v.id,
      name: v.name,
      status: v.status,
      size: v.size,
      attachStatus: v.attachStatus,
    })),
    backups: [...dump.backups].sort(byCreation).map((b) => ({
      id: b.id,
      name: b.name,
      status: b.status,
      volumeId: b.volumeId,
      size: b.size,
      failReason: b.failReason,
    })),
    services: dump.services.map((s) => ({
      binary: s.binary,
      host: s.host,
      status: s.status,
      state: s.state,
    })),
  };
}
