// Cinder's faults, one class per rule, carrying the HTTP status, the fault key of the error
// body and the message exactly as Cinder 21 renders it. The API's single error handler turns
// any CinderFault into `{"<faultName>": {"code": status, "message": message}}` (+ retryAfter
// "0" and a Retry-After header for 413).

export type FaultName =
  | "badRequest"
  | "unauthorized"
  | "forbidden"
  | "itemNotFound"
  | "badMethod"
  | "conflictingRequest"
  | "overLimit"
  | "badMediaType"
  | "notImplemented"
  | "serviceUnavailable"
  | "computeFault";

/** cinder/api/openstack/wsgi.py Fault._fault_names; every other code is computeFault. */
export function faultNameFor(status: number): FaultName {
  switch (status) {
    case 400:
      return "badRequest";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "itemNotFound";
    case 405:
      return "badMethod";
    case 409:
      return "conflictingRequest";
    case 413:
      return "overLimit";
    case 415:
      return "badMediaType";
    case 501:
      return "notImplemented";
    case 503:
      return "serviceUnavailable";
    default:
      return "computeFault";
  }
}

export class CinderFault extends Error {
  readonly status: number;
  readonly faultName: FaultName;
  constructor(status: number, message: string) {
    super(message);
    this.name = new.target.name;
    this.status = status;
    this.faultName = faultNameFor(status);
  }
  /** the error body Cinder answers with */
  toBody(): Record<string, { code: number; message: string; retryAfter?: string }> {
    const inner: { code: number; message: string; retryAfter?: string } = {
      code: this.status,
      message: this.message,
    };
    if (this.status === 413) inner.retryAfter = "0";
    return { [this.faultName]: inner };
  }
}

// 400: a webob HTTPBadRequest raised with an explanation (no "Invalid ...:" prefix)
export class BadRequest extends CinderFault {
  constructor(message: string) {
    super(400, message);
  }
}

// 400 family: cinder.exception.Invalid subclasses, message "Invalid <thing>: <reason>"
export class InvalidInput extends CinderFault {
  readonly reason: string;
  constructor(reason: string) {
    super(400, `Invalid input received: ${reason}`);
    this.reason = reason;
  }
}
export class InvalidVolume extends CinderFault {
  readonly reason: string;
  constructor(reason: string) {
    super(400, `Invalid volume: ${reason}`);
    this.reason = reason;
  }
}
export class InvalidBackup extends CinderFault {
  readonly reason: string;
  constructor(reason: string) {
    super(400, `Invalid backup: ${reason}`);
    this.reason = reason;
  }
}
export class InvalidSnapshot extends CinderFault {
  readonly reason: string;
  constructor(reason: string) {
    super(400, `Invalid snapshot: ${reason}`);
    this.reason = reason;
  }
}
export class InvalidAuthKey extends CinderFault {
  constructor(reason: string) {
    super(400, `Invalid auth key: ${reason}`);
  }
}
export class InvalidVolumeAttachMode extends CinderFault {
  constructor(mode: string, volumeId: string) {
    super(400, `Invalid attaching mode '${mode}' for volume ${volumeId}.`);
  }
}

// 403
export class PolicyNotAuthorized extends CinderFault {
  readonly action: string;
  constructor(action: string) {
    super(403, `Policy doesn't allow ${action} to be performed.`);
    this.action = action;
  }
}

// 404 family: cinder.exception.NotFound subclasses
export class NotFound extends CinderFault {
  constructor(message = "The resource could not be found.") {
    super(404, message);
  }
}
export class VolumeNotFound extends NotFound {
  constructor(readonly volumeId: string) {
    super(`Volume ${volumeId} could not be found.`);
  }
}
export class BackupNotFound extends NotFound {
  constructor(readonly backupId: string) {
    super(`Backup ${backupId} could not be found.`);
  }
}
export class SnapshotNotFound extends NotFound {
  constructor(readonly snapshotId: string) {
    super(`Snapshot ${snapshotId} could not be found.`);
  }
}
export class TransferNotFound extends NotFound {
  constructor(readonly transferId: string) {
    super(`Transfer ${transferId} could not be found.`);
  }
}
export class VolumeTypeNotFoundByName extends NotFound {
  constructor(readonly volumeTypeName: string) {
    super(`Volume type with name ${volumeTypeName} could not be found.`);
  }
}
export class VolumeTypeNotFound extends NotFound {
  constructor(readonly volumeTypeId: string) {
    super(`Volume type ${volumeTypeId} could not be found.`);
  }
}
export class VolumeAttachmentNotFound extends NotFound {
  constructor(filter: string) {
    super(`Volume attachment could not be found with filter: ${filter}.`);
  }
}
export class VolumeMetadataNotFound extends NotFound {
  constructor(volumeId: string, key: string) {
    super(`Volume ${volumeId} has no metadata with key ${key}.`);
  }
}
export class MarkerNotFound extends NotFound {
  constructor(readonly marker: string) {
    super(`Marker ${marker} could not be found.`);
  }
}
/** delete, restore, export and reset-status look a backup host up in the API: 404 when none is up. */
export class ServiceNotFound extends NotFound {
  constructor(readonly serviceId: string) {
    super(`Service ${serviceId} could not be found.`);
  }
}

// 405
export class NotSupportedOperation extends CinderFault {
  constructor(operation: string) {
    super(405, `Operation not supported: ${operation}.`);
  }
}

// 413: quota errors reach the fault middleware, which prefixes the exception class name
export class QuotaFault extends CinderFault {
  /** the message without the "<Class>: " prefix (backup restore answers with this one) */
  readonly plainMessage: string;
  constructor(className: string, plainMessage: string, prefixed = true) {
    super(413, prefixed ? `${className}: ${plainMessage}` : plainMessage);
    this.plainMessage = plainMessage;
  }
}
export class VolumeLimitExceeded extends QuotaFault {
  constructor(allowed: number, prefixed = true) {
    super(
      "VolumeLimitExceeded",
      `Maximum number of volumes allowed (${allowed}) exceeded for quota 'volumes'.`,
      prefixed,
    );
  }
}
export class VolumeSizeExceedsAvailableQuota extends QuotaFault {
  constructor(requested: number, quota: number, consumed: number, prefixed = true) {
    super(
      "VolumeSizeExceedsAvailableQuota",
      `Requested volume or snapshot exceeds allowed gigabytes quota. Requested ${requested}G, quota is ${quota}G and ${consumed}G has been consumed.`,
      prefixed,
    );
  }
}
export class SnapshotLimitExceeded extends QuotaFault {
  constructor(allowed: number) {
    super("SnapshotLimitExceeded", `Maximum number of snapshots allowed (${allowed}) exceeded`);
  }
}
export class BackupLimitExceeded extends QuotaFault {
  constructor(allowed: number) {
    super("BackupLimitExceeded", `Maximum number of backups allowed (${allowed}) exceeded`);
  }
}
export class VolumeBackupSizeExceedsAvailableQuota extends QuotaFault {
  constructor(requested: number, quota: number, consumed: number) {
    super(
      "VolumeBackupSizeExceedsAvailableQuota",
      `Requested backup exceeds allowed Backup gigabytes quota. Requested ${requested}G, quota is ${quota}G and ${consumed}G has been consumed.`,
    );
  }
}

// 503
export class ServiceUnavailable extends CinderFault {
  constructor(message: string) {
    super(503, message);
  }
}

/** An HTTP error injected by a fault rule: rendered like any other fault. */
export class InjectedFault extends CinderFault {
  constructor(status: number, message: string) {
    super(status, message);
  }
}
