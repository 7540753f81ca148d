// /backups: create, show, list, detail, update (3.9+), delete, restore, export_record,
// import_record and the backup actions (os-reset_status, os-force_delete).
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import type { Backup } from "../../model/index.js";
import { sendJson, sendJsonBytes } from "../http.js";
import { parseBody } from "../validation.js";
import { stateOf, viewOf, viewVariant } from "./context.js";
import { collectionLinks } from "./links.js";
import { parseListQuery } from "./query.js";
import { actionOf, type CinderRoute, noSuchAction, type RouteDeps } from "./routes.js";
import { backupCreateBody, backupImportBody, backupRestoreBody, backupUpdateBody } from "./schemas.js";
import { backupDetail, backupSummary } from "./views.js";

const resetStatus = z.object({ status: z.string() }).strict();

/**
 * The list document as bytes: each backup's text comes from the row text cache, and the
 * whole document is reused while every part of it is the same text.
 */
function renderList(request: FastifyRequest, deps: RouteDeps, detail: boolean): Buffer {
  const view = viewOf(request);
  const { options, limit, withCount } = parseListQuery(
    (request.query ?? {}) as Record<string, unknown>,
    view.version,
  );
  const backups = deps.cloud.listBackups(view.ctx, options);
  const variant = viewVariant(request);
  const rowVariant = `${detail ? "backup detail row" : "backup summary row"}\n${variant}`;
  const render = detail
    ? (b: Backup) => JSON.stringify(backupDetail(view, b))
    : (b: Backup) => JSON.stringify(backupSummary(view, b));
  const items = backups.map((b) => deps.rowTexts.text(b, rowVariant, null, render));
  // the same text JSON.stringify gives for { backups, backups_links?, count? }
  let tail = "]";
  const links = collectionLinks(view.links, detail ? "backups/detail" : "backups", backups, limit);
  if (links.length > 0) tail += `,"backups_links":${JSON.stringify(links)}`;
  if (withCount) {
    const { limit: _l, marker: _m, offset: _o, ...countOptions } = options;
    tail += `,"count":${JSON.stringify(deps.cloud.countBackups(view.ctx, countOptions))}`;
  }
  return deps.listDocuments.body(`${variant}\n${request.url}`, '{"backups":[', items, `${tail}}`);
}

export function backupRoutes(deps: RouteDeps): CinderRoute[] {
  const { cloud } = deps;
  return [
    {
      method: "POST",
      path: "/backups",
      handler: (request, reply) => {
        const view = viewOf(request);
        const { backup: b } = parseBody(
          backupCreateBody(view.version.atLeast(43), view.version.atLeast(51)),
          request.body,
        );
        const fields = b as typeof b & {
          metadata?: Record<string, string> | null;
          availability_zone?: string | null;
        };
        const backup = cloud.createBackup(view.ctx, {
          volumeId: b.volume_id,
          name: b.name ?? null,
          description: b.description ?? null,
          incremental: b.incremental ?? false,
          force: b.force ?? false,
          snapshotId: b.snapshot_id ?? null,
          container: b.container ?? null,
          metadata: fields.metadata ?? null,
          availabilityZone: fields.availability_zone ?? null,
        });
        return sendJson(reply, 202, { backup: backupSummary(view, backup) });
      },
    },
    {
      method: "GET",
      path: "/backups",
      handler: (request, reply) => sendJsonBytes(reply, 200, renderList(request, deps, false)),
    },
    {
      method: "GET",
      path: "/backups/detail",
      handler: (request, reply) => sendJsonBytes(reply, 200, renderList(request, deps, true)),
    },
    {
      method: "GET",
      path: "/backups/:backupId",
      handler: (request, reply) => {
        const { backupId } = request.params as { backupId: string };
        const backup = cloud.getBackup(stateOf(request).ctx, backupId);
        const body = deps.rowTexts.text(backup, `backup show\n${viewVariant(request)}`, null, (b) =>
          Buffer.from(JSON.stringify({ backup: backupDetail(viewOf(request), b) })),
        );
        return sendJsonBytes(reply, 200, body);
      },
    },
    {
      method: "PUT",
      path: "/backups/:backupId",
      minVersion: 9,
      handler: (request, reply) => {
        const view = viewOf(request);
        const { backupId } = request.params as { backupId: string };
        const { backup: b } = parseBody(backupUpdateBody(view.version.atLeast(43)), request.body);
        const patch: {
          name?: string | null;
          description?: string | null;
          metadata?: Record<string, string>;
        } = {};
        if ("name" in b) patch.name = b.name ?? null;
        if ("description" in b) patch.description = b.description ?? null;
        const meta = (b as { metadata?: Record<string, string> | null }).metadata;
        if (meta) patch.metadata = meta;
        const backup = cloud.updateBackup(view.ctx, backupId, patch);
        return sendJson(reply, 200, { backup: backupSummary(view, backup) });
      },
    },
    {
      method: "DELETE",
      path: "/backups/:backupId",
      handler: (request, reply) => {
        const view = viewOf(request);
        const { backupId } = request.params as { backupId: string };
        cloud.deleteBackup(view.ctx, backupId);
        return reply.code(202).send();
      },
    },
    {
      method: "POST",
      path: "/backups/:backupId/restore",
      handler: (request, reply) => {
        const view = viewOf(request);
        const { backupId } = request.params as { backupId: string };
        const { restore } = parseBody(backupRestoreBody, request.body);
        const result = cloud.restoreBackup(view.ctx, backupId, {
          volumeId: restore?.volume_id ?? null,
          name: restore?.name ?? null,
        });
        return sendJson(reply, 202, {
          restore: { backup_id: result.backupId, volume_id: result.volumeId, volume_name: result.volumeName },
        });
      },
    },
    {
      method: "GET",
      path: "/backups/:backupId/export_record",
      handler: (request, reply) => {
        const view = viewOf(request);
        const { backupId } = request.params as { backupId: string };
        const record = cloud.exportRecord(view.ctx, backupId);
        return sendJson(reply, 200, {
          "backup-record": { backup_service: record.backupService, backup_url: record.backupUrl },
        });
      },
    },
    {
      method: "POST",
      path: "/backups/import_record",
      handler: (request, reply) => {
        const view = viewOf(request);
        const record = parseBody(backupImportBody, request.body)["backup-record"];
        const backup = cloud.importRecord(view.ctx, record.backup_service, record.backup_url);
        return sendJson(reply, 201, { backup: backupSummary(view, backup) });
      },
    },
    {
      method: "POST",
      path: "/backups/:backupId/action",
      handler: (request, reply) => {
        const view = viewOf(request);
        const { backupId } = request.params as { backupId: string };
        const { name, args } = actionOf(request.body);
        switch (name) {
          case "os-reset_status": {
            const parsed = parseBody(z.object({ "os-reset_status": resetStatus }), { [name]: args });
            cloud.resetBackupStatus(view.ctx, backupId, parsed["os-reset_status"].status);
            return reply.code(202).send();
          }
          case "os-force_delete":
            cloud.deleteBackup(view.ctx, backupId, { force: true });
            return reply.code(202).send();
          default:
            throw noSuchAction(name);
        }
      },
    },
  ];
}
