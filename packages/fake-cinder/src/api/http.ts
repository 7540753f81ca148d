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
  return reply.code(status).type("application/json").send(JSON.stringify(body));
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

/**
 * Sends a JSON document already encoded. Fastify gives a JSON string the charset
 * parameter but leaves a Buffer's type as set, so it is spelled out: the headers are the
 * same as sendJson's.
 */
export function sendJsonBytes(reply: FastifyReply, status: number, body: Buffer): FastifyReply {
  return reply.code(status).type("application/json; charset=utf-8").send(body);
}
