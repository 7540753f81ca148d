// Renders model objects as Cinder 21 does, per microversion and per caller (admin-only
// fields). Sources: cinder/api/v2/views/{volumes,backups}.py and their v3 subclasses,
// cinder/api/v3/views/attachments.py, cinder/api/contrib/*_attribute.py.
import type {
  AbsoluteLimits,
  Attachment,
  AvailabilityZone,
  Backup,
  RequestContext,
  Service,
  Transfer,
  Volume,
  VolumeType,
} from "../../model/index.js";
import { isoMicro } from "../http.js";
import type { ApiVersion } from "../microversion.js";
import { type LinkBase, resourceLinks } from "./links.js";

export interface ViewContext {
  version: ApiVersion;
  ctx: RequestContext;
  links: LinkBase;
}

const time = (d: Date | null | undefined): string | null => (d ? isoMicro(d) : null);

// The API shows the internal managing statuses as their public counterparts.
const DISPLAY_STATUS: Record<string, string> = {
  managing: "creating",
  error_managing: "error",
  error_managing_deleting: "deleting",
};

export function volumeSummary(view: ViewContext, volume: Volume) {
  return { id: volume.id, links: resourceLinks(view.links, "volumes", volume.id), name: volume.name };
}

// cinder/utils.py add_visible_admin_metadata: readonly and attached_mode (admin metadata)
// show in every reader's metadata; the user's own keys come first
const VISIBLE_ADMIN_METADATA = ["readonly", "attached_mode"];

function visibleMetadata(volume: Volume): Record<string, string> {
  const out = { ...volume.metadata };
  for (const key of VISIBLE_ADMIN_METADATA) {
    const value = volume.adminMetadata[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function volumeAttachments(view: ViewContext, volume: Volume) {
  return volume.attachments
    .filter((a) => a.attachStatus === "attached")
    .map((a) => ({
      id: volume.id,
      attachment_id: a.id,
      volume_id: volume.id,
      server_id: a.instanceUuid,
      host_name: view.ctx.isAdmin ? a.attachedHost : null,
      device: a.mountpoint,
      attached_at: time(a.attachTime),
    }));
}

/**
 * The detail view. `extensions` adds the os-vol-* attributes and volume_image_metadata,
 * which Cinder's extension controllers add on show and detail list but not on the
 * create and update responses.
 */
export function volumeDetail(
  view: ViewContext,
  volume: Volume,
  typeName: string | null,
  extensions: boolean,
): Record<string, unknown> {
  const { version, ctx } = view;
  const out: Record<string, unknown> = {
    id: volume.id,
    status: DISPLAY_STATUS[volume.status] ?? volume.status,
    size: volume.size,
    availability_zone: volume.availabilityZone,
    created_at: time(volume.createdAt),
    updated_at: time(volume.updatedAt),
    attachments: volumeAttachments(view, volume),
    name: volume.name,
    description: volume.description,
    volume_type: typeName,
    snapshot_id: volume.snapshotId,
    source_volid: volume.sourceVolid,
    metadata: visibleMetadata(volume),
    links: resourceLinks(view.links, "volumes", volume.id),
    user_id: volume.userId,
    bootable: volume.bootable ? "true" : "false",
    encrypted: volume.encrypted,
    replication_status: volume.replicationStatus,
    consistencygroup_id: volume.consistencygroupId,
    multiattach: volume.multiattach,
  };
  if (ctx.isAdmin) out.migration_status = volume.migrationStatus;
  if (version.atLeast(13)) out.group_id = volume.groupId;
  if (version.atLeast(21) && ctx.isAdmin) out.provider_id = volume.providerId;
  if (version.atLeast(48)) {
    out.shared_targets = version.atLeast(69) ? volume.sharedTargets : (volume.sharedTargets ?? true);
    out.service_uuid = volume.serviceUuid;
  }
  if (version.atLeast(61) && ctx.isAdmin) out.cluster_name = volume.clusterName;
  if (version.atLeast(63)) out.volume_type_id = volume.volumeTypeId;
  if (version.atLeast(64) && volume.encryptionKeyId && !/^0+(-0+)*$/.test(volume.encryptionKeyId)) {
    out.encryption_key_id = volume.encryptionKeyId;
  }
  if (version.atLeast(65)) out.consumes_quota = volume.consumesQuota;
  if (extensions) {
    if (ctx.isAdmin) {
      out["os-vol-host-attr:host"] = volume.host;
      out["os-vol-mig-status-attr:migstat"] = volume.migrationStatus;
      out["os-vol-mig-status-attr:name_id"] = volume.nameId;
    }
    out["os-vol-tenant-attr:tenant_id"] = volume.projectId;
    if (Object.keys(volume.glanceMetadata).length > 0) out.volume_image_metadata = volume.glanceMetadata;
  }
  return out;
}

export function backupSummary(view: ViewContext, backup: Backup) {
  return { id: backup.id, links: resourceLinks(view.links, "backups", backup.id), name: backup.name };
}

export function backupDetail(view: ViewContext, backup: Backup): Record<string, unknown> {
  const { version, ctx } = view;
  const out: Record<string, unknown> = {
    id: backup.id,
    status: backup.status,
    size: backup.size,
    object_count: backup.objectCount,
    availability_zone: backup.availabilityZone,
    container: backup.container,
    created_at: time(backup.createdAt),
    updated_at: time(backup.updatedAt),
    name: backup.name,
    description: backup.description,
    fail_reason: backup.failReason,
    volume_id: backup.volumeId,
    links: resourceLinks(view.links, "backups", backup.id),
    is_incremental: backup.parentId !== null,
    has_dependent_backups: backup.numDependentBackups > 0,
    snapshot_id: backup.snapshotId,
    data_timestamp: time(backup.dataTimestamp),
  };
  if (version.atLeast(18) && ctx.isAdmin) out["os-backup-project-attr:project_id"] = backup.projectId;
  if (version.atLeast(43)) out.metadata = backup.metadata;
  if (version.atLeast(56) && ctx.isAdmin) out.user_id = backup.userId;
  if (version.atLeast(64) && backup.encryptionKeyId) out.encryption_key_id = backup.encryptionKeyId;
  return out;
}

export function attachmentSummary(attachment: Attachment) {
  return {
    id: attachment.id,
    status: attachment.attachStatus,
    instance: attachment.instanceUuid,
    volume_id: attachment.volumeId,
  };
}

export function attachmentDetail(attachment: Attachment) {
  return {
    ...attachmentSummary(attachment),
    attached_at: attachment.attachTime ? attachment.attachTime.toISOString().replace("Z", "+00:00") : null,
    detached_at: attachment.detachTime ? attachment.detachTime.toISOString().replace("Z", "+00:00") : null,
    attach_mode: attachment.attachMode,
    connection_info: attachment.connectionInfo ?? {},
  };
}

export function transferView(view: ViewContext, transfer: Transfer, detail: boolean) {
  const out: Record<string, unknown> = {
    id: transfer.id,
    name: transfer.name,
    volume_id: transfer.volumeId,
    links: resourceLinks(view.links, "os-volume-transfer", transfer.id),
  };
  if (detail) out.created_at = time(transfer.createdAt);
  if (view.version.atLeast(55)) out.no_snapshots = transfer.noSnapshots;
  if (view.version.atLeast(57)) {
    out.destination_project_id = transfer.destinationProjectId;
    out.source_project_id = transfer.sourceProjectId;
    out.accepted = transfer.accepted;
  }
  return out;
}

export function volumeTypeView(view: ViewContext, type: VolumeType) {
  const out: Record<string, unknown> = {
    id: type.id,
    name: type.name,
    is_public: type.isPublic,
    description: type.description,
  };
  if (view.ctx.isAdmin) {
    out.extra_specs = type.extraSpecs;
    out.qos_specs_id = type.qosSpecsId;
  }
  out["os-volume-type-access:is_public"] = type.isPublic;
  return out;
}

export function availabilityZoneView(zone: AvailabilityZone) {
  return { zoneName: zone.name, zoneState: { available: zone.available } };
}

export function serviceView(view: ViewContext, service: Service) {
  const out: Record<string, unknown> = {
    binary: service.binary,
    host: service.host,
    zone: service.zone,
    status: service.status,
    state: service.state,
    updated_at: time(service.updatedAt),
  };
  if (view.version.atLeast(7)) out.cluster = service.clusterName;
  out.disabled_reason = service.disabledReason;
  if (service.binary === "cinder-volume") {
    out.replication_status = service.replicationStatus;
    out.active_backend_id = service.activeBackendId;
    out.frozen = service.frozen;
    if (view.version.atLeast(49)) out.backend_state = service.state === "up" ? "up" : "down";
  }
  return out;
}

export function limitsView(limits: AbsoluteLimits) {
  return {
    limits: {
      rate: [],
      absolute: {
        totalSnapshotsUsed: limits.totalSnapshotsUsed,
        maxTotalBackups: limits.maxTotalBackups,
        maxTotalVolumeGigabytes: limits.maxTotalVolumeGigabytes,
        maxTotalSnapshots: limits.maxTotalSnapshots,
        maxTotalBackupGigabytes: limits.maxTotalBackupGigabytes,
        totalBackupGigabytesUsed: limits.totalBackupGigabytesUsed,
        maxTotalVolumes: limits.maxTotalVolumes,
        totalVolumesUsed: limits.totalVolumesUsed,
        totalBackupsUsed: limits.totalBackupsUsed,
        totalGigabytesUsed: limits.totalGigabytesUsed,
      },
    },
  };
}
