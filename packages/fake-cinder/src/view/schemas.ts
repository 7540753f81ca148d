// What the live view sends to the page: the state endpoint (GET /state) and the event
// feed (GET /events, Server-Sent Events). The server parses every message through these
// schemas before it leaves, so the page and the tests read one checked shape.
import { z } from "zod";

export const commandSchema = z.object({
  /** e.g. "POST /v3/<p>/backups" (ids shortened to 8 characters, the project as <p>) */
  request: z.string(),
  /** the cinder CLI verb the call corresponds to, e.g. "cinder backup-create"; null if none */
  cli: z.string().nullable(),
});
export type Command = z.infer<typeof commandSchema>;

const entryBase = {
  seq: z.number().int().min(1),
  /** UTC ISO 8601, on the lab's clock */
  at: z.string(),
  cluster: z.string(),
};

export const timelineEntrySchema = z.discriminatedUnion("kind", [
  z.object({
    ...entryBase,
    kind: z.literal("api"),
    method: z.string(),
    path: z.string(),
    status: z.number().int(),
    command: commandSchema,
    /** the refusal's message (Cinder's fault body) when the call failed */
    message: z.string().nullable(),
  }),
  z.object({
    ...entryBase,
    kind: z.literal("status"),
    resource: z.enum(["volume", "backup", "snapshot", "service"]),
    id: z.string(),
    from: z.string().nullable(),
    /** null when the resource is gone (deleted) */
    to: z.string().nullable(),
    /** the API call that caused it (for an asynchronous step: the call that started it) */
    cause: commandSchema.nullable(),
  }),
]);
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

export const volumeRowSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  status: z.string(),
  size: z.number(),
  attachStatus: z.string(),
});

export const backupRowSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  status: z.string(),
  volumeId: z.string(),
  size: z.number(),
  failReason: z.string().nullable(),
});

export const serviceRowSchema = z.object({
  binary: z.string(),
  host: z.string(),
  status: z.string(),
  state: z.string(),
});

export const clusterViewSchema = z.object({
  name: z.string(),
  release: z.string(),
  volumes: z.array(volumeRowSchema),
  backups: z.array(backupRowSchema),
  services: z.array(serviceRowSchema),
});
export type ClusterView = z.infer<typeof clusterViewSchema>;

export const poolViewSchema = z.object({
  cluster: z.string(),
  pool: z.string(),
  images: z.array(z.object({ name: z.string(), snaps: z.array(z.string()) })),
  /** set when the pool could not be read (the page says so instead of showing stale rows) */
  error: z.string().nullable(),
});
export type PoolView = z.infer<typeof poolViewSchema>;

export const snapshotSchema = z.object({
  clusters: z.array(clusterViewSchema),
  pool: poolViewSchema,
});
export type ViewSnapshot = z.infer<typeof snapshotSchema>;

export const viewStateSchema = snapshotSchema.extend({ timeline: z.array(timelineEntrySchema) });
export type ViewState = z.infer<typeof viewStateSchema>;

/** one SSE message: `event: <type>` with `data: <json>` */
export const feedMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("snapshot"), snapshot: snapshotSchema }),
  z.object({ type: z.literal("timeline"), entries: z.array(timelineEntrySchema) }),
]);
export type FeedMessage = z.infer<typeof feedMessageSchema>;
