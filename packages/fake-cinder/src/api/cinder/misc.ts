// Everything around volumes and backups that clients list or need: attachments (3.27+),
// volume transfers, snapshots, volume types, availability zones, services, limits, quotas.
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import type { QuotaSet, Snapshot } from "../../model/index.js";
import { ApiFault } from "../faults.js";
import { isoMicro, sendJson } from "../http.js";
import { parseBody } from "../validation.js";
import { viewOf } from "./context.js";
import { parseListQuery } from "./query.js";
import { actionOf, type CinderRoute, noSuchAction, type RouteDeps } from "./routes.js";
import { booleanish, metadata, nullableText, optionalBooleanish, uuid } from "./schemas.js";
import {
  attachmentDetail,
  attachmentSummary,
  availabilityZoneView,
  limitsView,
  serviceView,
  transferView,
  type ViewContext,
  volumeTypeView,
} from "./views.js";

const attachmentCreate = z
  .object({
    attachment: z
      .object({
        volume_uuid: uuid,
        instance_uuid: z.string().nullable().optional(),
        connector: z.record(z.string(), z.unknown()).nullable().optional(),
        mode: z.enum(["rw", "ro"]).optional(),
      })
      .strict(),
  })
  .strict();
const attachmentUpdate = z
  .object({ attachment: z.object({ connector: z.record(z.string(), z.unknown()) }).strict() })
  .strict();

const transferCreate = z
  .object({
    transfer: z
      .object({ volume_id: uuid, name: nullableText(), no_snapshots: optionalBooleanish.optional() })
      .strict(),
  })
  .strict();
const transferAccept = z.object({ accept: z.object({ auth_key: z.string() }).strict() }).strict();

const snapshotCreate = z
  .object({
    snapshot: z
      .object({
        volume_id: uuid,
        name: nullableText(),
        description: nullableText(),
        display_name: nullableText(),
        display_description: nullableText(),
        force: booleanish.optional(),
        metadata,
      })
      .loose(),
  })
  .strict();

const QUOTA_KEYS: Array<[keyof QuotaSet, string]> = [
  ["volumes", "volumes"],
  ["gigabytes", "gigabytes"],
  ["snapshots", "snapshots"],
  ["backups", "backups"],
  ["backupGigabytes", "backup_gigabytes"],
  ["groups", "groups"],
  ["perVolumeGigabytes", "per_volume_gigabytes"],
];
const quotaUpdate = z
  .object({
    quota_set: z.record(z.string(), z.union([z.number().int().min(-1), z.string().regex(/^-?\d+$/)])),
  })
  .strict();

function snapshotView(view: ViewContext, snapshot: Snapshot) {
  const out: Record<string, unknown> = {
    id: snapshot.id,
    created_at: isoMicro(snapshot.createdAt),
    updated_at: snapshot.updatedAt ? isoMicro(snapshot.updatedAt) : null,
    name: snapshot.name,
    description: snapshot.description,
    volume_id: snapshot.volumeId,
    status: snapshot.status,
    size: snapshot.volumeSize,
    metadata: snapshot.metadata,
  };
  if (view.version.atLeast(14)) out.group_snapshot_id = null;
  if (view.version.atLeast(41)) out.user_id = snapshot.userId;
  out["os-extended-snapshot-attributes:progress"] = snapshot.progress;
  out["os-extended-snapshot-attributes:project_id"] = snapshot.projectId;
  return out;
}

export function miscRoutes(deps: RouteDeps): CinderRoute[] {
  const { cloud } = deps;
  const transferRoutes = (base: string, minVersion?: number): CinderRoute[] => {
    const routes: CinderRoute[] = [
      {
        method: "POST",
        path: base,
        handler: (request, reply) => {
          const view = viewOf(request);
          const t = parseBody(transferCreate, request.body).transfer;
          const opts = view.version.atLeast(55) && t.no_snapshots ? { noSnapshots: true } : {};
          const { transfer, authKey } = cloud.createTransfer(view.ctx, t.volume_id, t.name ?? null, opts);
          return sendJson(reply, 202, {
            transfer: { ...transferView(view, transfer, true), auth_key: authKey },
          });
        },
      },
      {
        method: "GET",
        path: base,
        handler: (request, reply) => {
          const view = viewOf(request);
          const { options } = parseListQuery((request.query ?? {}) as Record<string, unknown>, view.version);
          const list = cloud.listTransfers(view.ctx, options);
          return sendJson(reply, 200, { transfers: list.map((t) => transferView(view, t, false)) });
        },
      },
      {
        method: "GET",
        path: `${base}/detail`,
        handler: (request, reply) => {
          const view = viewOf(request);
          const { options } = parseListQuery((request.query ?? {}) as Record<string, unknown>, view.version);
          const list = cloud.listTransfers(view.ctx, options);
          return sendJson(reply, 200, { transfers: list.map((t) => transferView(view, t, true)) });
        },
      },
      {
        method: "GET",
        path: `${base}/:transferId`,
        handler: (request, reply) => {
          const view = viewOf(request);
          const { transferId } = request.params as { transferId: string };
          return sendJson(reply, 200, {
            transfer: transferView(view, cloud.getTransfer(view.ctx, transferId), true),
          });
        },
      },
      {
        method: "DELETE",
        path: `${base}/:transferId`,
        handler: (request, reply) => {
          const view = viewOf(request);
          const { transferId } = request.params as { transferId: string };
          cloud.deleteTransfer(view.ctx, transferId);
          return reply.code(202).send();
        },
      },
      {
        method: "POST",
        path: `${base}/:transferId/accept`,
        handler: (request, reply) => {
          const view = viewOf(request);
          const { transferId } = request.params as { transferId: string };
          const { accept } = parseBody(transferAccept, request.body);
          const transfer = cloud.acceptTransfer(view.ctx, transferId, accept.auth_key);
          const { id, name, volume_id, links } = transferView(view, transfer, false) as Record<
            string,
            unknown
          >;
          return sendJson(reply, 202, { transfer: { id, name, volume_id, links } });
        },
      },
    ];
    return minVersion === undefined ? routes : routes.map((r) => ({ ...r, minVersion }));
  };

  const attachmentList = (request: FastifyRequest, detail: boolean) => {
    const view = viewOf(request);
    const { options } = parseListQuery((request.query ?? {}) as Record<string, unknown>, view.version);
    const list = cloud.listAttachments(view.ctx, options);
    return { attachments: list.map((a) => (detail ? attachmentDetail(a) : attachmentSummary(a))) };
  };

  return [
    // attachments
    {
      method: "POST",
      path: "/attachments",
      minVersion: 27,
      handler: (request, reply) => {
        const view = viewOf(request);
        const a = parseBody(attachmentCreate, request.body).attachment;
        const attachment = cloud.createAttachment(view.ctx, {
          volumeId: a.volume_uuid,
          instanceUuid: a.instance_uuid ?? null,
          connector: a.connector ?? null,
          mode: view.version.atLeast(54) ? (a.mode ?? "rw") : "rw",
        });
        return sendJson(reply, 200, { attachment: attachmentDetail(attachment) });
      },
    },
    {
      method: "GET",
      path: "/attachments",
      minVersion: 27,
      handler: (request, reply) => sendJson(reply, 200, attachmentList(request, false)),
    },
    {
      method: "GET",
      path: "/attachments/detail",
      minVersion: 27,
      handler: (request, reply) => sendJson(reply, 200, attachmentList(request, true)),
    },
    {
      method: "GET",
      path: "/attachments/:attachmentId",
      minVersion: 27,
      handler: (request, reply) => {
        const view = viewOf(request);
        const { attachmentId } = request.params as { attachmentId: string };
        return sendJson(reply, 200, {
          attachment: attachmentDetail(cloud.getAttachment(view.ctx, attachmentId)),
        });
      },
    },
    {
      method: "PUT",
      path: "/attachments/:attachmentId",
      minVersion: 27,
      handler: (request, reply) => {
        const view = viewOf(request);
        const { attachmentId } = request.params as { attachmentId: string };
        const { attachment: a } = parseBody(attachmentUpdate, request.body);
        const updated = cloud.updateAttachment(view.ctx, attachmentId, a.connector);
        return sendJson(reply, 200, { attachment: attachmentDetail(updated) });
      },
    },
    {
      method: "DELETE",
      path: "/attachments/:attachmentId",
      minVersion: 27,
      handler: (request, reply) => {
        const view = viewOf(request);
        const { attachmentId } = request.params as { attachmentId: string };
        const attachment = cloud.getAttachment(view.ctx, attachmentId);
        cloud.deleteAttachment(view.ctx, attachmentId);
        return sendJson(reply, 200, {
          attachments: [attachmentSummary({ ...attachment, attachStatus: "detached" })],
        });
      },
    },
    {
      method: "POST",
      path: "/attachments/:attachmentId/action",
      minVersion: 44,
      handler: (request, reply) => {
        const view = viewOf(request);
        const { attachmentId } = request.params as { attachmentId: string };
        const { name } = actionOf(request.body);
        if (name !== "os-complete") throw noSuchAction(name);
        cloud.completeAttachment(view.ctx, attachmentId);
        return reply.code(204).send();
      },
    },

    // transfers: the legacy path at every version, the new one from 3.55
    ...transferRoutes("/os-volume-transfer"),
    ...transferRoutes("/volume-transfers", 55),

    // snapshots
    {
      method: "POST",
      path: "/snapshots",
      handler: (request, reply) => {
        const view = viewOf(request);
        const s = parseBody(snapshotCreate, request.body).snapshot;
        const snapshot = cloud.createSnapshot(view.ctx, {
          volumeId: s.volume_id,
          name: s.name ?? s.display_name ?? null,
          description: s.description ?? s.display_description ?? null,
          force: s.force ?? false,
          metadata: s.metadata ?? null,
        });
        return sendJson(reply, 202, { snapshot: snapshotView(view, snapshot) });
      },
    },
    ...(["/snapshots", "/snapshots/detail"] as const).map(
      (path): CinderRoute => ({
        method: "GET",
        path,
        handler: (request, reply) => {
          const view = viewOf(request);
          const { options } = parseListQuery((request.query ?? {}) as Record<string, unknown>, view.version);
          const list = cloud.listSnapshots(view.ctx, options);
          const detail = path.endsWith("detail");
          return sendJson(reply, 200, {
            snapshots: list.map((s) => {
              const full = snapshotView(view, s);
              if (detail) return full;
              const {
                "os-extended-snapshot-attributes:progress": _p,
                "os-extended-snapshot-attributes:project_id": _pid,
                ...rest
              } = full;
              return rest;
            }),
          });
        },
      }),
    ),
    {
      method: "GET",
      path: "/snapshots/:snapshotId",
      handler: (request, reply) => {
        const view = viewOf(request);
        const { snapshotId } = request.params as { snapshotId: string };
        return sendJson(reply, 200, {
          snapshot: snapshotView(view, cloud.getSnapshot(view.ctx, snapshotId)),
        });
      },
    },
    {
      method: "DELETE",
      path: "/snapshots/:snapshotId",
      handler: (request, reply) => {
        const view = viewOf(request);
        const { snapshotId } = request.params as { snapshotId: string };
        cloud.deleteSnapshot(view.ctx, snapshotId);
        return reply.code(202).send();
      },
    },

    // volume types, availability zones, services, limits
    {
      method: "GET",
      path: "/types",
      handler: (request, reply) => {
        const view = viewOf(request);
        return sendJson(reply, 200, {
          volume_types: cloud.listVolumeTypes(view.ctx).map((t) => volumeTypeView(view, t)),
        });
      },
    },
    {
      method: "GET",
      path: "/types/:typeId",
      handler: (request, reply) => {
        const view = viewOf(request);
        const { typeId } = request.params as { typeId: string };
        return sendJson(reply, 200, {
          volume_type: volumeTypeView(view, cloud.getVolumeType(view.ctx, typeId)),
        });
      },
    },
    {
      method: "GET",
      path: "/os-availability-zone",
      handler: (request, reply) => {
        const view = viewOf(request);
        return sendJson(reply, 200, {
          availabilityZoneInfo: cloud.listAvailabilityZones(view.ctx).map(availabilityZoneView),
        });
      },
    },
    {
      method: "GET",
      path: "/os-services",
      handler: (request, reply) => {
        const view = viewOf(request);
        const query = (request.query ?? {}) as Record<string, string | undefined>;
        const filter: { binary?: string; host?: string } = {};
        if (query.binary) filter.binary = query.binary;
        if (query.host) filter.host = query.host;
        return sendJson(reply, 200, {
          services: cloud.listServices(view.ctx, filter).map((s) => serviceView(view, s)),
        });
      },
    },
    {
      method: "GET",
      path: "/limits",
      handler: (request, reply) => sendJson(reply, 200, limitsView(cloud.limits(viewOf(request).ctx))),
    },

    // quotas
    {
      method: "GET",
      path: "/os-quota-sets/:targetProjectId",
      handler: (request, reply) => {
        const view = viewOf(request);
        const { targetProjectId } = request.params as { targetProjectId: string };
        const usage = ((request.query ?? {}) as Record<string, string | undefined>).usage;
        const withUsage =
          usage !== undefined && ["1", "t", "true", "on", "y", "yes"].includes(usage.toLowerCase());
        const { limits, usage: used } = cloud.quotaUsage(view.ctx, targetProjectId);
        const set: Record<string, unknown> = { id: targetProjectId };
        for (const [key, apiKey] of QUOTA_KEYS) {
          const limit = limits[key];
          const inUse = key === "perVolumeGigabytes" ? 0 : (used[key as keyof typeof used] ?? 0);
          set[apiKey] = withUsage ? { limit, in_use: inUse, reserved: 0 } : limit;
        }
        return sendJson(reply, 200, { quota_set: set });
      },
    },
    {
      method: "GET",
      path: "/os-quota-sets/:targetProjectId/defaults",
      handler: (request, reply) => {
        const view = viewOf(request);
        const { targetProjectId } = request.params as { targetProjectId: string };
        const { limits } = cloud.quotaUsage(view.ctx, targetProjectId);
        const set: Record<string, unknown> = { id: targetProjectId };
        for (const [key, apiKey] of QUOTA_KEYS) set[apiKey] = limits[key];
        return sendJson(reply, 200, { quota_set: set });
      },
    },
    {
      method: "PUT",
      path: "/os-quota-sets/:targetProjectId",
      handler: (request, reply) => {
        const view = viewOf(request);
        const { targetProjectId } = request.params as { targetProjectId: string };
        const body = parseBody(quotaUpdate, request.body).quota_set;
        const patch: Partial<QuotaSet> = {};
        for (const [apiKey, value] of Object.entries(body)) {
          const entry = QUOTA_KEYS.find(([, k]) => k === apiKey);
          if (!entry) {
            if (apiKey === "tenant_id" || apiKey === "id") continue;
            throw new ApiFault(400, `Invalid input received: Bad key(s) in quota set: ${apiKey}`);
          }
          patch[entry[0]] = Number(value);
        }
        const limits = cloud.setQuotas(view.ctx, targetProjectId, patch);
        const set: Record<string, unknown> = {};
        for (const [key, apiKey] of QUOTA_KEYS) set[apiKey] = limits[key];
        return sendJson(reply, 200, { quota_set: set });
      },
    },
  ];
}
