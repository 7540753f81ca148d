// A scenario run: talks to one target over HTTP (noauth), records the exchanges that
// matter under step labels, and normalises them at the end.
import { Normaliser } from "./normalise.js";
import type { Deployment, Exchange, Observation, ParityTarget } from "./types.js";

export const DEFAULT_MICROVERSION = "3.70";

export interface Reply {
  status: number;
  body: unknown;
}

export interface CallOptions {
  body?: unknown;
  microversion?: string;
  /** false: the call is setup, not compared (default true) */
  record?: boolean;
  /**
   * the answer may catch real Cinder between two saves of one operation: recorded as one
   * observation of a race point, not as the one answer
   */
  race?: boolean;
}

export class ScenarioFailure extends Error {}

/** the parts of Cinder's answers the scenarios read */
export interface ReplyBody {
  volume?: { id: string; status?: string };
  backup?: { id: string; status?: string };
  restore?: { volume_id: string };
  "backup-record"?: { backup_service: string; backup_url: string };
}

/** a part of an answer a scenario cannot go on without */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new ScenarioFailure(`the answer has no ${what}`);
  return value;
}

/** the resource's status in a show's answer; "deleted" for a 404 */
function statusOf(kind: "volumes" | "backups", reply: Reply): string {
  if (reply.status === 404) return "deleted";
  const key = kind === "volumes" ? "volume" : "backup";
  return String((reply.body as ReplyBody | null)?.[key]?.status ?? `http-${reply.status}`);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class ScenarioRun {
  readonly #target: ParityTarget;
  readonly projectId: string;
  readonly #raw = new Map<string, Exchange>();
  /** ids this scenario created: the backup pool listing keeps only images naming one */
  readonly #ids = new Set<string>();

  constructor(target: ParityTarget, projectId: string) {
    this.#target = target;
    this.projectId = projectId;
  }

  #deployment(name: "a" | "b"): Deployment {
    return this.#target[name];
  }

  #record(step: string, exchange: Exchange): void {
    if (this.#raw.has(step)) throw new ScenarioFailure(`step label used twice: ${step}`);
    this.#raw.set(step, exchange);
  }

  #collectIds(v: unknown): void {
    if (typeof v === "string") {
      for (const m of v.matchAll(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g))
        this.#ids.add(m[0]);
    } else if (Array.isArray(v)) {
      for (const x of v) this.#collectIds(x);
    } else if (v !== null && typeof v === "object") {
      for (const x of Object.values(v)) this.#collectIds(x);
    }
  }

  async call(
    step: string | null,
    cluster: "a" | "b",
    method: string,
    path: string,
    options: CallOptions = {},
  ): Promise<Reply> {
    const microversion = options.microversion ?? DEFAULT_MICROVERSION;
    const url = `${this.#deployment(cluster).url}/v3/${this.projectId}${path}`;
    const response = await fetch(url, {
      method,
      headers: {
        "X-Auth-Token": `admin:${this.projectId}`,
        "OpenStack-API-Version": `volume ${microversion}`,
        Accept: "application/json",
        ...(options.body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    let body: unknown = null;
    if (text.length > 0) {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        body = text;
      }
    }
    this.#collectIds(body);
    if (step !== null && options.record !== false) {
      this.#record(step, {
        cluster,
        method,
        path: `/v3/${this.projectId}${path}`,
        microversion,
        ...(options.body === undefined ? {} : { request: options.body }),
        ...(options.race
          ? { variants: [{ status: response.status, body }] }
          : { status: response.status, body }),
      });
    }
    return { status: response.status, body };
  }

  /** a call that must succeed with this status (setup and the happy path) */
  async expect(
    step: string | null,
    cluster: "a" | "b",
    method: string,
    path: string,
    status: number,
    options: CallOptions = {},
  ): Promise<ReplyBody> {
    const reply = await this.call(step, cluster, method, path, options);
    if (reply.status !== status) {
      throw new ScenarioFailure(
        `${cluster} ${method} ${path}: expected ${status}, got ${reply.status}: ${JSON.stringify(reply.body)}`,
      );
    }
    return (reply.body ?? {}) as ReplyBody;
  }

  /**
   * A show at a moment real Cinder races (right after a create, a restore, a delete): the
   * answer is kept whole while the resource is still in one of the `transient` statuses;
   * once it has left them only the status it reached is kept (the show after the polling
   * records that state in full). Recorded as a race point: one observation.
   */
  async observe(
    step: string | null,
    cluster: "a" | "b",
    kind: "volumes" | "backups",
    id: string,
    transient: string[],
  ): Promise<string> {
    const path = `/${kind}/${id}`;
    const reply = await this.call(null, cluster, "GET", path);
    const status = statusOf(kind, reply);
    const observation: Observation = transient.includes(status)
      ? { status: reply.status, body: reply.body }
      : { status: reply.status, settled: status };
    if (step === null) return status;
    this.#record(step, {
      cluster,
      method: "GET",
      path: `/v3/${this.projectId}${path}`,
      microversion: DEFAULT_MICROVERSION,
      variants: [observation],
    });
    return status;
  }

  /**
   * Polls GET /<kind>/<id> until its status is one of `until` (or 404 when until is
   * "deleted"); records the distinct consecutive statuses seen as a race point (whether the
   * first poll still sees a transient status depends on real Cinder's timing).
   */
  async waitFor(
    step: string | null,
    cluster: "a" | "b",
    kind: "volumes" | "backups",
    id: string,
    until: string[],
  ): Promise<string> {
    const seen: string[] = [];
    const deadline = Date.now() + this.#target.timeoutMs;
    for (;;) {
      const reply = await this.call(null, cluster, "GET", `/${kind}/${id}`);
      const status = statusOf(kind, reply);
      if (seen.at(-1) !== status) seen.push(status);
      if (until.includes(status)) break;
      if (status.startsWith("error") && !until.some((u) => u.startsWith("error"))) {
        throw new ScenarioFailure(
          `${cluster} ${kind}/${id} went ${status} (seen ${seen.join(" → ")}): ${JSON.stringify(reply.body)}`,
        );
      }
      if (Date.now() > deadline)
        throw new ScenarioFailure(
          `${cluster} ${kind}/${id} not ${until.join("|")} in time (seen ${seen.join(" → ")})`,
        );
      await sleep(this.#target.pollIntervalMs);
    }
    if (step !== null)
      this.#record(step, {
        cluster,
        path: `/v3/${this.projectId}/${kind}/${id}`,
        variants: [{ statuses: seen }],
      });
    return seen.at(-1) as string;
  }

  /** the backup pool's images (and their snapshots) that belong to this scenario */
  async pool(step: string): Promise<void> {
    const images = await this.#target.backupPool();
    const mine = images
      .filter((i) => [...this.#ids].some((id) => i.image.includes(id)))
      .map((i) => ({ image: i.image, snaps: [...i.snaps] }));
    this.#record(step, { pool: mine });
  }

  /** the recording, normalised */
  steps(): Record<string, Exchange> {
    const normaliser = new Normaliser({
      projectId: this.projectId,
      deployments: [this.#target.a, this.#target.b],
    });
    const out: Record<string, Exchange> = {};
    for (const [step, exchange] of this.#raw) {
      const { variants, ...fixed } = exchange;
      const normalised = normaliser.exchange(fixed);
      // each observation in a numbering of its own (see Normaliser.fork)
      if (variants) normalised.variants = variants.map((v) => normaliser.fork().value(v) as Observation);
      out[step] = normalised;
    }
    // pool listings are sets: order by normalised name so listing order never matters
    for (const exchange of Object.values(out)) {
      exchange.pool?.sort((p, q) => (p.image < q.image ? -1 : p.image > q.image ? 1 : 0));
      for (const image of exchange.pool ?? []) image.snaps.sort();
    }
    return out;
  }
}
