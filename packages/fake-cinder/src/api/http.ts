// Small helpers shared by the Keystone and Cinder Fastify apps.
import { randomUUID } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";

/** The application URL a client used to reach us (scheme://host:port), for links. */
export function applicationUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

export function newRequestId(): string {
  return `req-${randomUUID()}`;
}

/** Sends a pre-built JSON body; skips Fastify's serializer lookup on hot paths. */
export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return sendJsonText(reply, status, JSON.stringify(body));
}

// Rendered timestamps, per Date object: list views render the same few dates on every
// request. Keyed by the object and checked against its time, so a Date mutated in place
// (setTime) is rendered afresh.
const rendered = new WeakMap<Date, { time: number; text: string }>();

/** Keystone and Cinder both format naive UTC datetimes with microseconds. */
export function isoMicro(date: Date): string {
  const time = date.getTime();
  const cached = rendered.get(date);
  if (cached && cached.time === time) return cached.text;
  const iso = date.toISOString();
  // toISOString gives milliseconds; Python prints microseconds
  const text = `${iso.slice(0, 23)}000`;
  rendered.set(date, { time, text });
  return text;
}

/** Sends JSON text already rendered (see rowJson). */
export function sendJsonText(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.code(status).type("application/json").send(text);
}

// The JSON text last rendered for each model row (volume, backup): stringifying was most of
// the cost of a detail list (~110 KB for 100 volumes). A fresh view is still built on every
// request and compared with what the text says (parsed back, so no object is shared with the
// model, whose metadata and the like change in place), so the text is reused only when it
// would come out the same, whatever changed in the model and however.
const lastText = new WeakMap<object, { data: Snapshot; text: string }>();

/** JSON.stringify(view), reusing the text made for `row` last time when `view` equals it. */
export function rowJson(row: object, view: unknown): string {
  const last = lastText.get(row);
  if (last !== undefined && matches(view, last.data)) return last.text;
  const text = JSON.stringify(view);
  lastText.set(row, { data: snapshot(JSON.parse(text)), text });
  return text;
}

/** parsed JSON with each object's keys listed once, so a comparison allocates nothing */
type Snapshot = string | number | boolean | null | Snapshot[] | { keys: string[]; values: Snapshot[] };

function snapshot(data: unknown): Snapshot {
  if (Array.isArray(data)) return data.map(snapshot);
  if (data !== null && typeof data === "object") {
    const keys = Object.keys(data);
    return { keys, values: keys.map((k) => snapshot((data as Record<string, unknown>)[k])) };
  }
  return data as Snapshot;
}

/** True when `a` serialises to the JSON text `b` was made from (anything but plain data: false). */
function matches(a: unknown, b: Snapshot): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!matches(a[i], b[i] as Snapshot)) return false;
    return true;
  }
  if (Array.isArray(b) || Object.getPrototypeOf(a) !== Object.prototype || "toJSON" in a) return false;
  // key order is part of the text
  let i = 0;
  for (const key in a) {
    if (key !== b.keys[i]) return false;
    if (!matches((a as Record<string, unknown>)[key], b.values[i] as Snapshot)) return false;
    i++;
  }
  return i === b.keys.length;
}
