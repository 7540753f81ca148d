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

/** Keystone and Cinder both format naive UTC datetimes with microseconds. */
export function isoMicro(date: Date): string {
  return `${date.toISOString().slice(0, 19)}.${String(date.getUTCMilliseconds()).padStart(3, "0")}000`;
}
