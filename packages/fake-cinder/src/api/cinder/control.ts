// The fake's control plane (off unless enabled): reset, state dump, health, fault rules
// and a manual clock. Like moto's /moto-api, it is not part of Cinder's API.
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { type CinderCloud, faultRuleSchema, ManualClock } from "../../model/index.js";
import { ApiFault } from "../faults.js";
import { sendJson } from "../http.js";
import type { Identity } from "../identity.js";

export interface ControlOptions {
  cloud: CinderCloud;
  identity?: Identity | undefined;
}

const advanceBody = z.object({ ms: z.number().int().min(0) }).strict();
const serviceBody = z
  .object({
    binary: z.enum(["cinder-volume", "cinder-backup", "cinder-scheduler"]),
    host: z.string().optional(),
    up: z.boolean().optional(),
    enabled: z.boolean().optional(),
    disabledReason: z.string().nullable().optional(),
  })
  .strict();

/** only cinder-backup's startup cleanup is modelled, so only it can be restarted */
const restartBody = z.object({ binary: z.literal("cinder-backup"), host: z.string().optional() }).strict();

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ApiFault(400, `Invalid control request: ${issue?.path.join(".") || "body"}: ${issue?.message}`);
  }
  return result.data;
}

export function registerControlRoutes(app: FastifyInstance, options: ControlOptions): void {
  const { cloud } = options;
  app.get("/_fake/health", async (_request, reply) =>
    sendJson(reply, 200, { status: "ok", cluster: cloud.name, release: cloud.release }),
  );
  app.get("/_fake/state", async (_request, reply) => sendJson(reply, 200, cloud.dump()));
  app.post("/_fake/reset", async (_request, reply) => {
    cloud.reset();
    options.identity?.resetTokens();
    return reply.code(204).send();
  });
  app.get("/_fake/faults", async (_request, reply) => sendJson(reply, 200, { faults: cloud.faults.list() }));
  app.post("/_fake/faults", async (request, reply) => {
    const rule = cloud.faults.add(parse(faultRuleSchema, request.body));
    return sendJson(reply, 201, { fault: rule });
  });
  app.delete("/_fake/faults", async (_request, reply) => {
    cloud.faults.reset();
    return reply.code(204).send();
  });
  app.delete("/_fake/faults/:id", async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!cloud.faults.remove(Number(id))) throw new ApiFault(404, `No fault rule ${id}.`);
    return reply.code(204).send();
  });
  app.post("/_fake/services", async (request, reply) => {
    const body = parse(serviceBody, request.body);
    const state: { up?: boolean; enabled?: boolean; disabledReason?: string | null } = {};
    if (body.up !== undefined) state.up = body.up;
    if (body.enabled !== undefined) state.enabled = body.enabled;
    if (body.disabledReason !== undefined) state.disabledReason = body.disabledReason;
    cloud.setServiceState(body.binary, body.host, state);
    return reply.code(204).send();
  });
  // what `systemctl restart cinder-backup` does on a controller: the answer lists what the
  // startup cleanup did to each backup
  app.post("/_fake/services/restart", async (request, reply) => {
    const body = parse(restartBody, request.body);
    return sendJson(reply, 200, { cleaned: cloud.restartService(body.binary, body.host) });
  });
  app.post("/_fake/clock/advance", async (request, reply) => {
    const clock = cloud.clock;
    if (!(clock instanceof ManualClock)) {
      throw new ApiFault(409, "This cluster runs on real time; only a manual clock can be advanced.");
    }
    clock.advance(parse(advanceBody, request.body).ms);
    await cloud.settled();
    return sendJson(reply, 200, { now: clock.now().toISOString() });
  });
}
