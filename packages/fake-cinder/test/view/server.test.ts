// The live view over real sockets: a lab with the view on, the API driven through the
// noauth Cinder, and the state endpoint and the SSE feed read the way the page reads
// them, each message checked against the zod schemas.
import { afterEach, describe, expect, it } from "vitest";
import { type Lab, startLab } from "../../src/lab.js";
import {
  type FeedMessage,
  feedMessageSchema,
  type TimelineEntry,
  type ViewSnapshot,
  viewStateSchema,
} from "../../src/view/schemas.js";

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

/** Reads the SSE feed; `until` resolves once a received message satisfies it. */
function subscribe(url: string) {
  const controller = new AbortController();
  const messages: FeedMessage[] = [];
  const waiters: Array<{ test: (m: FeedMessage[]) => boolean; resolve: () => void }> = [];
  const done = (async () => {
    const res = await fetch(url, { signal: controller.signal });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame.startsWith("data: ") ? frame.slice(6) : "";
        messages.push(feedMessageSchema.parse(JSON.parse(data)));
        for (const w of waiters.splice(0)) {
          if (w.test(messages)) w.resolve();
          else waiters.push(w);
        }
        end = buffer.indexOf("\n\n");
      }
    }
  })().catch((error: unknown) => {
    if ((error as Error).name !== "AbortError") throw error;
  });
  return {
    messages,
    until(test: (m: FeedMessage[]) => boolean): Promise<void> {
      if (test(messages)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ test, resolve }));
    },
    async close() {
      controller.abort();
      await done;
    },
  };
}

const entries = (m: FeedMessage[]): TimelineEntry[] =>
  m.flatMap((x) => (x.type === "timeline" ? x.entries : []));
const lastSnapshot = (m: FeedMessage[]): ViewSnapshot | undefined =>
  m.flatMap((x) => (x.type === "snapshot" ? [x.snapshot] : [])).at(-1);

describe("the lab's live view", () => {
  it("serves the page, the state and a feed that follows a backup into the pool", async () => {
    lab = await startLab({ clock: "manual", view: true });
    const viewUrl = lab.viewUrl;
    if (viewUrl === undefined) throw new Error("no view URL");
    expect(viewUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(lab.describe().view).toEqual({ url: viewUrl });

    const page = await fetch(`${viewUrl}/`);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain('new EventSource("events")');

    const feed = subscribe(`${viewUrl}/events`);
    await feed.until((m) => lastSnapshot(m) !== undefined);
    expect(lastSnapshot(feed.messages)?.clusters.map((c) => c.name)).toEqual(["a", "b"]);

    const a = lab.cluster("a");
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${a.noauthUrl}/v3/${a.projectId}${path}`, {
        method,
        headers: { "x-auth-token": `${a.admin.id}:${a.projectId}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, { id: string }> };
    };
    const volume = (await api("POST", "/volumes", { volume: { size: 1, name: "training" } })).body.volume;
    await lab.advance(60_000);
    const created = await api("POST", "/backups", { backup: { volume_id: volume?.id, name: "nightly" } });
    expect(created.status).toBe(202);
    const backupId = created.body.backup?.id ?? "";

    await feed.until((m) =>
      entries(m).some((e) => e.kind === "status" && e.id === backupId && e.to === "creating"),
    );
    await feed.until((m) =>
      Boolean(
        lastSnapshot(m)?.clusters[0]?.backups.some((b) => b.id === backupId && b.status === "creating"),
      ),
    );
    await lab.advance(60_000);
    await feed.until((m) =>
      Boolean(
        lastSnapshot(m)?.clusters[0]?.backups.some((b) => b.id === backupId && b.status === "available"),
      ),
    );
    await feed.until((m) => (lastSnapshot(m)?.pool.images.length ?? 0) > 0);

    const timeline = entries(feed.messages);
    const call = timeline.find(
      (e) => e.kind === "api" && e.method === "POST" && e.path === "/v3/<p>/backups",
    );
    expect(call).toMatchObject({ cluster: "a", status: 202, command: { cli: "cinder backup-create" } });
    const done = timeline.find((e) => e.kind === "status" && e.id === backupId && e.to === "available");
    // advanced in-process (no call running): the step still names the call that started it
    expect(done).toMatchObject({ from: "creating", cause: { cli: "cinder backup-create" } });
    expect(call?.seq).toBeLessThan(done?.seq ?? 0);

    const pool = lastSnapshot(feed.messages)?.pool;
    expect(pool?.images.map((i) => i.name)).toEqual([`volume-${volume?.id}.backup.${backupId}`]);
    expect(pool?.images[0]?.snaps).toEqual([
      expect.stringMatching(new RegExp(`^backup\\.${backupId}\\.snap\\.\\d+(\\.\\d+)?$`)),
    ]);

    const state = viewStateSchema.parse(await (await fetch(`${viewUrl}/state`)).json());
    expect(state.timeline.map((e) => e.seq)).toEqual(timeline.map((e) => e.seq));
    expect(state.pool).toEqual(pool);
    await feed.close();
  });

  it("on real time: a delayed step keeps its cause, and a refusal shows Cinder's message", async () => {
    lab = await startLab({ view: true, delayMs: 30 });
    const feed = subscribe(`${lab.viewUrl}/events`);
    await feed.until((m) => lastSnapshot(m) !== undefined);
    const b = lab.cluster("b");
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${b.noauthUrl}/v3/${b.projectId}${path}`, {
        method,
        headers: { "x-auth-token": `${b.admin.id}:${b.projectId}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, { id: string }> };
    };
    const volume = (await api("POST", "/volumes", { volume: { size: 1 } })).body.volume;
    const volumeId = volume?.id ?? "";
    const missing = "11111111-2222-4333-8444-555555555555";
    const refused = await api("POST", "/backups", { backup: { volume_id: missing } });
    expect(refused.status).toBe(404);
    await feed.until((m) =>
      entries(m).some((e) => e.kind === "status" && e.id === volumeId && e.to === "available"),
    );

    const timeline = entries(feed.messages);
    const refusal = timeline.find((e) => e.kind === "api" && e.status === 404);
    expect(refusal).toMatchObject({ cluster: "b", command: { cli: "cinder backup-create" } });
    expect(refusal?.kind === "api" ? refusal.message : null).toBe(`Volume ${missing} could not be found.`);
    // the timer ran in no call at all; the cause is still the create
    expect(
      timeline.find((e) => e.kind === "status" && e.id === volumeId && e.to === "available"),
    ).toMatchObject({
      cluster: "b",
      from: "creating",
      cause: { request: "POST /v3/<p>/volumes", cli: "cinder create" },
    });
    await feed.close();
  });

  it("is off unless asked for, and close() ends open feeds", async () => {
    lab = await startLab({ clock: "manual" });
    expect(lab.viewUrl).toBeUndefined();
    expect(lab.describe().view).toBeUndefined();
    await lab.close();

    lab = await startLab({ clock: "manual", view: true });
    const feed = subscribe(`${lab.viewUrl}/events`);
    await feed.until((m) => m.length >= 2);
    await lab.close();
    lab = undefined;
    await feed.close();
  });
});
