// /volumes: create, show, list, detail, update, delete, the volume actions, summary.
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import type { CinderCloud, RequestContext, Volume } from "../../model/index.js";
import { ApiFault } from "../faults.js";
import { sendJson, sendJsonBytes } from "../http.js";
import { parseBody } from "../validation.js";
import { stateOf, viewOf, viewVariant } from "./context.js";
import { collectionLinks } from "./links.js";
import { parseListQuery } from "./query.js";
import { actionOf, type CinderRoute, noSuchAction, type RouteDeps } from "./routes.js";
import {
  booleanish,
  nullableText,
  optionalUuid,
  positiveSize,
  volumeCreateBody,
  volumeUpdateBody,
} from "./schemas.js";
import { type ViewContext, volumeDetail, volumeSummary } from "./views.js";

/** volume_type shows the type's name; the model keeps the id. */
function typeNamer(cloud: CinderCloud, ctx: RequestContext): (volume: Volume) => string | null {
  const cache = new Map<string, string | null>();
  return (volume) => {
    const cached = cache.get(volume.volumeTypeId);
    if (cached !== undefined) return cached;
    let name: string | null = null;
    try {
      name = cloud.getVolumeType(ctx, volume.volumeTypeId).name;
    } catch {
      name = null;
    }
    cache.set(volume.volumeTypeId, name);
    return name;
  };
}

const osExtend = z.object({ new_size: positiveSize(false) }).strict();
const osResetStatus = z
  .object({
    status: z.string().optional(),
    attach_status: z.string().optional(),
    migration_status: z.string().optional(),
  })
  .strict();
const osSetBootable = z.object({ bootable: booleanish }).strict();
const osAttach = z
  .object({
    instance_uuid: optionalUuid,
    host_name: nullableText(),
    mountpoint: z.string(),
    mode: z.enum(["rw", "ro"]).optional(),
  })
  .strict();
const osDetach = z.object({ attachment_id: optionalUuid }).loose().nullable();

/**
 * The list document as bytes: each volume's text comes from the row text cache, and the
 * whole document is reused while every part of it is the same text.
 */
function renderList(request: FastifyRequest, deps: RouteDeps, detail: boolean): Buffer {
  const view = viewOf(request);
  const query = (request.query ?? {}) as Record<string, unknown>;
  const { options, limit, withCount } = parseListQuery(query, view.version);
  const volumes = deps.cloud.listVolumes(view.ctx, options);
  const variant = viewVariant(request);
  let items: string[];
  if (detail) {
    const typeName = typeNamer(deps.cloud, view.ctx);
    const rowVariant = `volume detail row\n${variant}`;
    const render = (v: Volume, type: string | null) => JSON.stringify(volumeDetail(view, v, type, true));
    items = volumes.map((v) => deps.rowTexts.text(v, rowVariant, typeName(v), render));
  } else {
    const rowVariant = `volume summary row\n${variant}`;
    const render = (v: Volume) => JSON.stringify(volumeSummary(view, v));
    items = volumes.map((v) => deps.rowTexts.text(v, rowVariant, null, render));
  }
  // the same text JSON.stringify gives for { volumes, volumes_links?, count? }
  let tail = "]";
  const links = collectionLinks(view.links, detail ? "volumes/detail" : "volumes", volumes, limit);
  if (links.length > 0) tail += `,"volumes_links":${JSON.stringify(links)}`;
  if (withCount) {
    const { limit: _l, marker: _m, offset: _o, ...countOptions } = options;
    tail += `,"count":${JSON.stringify(deps.cloud.countVolumes(view.ctx, countOptions))}`;
  }
  return deps.listDocuments.body(`${variant}\n${request.url}`, '{"volumes":[', items, `${tail}}`);
}

function showOne(view: ViewContext, cloud: CinderCloud, volume: Volume, extensions: boolean) {
  return { volume: volumeDetail(view, volume, typeNamer(cloud, view.ctx)(volume), extensions) };
}

export function volumeRoutes(deps: RouteDeps): CinderRoute[] {
  const { cloud } = deps;
  return [
    {
      method: "POST",
      path: "/volumes",
      handler: (request, reply) => {
        const view = viewOf(request);
        const body = parseBody(volumeCreateBody(view.version.atLeast(53)), request.body);
        const v = body.volume;
        if (v.multiattach) {
          throw new ApiFault(
            400,
            "multiattach parameter has been removed. The default behavior is to use multiattach enabled volume types. Contact your administrator to create a multiattach enabled volume type and use it to create multiattach volumes.",
          );
        }
        if (v.backup_id && !view.version.atLeast(47)) {
          // below 3.47 the key is not part of the schema's known properties: ignored like any extra key
          v.backup_id = null;
        }
        const volume = cloud.createVolume(view.ctx, {
          size: v.size ?? null,
          name: v.name ?? v.display_name ?? null,
          description: v.description ?? v.display_description ?? null,
          volumeType: v.volume_type ?? null,
          availabilityZone: v.availability_zone ?? null,
          metadata: v.metadata ?? null,
          backupId: v.backup_id ?? null,
          snapshotId: v.snapshot_id ?? null,
          sourceVolid: v.source_volid ?? null,
        });
        return sendJson(reply, 202, showOne(view, cloud, volume, false));
      },
    },
    {
      method: "GET",
      path: "/volumes",
      handler: (request, reply) => sendJsonBytes(reply, 200, renderList(request, deps, false)),
    },
    {
      method: "GET",
      path: "/volumes/detail",
      handler: (request, reply) => sendJsonBytes(reply, 200, renderList(request, deps, true)),
    },
    {
      method: "GET",
      path: "/volumes/summary",
      minVersion: 12,
      handler: (request, reply) => {
        const view = viewOf(request);
        const { options } = parseListQuery((request.query ?? {}) as Record<string, unknown>, view.version);
        const { limit: _l, ...all } = options;
        const volumes = cloud.listVolumes(view.ctx, { ...all, limit: Number.MAX_SAFE_INTEGER });
        const summary: Record<string, unknown> = {
          total_size: volumes.reduce((sum, v) => sum + v.size, 0),
          total_count: volumes.length,
        };
        if (view.version.atLeast(36)) {
          const meta: Record<string, string[]> = {};
          for (const v of volumes) {
            for (const [k, val] of Object.entries(v.metadata)) {
              const list = meta[k] ?? [];
              if (!list.includes(val)) list.push(val);
              meta[k] = list;
            }
          }
          summary.metadata = meta;
        }
        return sendJson(reply, 200, { "volume-summary": summary });
      },
    },
    {
      method: "GET",
      path: "/volumes/:volumeId",
      handler: (request, reply) => {
        const { ctx } = stateOf(request);
        const { volumeId } = request.params as { volumeId: string };
        const volume = cloud.getVolume(ctx, volumeId);
        const type = typeNamer(cloud, ctx)(volume);
        const body = deps.rowTexts.text(volume, `volume show\n${viewVariant(request)}`, type, (v, t) =>
          Buffer.from(JSON.stringify({ volume: volumeDetail(viewOf(request), v, t, true) })),
        );
        return sendJsonBytes(reply, 200, body);
      },
    },
    {
      method: "PUT",
      path: "/volumes/:volumeId",
      handler: (request, reply) => {
        const view = viewOf(request);
        const { volumeId } = request.params as { volumeId: string };
        const body = parseBody(volumeUpdateBody(view.version.atLeast(53)), request.body).volume;
        const patch: {
          name?: string | null;
          description?: string | null;
          metadata?: Record<string, string>;
        } = {};
        if ("name" in body || "display_name" in body) patch.name = body.name ?? body.display_name ?? null;
        if ("description" in body || "display_description" in body)
          patch.description = body.description ?? body.display_description ?? null;
        if (body.metadata) patch.metadata = body.metadata;
        const volume = cloud.updateVolume(view.ctx, volumeId, patch);
        return sendJson(reply, 200, showOne(view, cloud, volume, false));
      },
    },
    {
      method: "DELETE",
      path: "/volumes/:volumeId",
      handler: (request, reply) => {
        const view = viewOf(request);
        const { volumeId } = request.params as { volumeId: string };
        const query = (request.query ?? {}) as Record<string, string | undefined>;
        const flag = (v: string | undefined) =>
          v !== undefined && ["1", "t", "true", "on", "y", "yes"].includes(v.toLowerCase());
        const force = view.version.atLeast(23) && flag(query.force);
        cloud.deleteVolume(view.ctx, volumeId, { cascade: flag(query.cascade), force });
        return reply.code(202).send();
      },
    },
    {
      method: "POST",
      path: "/volumes/:volumeId/action",
      handler: (request, reply) => {
        const view = viewOf(request);
        const { volumeId } = request.params as { volumeId: string };
        const { name, args } = actionOf(request.body);
        const ctx = view.ctx;
        const wrap = (schema: z.ZodType, value: unknown) =>
          (parseBody(z.object({ [name]: schema }), { [name]: value }) as Record<string, unknown>)[name];
        switch (name) {
          case "os-extend": {
            const parsed = wrap(osExtend, args) as { new_size: number };
            cloud.extendVolume(ctx, volumeId, parsed.new_size);
            return reply.code(202).send();
          }
          case "os-reset_status": {
            const parsed = wrap(osResetStatus, args) as z.infer<typeof osResetStatus>;
            const req: { status?: string; attachStatus?: string; migrationStatus?: string } = {};
            if (parsed.status !== undefined) req.status = parsed.status;
            if (parsed.attach_status !== undefined) req.attachStatus = parsed.attach_status;
            if (parsed.migration_status !== undefined) req.migrationStatus = parsed.migration_status;
            cloud.resetVolumeStatus(ctx, volumeId, req);
            return reply.code(202).send();
          }
          case "os-force_delete":
            cloud.forceDeleteVolume(ctx, volumeId);
            return reply.code(202).send();
          case "os-set_bootable": {
            const parsed = wrap(osSetBootable, args) as { bootable: boolean };
            cloud.setBootable(ctx, volumeId, parsed.bootable);
            return reply.code(200).send();
          }
          case "os-reserve":
            cloud.reserveVolume(ctx, volumeId);
            return reply.code(202).send();
          case "os-unreserve":
            cloud.unreserveVolume(ctx, volumeId);
            return reply.code(202).send();
          case "os-begin_detaching":
            cloud.beginDetaching(ctx, volumeId);
            return reply.code(202).send();
          case "os-roll_detaching":
            cloud.rollDetaching(ctx, volumeId);
            return reply.code(202).send();
          case "os-attach": {
            const parsed = wrap(osAttach, args) as z.infer<typeof osAttach>;
            if (!parsed.instance_uuid && !parsed.host_name) {
              throw new ApiFault(400, "Invalid request to attach volume to an invalid target");
            }
            cloud.osAttach(ctx, volumeId, {
              instanceUuid: parsed.instance_uuid ?? null,
              hostName: parsed.host_name ?? null,
              mountpoint: parsed.mountpoint,
              mode: parsed.mode ?? "rw",
            });
            return reply.code(202).send();
          }
          case "os-detach": {
            const parsed = wrap(osDetach, args) as { attachment_id?: string | null } | null;
            cloud.osDetach(ctx, volumeId, parsed?.attachment_id ?? null);
            return reply.code(202).send();
          }
          case "os-initialize_connection":
          case "os-terminate_connection":
          case "os-volume_upload_image":
          case "os-update_readonly_flag":
          case "os-retype":
          case "os-migrate_volume":
          case "os-migrate_volume_completion":
          case "os-force_detach":
          case "os-unmanage":
          case "os-reimage":
          case "revert":
            // Real actions of Cinder 21 that this fake does not model: say so instead of pretending.
            throw new ApiFault(501, `fake-cinder does not implement the volume action ${name}.`);
          default:
            throw noSuchAction(name);
        }
      },
    },
  ];
}
