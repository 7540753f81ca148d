// CinderCloud: one fake Cinder 21 deployment (api + scheduler + volume + backup services).
// The synchronous methods are the API half: they check Cinder's rules, change state and
// schedule the manager half on the clock. The manager half (driver calls on RbdBackend)
// runs when its step fires; `settled()` awaits it. No method sleeps.
import { createHash, randomUUID } from "node:crypto";
import type { RbdBackend } from "@cinderlab/fake-rbd";
import { type Clock, DEFAULT_DELAYS, type Delays, ManualClock, type ScheduledTask } from "../clock/index.js";
import { CEPH_BACKUP_SERVICE, CephBackupDriver, PIKE_CEPH_BACKUP_SERVICE } from "../drivers/ceph-backup.js";
import { radosObjectsFor } from "../drivers/rados.js";
import { RbdVolumeDriver } from "../drivers/rbd-volume.js";
import type { BackupDriver, SavedVolumeMetadata } from "../drivers/types.js";
import {
  defaultHttpFaultMessage,
  type FaultOperation,
  FaultPlan,
  type FaultTarget,
} from "../faults/index.js";
import {
  BackupNotFound,
  BadRequest,
  CinderFault,
  InjectedFault,
  InvalidAuthKey,
  InvalidBackup,
  InvalidInput,
  InvalidSnapshot,
  InvalidVolume,
  NotSupportedOperation,
  PolicyNotAuthorized,
  QuotaFault,
  ServiceNotFound,
  ServiceUnavailable,
  SnapshotNotFound,
  TransferNotFound,
  VolumeAttachmentNotFound,
  VolumeMetadataNotFound,
  VolumeNotFound,
  VolumeTypeNotFound,
  VolumeTypeNotFoundByName,
} from "./errors.js";
import {
  checkBackupQuota,
  checkExtendQuota,
  checkSnapshotQuota,
  checkVolumeQuota,
  DEFAULT_QUOTAS,
} from "./quotas.js";
import { decodeRecord, encodeRecord, parseRecordTime } from "./record.js";
import {
  boolFromString,
  insertSorted,
  oldestFirst,
  orStr,
  pageNewestFirst,
  paginate,
  pyList,
  pyTuple,
  randomString,
  removeSorted,
  visible,
} from "./rules.js";
import { BACKUP_DELETABLE, TRANSITIONS, VOLUME_BACKUPABLE, VOLUME_DELETABLE } from "./transitions.js";
import {
  type AbsoluteLimits,
  type Attachment,
  type AvailabilityZone,
  type Backup,
  type BackupStatus,
  type ListOptions,
  type QuotaSet,
  type QuotaUsage,
  type ReleaseProfile,
  type RequestContext,
  type Service,
  type ServiceBinary,
  type Snapshot,
  type Transfer,
  VOLUME_STATUSES,
  type Volume,
  type VolumeType,
} from "./types.js";

export type IdGenerator = () => string;

export interface CinderCloudOptions {
  /** the cluster's name ("a", "b"); used in fault matching and events */
  name: string;
  clock: Clock;
  /** the cluster's own Ceph, holding the volume pool */
  rbd: RbdBackend;
  volumePool: string;
  /** Ceph cluster name of the volume pool on rbd (default "ceph") */
  volumeCluster?: string;
  /** the shared backup Ceph */
  backupRbd: RbdBackend;
  /** backup_ceph_pool (Cinder's default "backups") */
  backupPool: string;
  /** Ceph cluster name of the backup pool on backupRbd (default "ceph") */
  backupCluster?: string;
  /** "zed" (default) or "pike" (every backup of a volume on volume-<vid>.backup.base) */
  release?: ReleaseProfile;
  ids?: IdGenerator;
  faults?: FaultPlan;
  delays?: Partial<Delays>;
  /** default quotas for every project */
  quotas?: Partial<QuotaSet>;
  /** service host name (default "<name>-controller") */
  host?: string;
  availabilityZones?: string[];
  /** extra volume types besides __DEFAULT__ */
  volumeTypes?: Array<Pick<VolumeType, "name"> & Partial<VolumeType>>;
  /** store for RADOS objects (backup.<bid>.meta) of the backup pool; shared per backupRbd by default */
  backupObjects?: RadosObjectStore;
}

export type { RadosObjectStore } from "../drivers/rados.js";

import type { RadosObjectStore } from "../drivers/rados.js";

export interface CreateVolumeRequest {
  size?: number | null;
  name?: string | null;
  description?: string | null;
  /** a type name or id */
  volumeType?: string | null;
  availabilityZone?: string | null;
  metadata?: Record<string, string> | null;
  bootable?: boolean;
  backupId?: string | null;
  snapshotId?: string | null;
  sourceVolid?: string | null;
}

export interface UpdateVolumeRequest {
  name?: string | null;
  description?: string | null;
  metadata?: Record<string, string>;
}

export interface ResetVolumeStatusRequest {
  status?: string;
  attachStatus?: string;
  migrationStatus?: string;
}

export interface CreateAttachmentRequest {
  volumeId: string;
  instanceUuid?: string | null;
  connector?: Record<string, unknown> | null;
  mode?: "rw" | "ro";
}

export interface OsAttachRequest {
  instanceUuid?: string | null;
  hostName?: string | null;
  mountpoint: string;
  mode?: "rw" | "ro";
}

export interface CreateBackupRequest {
  volumeId: string;
  name?: string | null;
  description?: string | null;
  incremental?: boolean;
  force?: boolean;
  snapshotId?: string | null;
  container?: string | null;
  metadata?: Record<string, string> | null;
  availabilityZone?: string | null;
}

export interface UpdateBackupRequest {
  name?: string | null;
  description?: string | null;
  metadata?: Record<string, string>;
}

export interface RestoreBackupRequest {
  volumeId?: string | null;
  name?: string | null;
}

export interface RestoreResult {
  backupId: string;
  volumeId: string;
  /** the target's display_name before the restore (null for an unnamed volume, as in Cinder) */
  volumeName: string | null;
}

export interface BackupRecord {
  backupService: string;
  backupUrl: string;
}

export interface CreateSnapshotRequest {
  volumeId: string;
  name?: string | null;
  description?: string | null;
  force?: boolean;
  metadata?: Record<string, string> | null;
}

export type CloudEvent =
  | { kind: "volume"; id: string; from: string | null; to: string | null; at: Date }
  | { kind: "backup"; id: string; from: string | null; to: string | null; at: Date }
  | { kind: "snapshot"; id: string; from: string | null; to: string | null; at: Date }
  | { kind: "service"; id: string; from: string | null; to: string | null; at: Date };

export interface CloudDump {
  name: string;
  release: ReleaseProfile;
  volumes: Volume[];
  backups: Backup[];
  snapshots: Snapshot[];
  transfers: Transfer[];
  services: Service[];
}

/** volume_id of an imported backup while the import runs (cinder/backup/api.py) */
/** what a cinder-backup restart's cleanup did to one backup */
export interface BackupCleanup {
  backupId: string;
  from: BackupStatus;
  to: BackupStatus;
  /** what the cleanup raised (Cinder logs "Problem cleaning up backup") and left the backup as it was */
  problem: string | null;
}

export const IMPORT_VOLUME_ID = "00000000-0000-0000-0000-000000000000";
const GiB = 1024 ** 3;

const clone = <T>(value: T): T => structuredClone(value);

interface StepFailure {
  /** fail_reason recorded on the backup (str(exc) in Cinder, truncated to 255) */
  reason: string;
}

export class CinderCloud {
  readonly #name: string;
  readonly #clock: Clock;
  readonly #release: ReleaseProfile;
  readonly #ids: IdGenerator;
  #defaultTypeId: string | undefined;
  readonly #faults: FaultPlan;
  readonly #delays: Delays;
  readonly #defaultQuotas: QuotaSet;
  readonly #host: string;
  readonly #azs: string[];
  readonly #extraTypes: VolumeType[];
  readonly #volumeDriver: RbdVolumeDriver;
  readonly #backupDriver: BackupDriver;
  readonly #options: CinderCloudOptions;

  #volumes = new Map<string, Volume>();
  /**
   * rows oldest first by (created_at, id), the default list order reversed, kept up to date on
   * create and delete so a default list walks it instead of sorting; undefined = rebuild
   */
  #volumeOrder: Volume[] | undefined;
  #backupOrder: Backup[] | undefined;
  /** per-project quota usage, kept current by #account* so a quota check is O(1) */
  #usage = new Map<string, QuotaUsage>();
  /** what each counted row adds to #usage now, so re-counting a changed row is exact */
  #counted = new Map<object, { projectId: string; usage: Partial<QuotaUsage> }>();
  /** includes soft-deleted rows (status "deleted"), which an import may revive */
  #backups = new Map<string, Backup>();
  #snapshots = new Map<string, Snapshot>();
  #transfers = new Map<string, Transfer>();
  #attachmentVolume = new Map<string, string>();
  #services: Service[] = [];
  #volumeTypes: VolumeType[] = [];
  #projectQuotas = new Map<string, Partial<QuotaSet>>();
  #listeners = new Set<(event: CloudEvent) => void>();
  #tasks = new Set<ScheduledTask>();
  /** which operation each pending task is the manager half of (a service restart drops its own) */
  #taskOps = new Map<ScheduledTask, FaultOperation>();
  #inflight = new Set<Promise<void>>();
  #idleWaiters: Array<() => void> = [];
  #generation = 0;
  /** errors thrown by driver work that Cinder would only log (kept for tests and the lab) */
  readonly stepErrors: unknown[] = [];

  constructor(options: CinderCloudOptions) {
    this.#options = options;
    this.#name = options.name;
    this.#clock = options.clock;
    this.#release = options.release ?? "zed";
    this.#ids = options.ids ?? randomUUID;
    this.#faults = options.faults ?? new FaultPlan();
    this.#delays = { ...DEFAULT_DELAYS, ...options.delays };
    this.#defaultQuotas = { ...DEFAULT_QUOTAS, ...options.quotas };
    this.#host = options.host ?? `${options.name}-controller`;
    this.#azs = options.availabilityZones ?? ["nova"];
    this.#extraTypes = (options.volumeTypes ?? []).map((t) => ({
      id: t.id ?? this.#ids(),
      name: t.name,
      description: t.description ?? null,
      isPublic: t.isPublic ?? true,
      extraSpecs: t.extraSpecs ?? {},
      qosSpecsId: t.qosSpecsId ?? null,
    }));
    this.#volumeDriver = new RbdVolumeDriver(options.rbd, options.volumePool, options.volumeCluster);
    this.#backupDriver = new CephBackupDriver({
      rbd: options.backupRbd,
      pool: options.backupPool,
      cluster: options.backupCluster,
      release: this.#release,
      clock: this.#clock,
      objects: options.backupObjects ?? radosObjectsFor(options.backupRbd, options.backupCluster),
    });
    this.#initState();
  }

  get name(): string {
    return this.#name;
  }
  get release(): ReleaseProfile {
    return this.#release;
  }
  get faults(): FaultPlan {
    return this.#faults;
  }
  get clock(): Clock {
    return this.#clock;
  }
  get host(): string {
    return this.#host;
  }
  get backupServiceName(): string {
    return this.#backupDriver.serviceName;
  }
  get volumePool(): string {
    return this.#options.volumePool;
  }
  get backupPool(): string {
    return this.#options.backupPool;
  }
  volumeImageRef(volumeId: string): { cluster?: string; pool: string; image: string } {
    return this.#volumeDriver.imageRef(volumeId);
  }

  #initState(): void {
    const now = this.#clock.now();
    // each deployment's `cinder-manage db sync` makes its own __DEFAULT__ type: A and B
    // differ (recorded, test/parity); a reset keeps it, as a database would
    this.#defaultTypeId ??= randomUUID();
    this.#volumeTypes = [
      {
        id: this.#defaultTypeId,
        name: "__DEFAULT__",
        description: "Default Volume Type",
        isPublic: true,
        extraSpecs: {},
        qosSpecsId: null,
      },
      ...this.#extraTypes,
    ];
    const zone = this.#azs[0] ?? "nova";
    const service = (id: number, binary: ServiceBinary, host: string): Service => ({
      id,
      uuid: stableUuid(`${this.#name}/${binary}/${host}`),
      binary,
      host,
      zone,
      status: "enabled",
      state: "up",
      disabledReason: null,
      updatedAt: now,
      clusterName: null,
      replicationStatus: "disabled",
      activeBackendId: null,
      frozen: false,
    });
    this.#services = [
      service(1, "cinder-scheduler", this.#host),
      service(2, "cinder-volume", `${this.#host}@ceph`),
      service(3, "cinder-backup", this.#host),
    ];
  }

  /** back to a clean state: no volumes, backups, faults; services up; pending steps dropped */
  reset(): void {
    this.#generation++;
    for (const t of this.#tasks) t.cancel();
    this.#tasks.clear();
    this.#taskOps.clear();
    this.#notifyIdle();
    this.#volumes.clear();
    this.#backups.clear();
    this.#volumeOrder = undefined;
    this.#backupOrder = undefined;
    this.#usage.clear();
    this.#counted.clear();
    this.#snapshots.clear();
    this.#transfers.clear();
    this.#attachmentVolume.clear();
    this.#projectQuotas.clear();
    this.#faults.reset();
    this.stepErrors.length = 0;
    this.#initState();
  }

  /** resolves once no driver work is in flight (steps already due have finished) */
  async settled(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
  }

  /** steps scheduled on the clock and not yet run */
  get pendingSteps(): number {
    return this.#tasks.size;
  }

  /**
   * With a ManualClock: advances time step by step until nothing is scheduled or in flight
   * (stalled operations schedule nothing, so they stay put).
   */
  async idle(): Promise<void> {
    if (this.#clock instanceof ManualClock) return runUntilIdle([this]);
    if (this.#tasks.size === 0 && this.#inflight.size === 0) return;
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  /** stops: pending steps are dropped (a server calls this on shutdown so no timer is left) */
  close(): void {
    this.#generation++;
    for (const t of this.#tasks) t.cancel();
    this.#tasks.clear();
    this.#taskOps.clear();
    this.#notifyIdle();
  }

  #notifyIdle(): void {
    if (this.#tasks.size > 0 || this.#inflight.size > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  on(event: "change", listener: (event: CloudEvent) => void): () => void {
    if (event !== "change") throw new Error(`unknown event ${event}`);
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  dump(): CloudDump {
    return {
      name: this.#name,
      release: this.#release,
      volumes: [...this.#volumes.values()].map(clone),
      backups: [...this.#backups.values()].filter((b) => !b.deleted).map(clone),
      snapshots: [...this.#snapshots.values()].map(clone),
      transfers: [...this.#transfers.values()].map(clone),
      services: this.#services.map(clone),
    };
  }

  // ---------------------------------------------------------------- plumbing

  #emit(kind: CloudEvent["kind"], id: string, from: string | null, to: string | null): void {
    if (from === to) return;
    const event = { kind, id, from, to, at: this.#clock.now() } as CloudEvent;
    for (const l of this.#listeners) l(event);
  }

  #setVolumeStatus(volume: Volume, status: Volume["status"]): void {
    const from = volume.status;
    volume.status = status;
    volume.updatedAt = this.#clock.now();
    this.#accountVolume(volume);
    this.#emit("volume", volume.id, from, status);
  }

  #setBackupStatus(backup: Backup, status: BackupStatus): void {
    const from = backup.status;
    backup.status = status;
    backup.updatedAt = this.#clock.now();
    this.#accountBackup(backup);
    this.#emit("backup", backup.id, from, status);
  }

  #backupError(backup: Backup, reason: string, status: BackupStatus = "error"): void {
    backup.failReason = reason.slice(0, 255);
    this.#setBackupStatus(backup, status);
  }

  #target(extra: Omit<FaultTarget, "cluster"> = {}): FaultTarget {
    return { cluster: this.#name, ...extra };
  }

  /** an injected HTTP error refuses the call before anything changes */
  #httpFault(op: FaultOperation, target: FaultTarget): void {
    const rule = this.#faults.take(op, target, ["http"]);
    if (rule) throw new InjectedFault(rule.status, rule.message ?? defaultHttpFaultMessage(rule.status));
  }

  #serviceDownFault(op: FaultOperation, target: FaultTarget): boolean {
    return this.#faults.take(op, target, ["serviceDown"]) !== undefined;
  }

  /**
   * Schedules the manager half of an operation. Fault rules decide whether it stalls (never
   * scheduled), takes longer, or fails (the step gets the failure instead of running the driver).
   */
  #schedule(
    op: FaultOperation,
    target: FaultTarget,
    delayMs: number,
    step: (failure: StepFailure | undefined) => Promise<void>,
  ): void {
    if (this.#faults.take(op, target, ["stall"])) return;
    const latency = this.#faults.take(op, target, ["latency"]);
    const fail = this.#faults.take(op, target, ["fail"]);
    const generation = this.#generation;
    const task = this.#clock.schedule(delayMs + (latency?.ms ?? 0), () => {
      this.#tasks.delete(task);
      this.#taskOps.delete(task);
      if (generation !== this.#generation) return this.#notifyIdle();
      const run = step(fail ? { reason: fail.failReason } : undefined)
        .catch((err: unknown) => {
          this.stepErrors.push(err);
        })
        .finally(() => {
          this.#inflight.delete(run);
          this.#notifyIdle();
        });
      this.#inflight.add(run);
    });
    this.#tasks.add(task);
    this.#taskOps.set(task, op);
  }

  #delay(base: number, perGiB: number, size: number): number {
    return base + perGiB * size;
  }

  #backupServiceUp(): Service | undefined {
    return this.#services.find(
      (s) => s.binary === "cinder-backup" && s.status === "enabled" && s.state === "up",
    );
  }

  /** _get_available_backup_service_host: 404 ServiceNotFound(cinder-backup) when none is up */
  #requireBackupHost(op: FaultOperation, target: FaultTarget): string {
    const svc = this.#serviceDownFault(op, target) ? undefined : this.#backupServiceUp();
    if (!svc) throw new ServiceNotFound("cinder-backup");
    return svc.host;
  }

  #authorize(ctx: RequestContext, action: string): void {
    if (!ctx.isAdmin) throw new PolicyNotAuthorized(action);
  }

  // ---------------------------------------------------------------- lookups

  #volume(ctx: RequestContext, id: string): Volume {
    const v = this.#volumes.get(id);
    if (!v || !visible(ctx, v.projectId)) throw new VolumeNotFound(id);
    return v;
  }

  #backup(ctx: RequestContext, id: string): Backup {
    const b = this.#backups.get(id);
    if (!b || b.deleted || !visible(ctx, b.projectId)) throw new BackupNotFound(id);
    return b;
  }

  #snapshot(ctx: RequestContext, id: string): Snapshot {
    const s = this.#snapshots.get(id);
    if (!s || s.deleted || !visible(ctx, s.projectId)) throw new SnapshotNotFound(id);
    return s;
  }

  /** volume_types.get_by_name_or_id: a UUID-like identity that matches nothing is "type <id>" */
  #volumeType(idOrName: string): VolumeType {
    const t = this.#volumeTypes.find((vt) => vt.id === idOrName || vt.name === idOrName);
    if (t) return t;
    const uuidLike = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(idOrName);
    throw uuidLike ? new VolumeTypeNotFound(idOrName) : new VolumeTypeNotFoundByName(idOrName);
  }

  #limitsFor(projectId: string): QuotaSet {
    return { ...this.#defaultQuotas, ...this.#projectQuotas.get(projectId) };
  }

  /** usage of the project's live rows (non-deleted, quota-consuming), from the counters */
  #usageFor(projectId: string): QuotaUsage {
    const usage = this.#usage.get(projectId);
    return usage
      ? { ...usage }
      : { volumes: 0, gigabytes: 0, snapshots: 0, backups: 0, backupGigabytes: 0, groups: 0 };
  }

  /**
   * Re-counts one row: takes back what it added before and adds what it adds now (nothing
   * once gone). Idempotent, so it is called after every change that can move usage.
   */
  #account(row: object, projectId: string, now: Partial<QuotaUsage> | undefined): void {
    const before = this.#counted.get(row);
    if (before) this.#addUsage(before.projectId, before.usage, -1);
    if (now) {
      this.#addUsage(projectId, now, 1);
      this.#counted.set(row, { projectId, usage: now });
    } else if (before) {
      this.#counted.delete(row);
    }
  }

  #addUsage(projectId: string, delta: Partial<QuotaUsage>, sign: 1 | -1): void {
    let usage = this.#usage.get(projectId);
    if (!usage) {
      usage = { volumes: 0, gigabytes: 0, snapshots: 0, backups: 0, backupGigabytes: 0, groups: 0 };
      this.#usage.set(projectId, usage);
    }
    for (const key in delta) {
      const k = key as keyof QuotaUsage;
      usage[k] += sign * (delta[k] ?? 0);
    }
  }

  #accountVolume(v: Volume): void {
    const live = this.#volumes.get(v.id) === v && v.consumesQuota;
    this.#account(v, v.projectId, live ? { volumes: 1, gigabytes: v.size } : undefined);
  }

  #accountSnapshot(s: Snapshot): void {
    const live = this.#snapshots.get(s.id) === s && !s.deleted;
    this.#account(s, s.projectId, live ? { snapshots: 1, gigabytes: s.volumeSize } : undefined);
  }

  #accountBackup(b: Backup): void {
    const live = this.#backups.get(b.id) === b && !b.deleted;
    this.#account(b, b.projectId, live ? { backups: 1, backupGigabytes: b.size } : undefined);
  }

  // ---------------------------------------------------------------- volumes

  createVolume(ctx: RequestContext, req: CreateVolumeRequest): Volume {
    this.#httpFault("volume.create", this.#target());
    return this.#createVolume(ctx, req, true);
  }

  /** schedule=false: the caller makes the image itself (restore to a new volume) */
  #createVolume(ctx: RequestContext, req: CreateVolumeRequest, schedule: boolean): Volume {
    const rawSize = req.size ?? null;
    if (rawSize !== null && (!Number.isInteger(Number(rawSize)) || Number(rawSize) <= 0)) {
      throw new InvalidInput(
        `Invalid volume size provided for create request: ${rawSize} (size argument must be an integer (or string representation of an integer) and greater than zero).`,
      );
    }
    let size = rawSize === null ? null : Number(rawSize);
    let source: Volume | undefined;
    let snapshot: Snapshot | undefined;
    let backup: Backup | undefined;
    if (req.sourceVolid) {
      source = this.#volume(ctx, req.sourceVolid);
      if (!["available", "in-use"].includes(source.status)) {
        throw new InvalidVolume("Originating source volume status must be one of 'available, in-use' values");
      }
    } else if (req.snapshotId) {
      snapshot = this.#snapshot(ctx, req.snapshotId);
      if (snapshot.status !== "available") {
        throw new InvalidSnapshot("Originating snapshot status must be one of 'available' values");
      }
    }
    if (req.backupId) {
      backup = this.#backup(ctx, req.backupId);
      if (backup.status !== "available") {
        throw new InvalidBackup("Originating backup status must be one of 'available' values");
      }
    }
    if (size === null) size = source?.size ?? snapshot?.volumeSize ?? backup?.size ?? null;
    if (size === null) throw new InvalidInput("Volume size 'None' must be an integer and greater than 0");
    if (source && size < source.size) {
      throw new InvalidInput(
        `Volume size '${size}'GB cannot be smaller than original volume size  ${source.size}GB. They must be >= original volume size.`,
      );
    }
    if (snapshot && size < snapshot.volumeSize) {
      throw new InvalidInput(
        `Volume size '${size}'GB cannot be smaller than the snapshot size ${snapshot.volumeSize}GB. They must be >= original snapshot size.`,
      );
    }
    if (backup && size < backup.size) {
      throw new InvalidInput(
        `Volume size ${size}GB cannot be smaller than the backup size ${backup.size}GB. It must be >= backup size.`,
      );
    }
    const type = req.volumeType ? this.#volumeType(req.volumeType) : this.#volumeType("__DEFAULT__");
    let az = req.availabilityZone ?? null;
    if (az !== null && !this.#azs.includes(az)) throw new BadRequest(`Availability zone '${az}' is invalid.`);
    az ??= source?.availabilityZone ?? this.#azs[0] ?? "nova";
    checkVolumeQuota(this.#limitsFor(ctx.projectId), () => this.#usageFor(ctx.projectId), size);

    const now = this.#clock.now();
    const volume: Volume = {
      id: this.#ids(),
      projectId: ctx.projectId,
      userId: ctx.userId,
      name: req.name ?? null,
      description: req.description ?? null,
      size,
      status: "creating",
      attachStatus: "detached",
      previousStatus: null,
      migrationStatus: null,
      availabilityZone: az,
      volumeTypeId: type.id,
      // the API creates the row unplaced; the scheduler's save sets host (see #placeByScheduler)
      host: null,
      bootable: req.bootable ?? source?.bootable ?? false,
      encrypted: false,
      encryptionKeyId: null,
      multiattach: false,
      // the RBD driver reports a replication status only when replication is configured
      replicationStatus: null,
      consistencygroupId: null,
      groupId: null,
      snapshotId: req.snapshotId ?? null,
      sourceVolid: req.sourceVolid ?? null,
      backupId: req.backupId ?? null,
      providerId: null,
      providerLocation: null,
      sharedTargets: true,
      serviceUuid: null,
      clusterName: null,
      consumesQuota: true,
      nameId: null,
      metadata: { ...(req.metadata ?? {}) },
      adminMetadata: {},
      glanceMetadata: source ? { ...source.glanceMetadata } : {},
      attachments: [],
      createdAt: now,
      updatedAt: null,
      launchedAt: null,
      terminatedAt: null,
      deletedAt: null,
      deleted: false,
    };
    this.#volumes.set(volume.id, volume);
    if (this.#volumeOrder) insertSorted(this.#volumeOrder, volume, VOLUMES_OLDEST_FIRST);
    this.#accountVolume(volume);
    this.#emit("volume", volume.id, null, volume.status);
    if (backup) {
      backup.restoreVolumeId = volume.id;
      this.#setBackupStatus(backup, "restoring");
    }
    if (!schedule) return volume;
    const target = this.#target({ volumeId: volume.id, backupId: backup?.id ?? null });
    const from = backup;
    this.#schedule("volume.create", target, this.#delays.volumeCreate, async (failure) => {
      const t = from ? TRANSITIONS["volume.create_from_backup"] : TRANSITIONS["volume.create"];
      if (volume.status !== t.volume.from || !this.#volumes.has(volume.id)) return;
      this.#placeByScheduler(volume);
      try {
        if (failure) throw new Error(failure.reason);
        await this.#volumeDriver.createVolume(volume);
        if (source) await this.#volumeDriver.copyVolume(source.id, volume.id);
        if (snapshot) await this.#volumeDriver.copyVolume(snapshot.volumeId, volume.id, snapshot.id);
        if (from) {
          const saved = await this.#backupDriver.restore(
            from,
            volume,
            this.#volumeDriver,
            this.#parentOf(from),
          );
          this.#applySavedMetadata(volume, saved);
        }
        volume.launchedAt = this.#clock.now();
        this.#markCreatedByVolumeService(volume);
        this.#setVolumeStatus(volume, "available");
        if (from) this.#setBackupStatus(from, "available");
      } catch (err) {
        this.#setVolumeStatus(volume, "error");
        if (from) this.#setBackupStatus(from, "available");
        throw err;
      }
    });
    return volume;
  }

  /**
   * The scheduler picks the backend: one save sets host (and scheduled_at) and so stamps
   * updated_at. Until then real Cinder shows host and updated_at both null.
   */
  #placeByScheduler(volume: Volume): void {
    volume.host = `${this.#host}@ceph#ceph`;
    volume.updatedAt = this.#clock.now();
  }

  /** the volume manager records its service and the driver's shared_targets (False for RBD) */
  #markCreatedByVolumeService(volume: Volume): void {
    volume.sharedTargets = false;
    volume.serviceUuid = this.#services.find((s) => s.binary === "cinder-volume")?.uuid ?? null;
  }

  getVolume(ctx: RequestContext, id: string): Volume {
    return this.#volume(ctx, id);
  }

  #volumesOldestFirst(): Volume[] {
    this.#volumeOrder ??= [...this.#volumes.values()].sort(VOLUMES_OLDEST_FIRST);
    return this.#volumeOrder;
  }

  #filterVolumes(ctx: RequestContext, opts: ListOptions): Volume[] {
    return this.#volumesOldestFirst().filter(this.#volumeFilter(ctx, opts)).reverse();
  }

  #volumeFilter(ctx: RequestContext, opts: ListOptions): (v: Volume) => boolean {
    const all = ctx.isAdmin && opts.allTenants;
    const filters = Object.entries(opts.filters ?? {});
    return (v) => {
      if (!all && v.projectId !== ctx.projectId) return false;
      for (const [key, want] of filters) {
        if (want === undefined) continue;
        switch (key) {
          case "name":
          case "display_name":
            if (v.name !== want) return false;
            break;
          case "status":
            if (v.status !== want) return false;
            break;
          case "availability_zone":
            if (v.availabilityZone !== want) return false;
            break;
          case "bootable":
            if (v.bootable !== boolFromString(want)) return false;
            break;
          case "volume_type":
          case "volume_type_id": {
            const t = this.#volumeTypes.find((vt) => vt.id === want || vt.name === want);
            if (!t || v.volumeTypeId !== t.id) return false;
            break;
          }
          case "project_id":
            if (v.projectId !== want) return false;
            break;
          case "id":
            if (v.id !== want) return false;
            break;
          case "metadata": {
            const meta = parseMetadataFilter(want);
            // an unreadable metadata filter matches nothing rather than failing the request
            if (meta === undefined) return false;
            for (const [mk, mv] of Object.entries(meta)) if (v.metadata[mk] !== mv) return false;
            break;
          }
          default:
            // Cinder drops filters a user may not use; unknown columns are ignored here
            break;
        }
      }
      return true;
    };
  }

  listVolumes(ctx: RequestContext, opts: ListOptions = {}): Volume[] {
    if (opts.sort === undefined || opts.sort.length === 0) {
      return pageNewestFirst(this.#volumesOldestFirst(), this.#volumeFilter(ctx, opts), opts);
    }
    return paginate(this.#filterVolumes(ctx, opts), opts, volumeSortField, true);
  }

  countVolumes(ctx: RequestContext, opts: ListOptions = {}): number {
    return this.#filterVolumes(ctx, opts).length;
  }

  updateVolume(ctx: RequestContext, id: string, patch: UpdateVolumeRequest): Volume {
    const v = this.#volume(ctx, id);
    if (v.status === "maintenance")
      throw new InvalidVolume("The volume cannot be updated during maintenance.");
    if (patch.name !== undefined) v.name = patch.name;
    if (patch.description !== undefined) v.description = patch.description;
    if (patch.metadata !== undefined) v.metadata = { ...patch.metadata };
    v.updatedAt = this.#clock.now();
    return v;
  }

  /** POST (merge) or PUT (replace: true) /volumes/{id}/metadata; returns the whole metadata */
  updateVolumeMetadata(
    ctx: RequestContext,
    id: string,
    metadata: Record<string, string>,
    opts: { replace?: boolean } = {},
  ): Record<string, string> {
    const v = this.#volume(ctx, id);
    if (v.status === "maintenance" || v.status === "uploading") {
      throw new InvalidVolume(`Updating volume metadata is not allowed for volumes in ${v.status} status.`);
    }
    v.metadata = opts.replace ? { ...metadata } : { ...v.metadata, ...metadata };
    v.updatedAt = this.#clock.now();
    return v.metadata;
  }

  deleteVolumeMetadata(ctx: RequestContext, id: string, key: string): void {
    const v = this.#volume(ctx, id);
    if (v.status === "maintenance" || v.status === "uploading") {
      throw new InvalidVolume(`Deleting volume metadata is not allowed for volumes in ${v.status} status.`);
    }
    if (!(key in v.metadata)) throw new VolumeMetadataNotFound(id, key);
    delete v.metadata[key];
    v.updatedAt = this.#clock.now();
  }

  deleteVolume(ctx: RequestContext, id: string, opts: { cascade?: boolean; force?: boolean } = {}): void {
    const v = this.#volume(ctx, id);
    this.#httpFault("volume.delete", this.#target({ volumeId: id }));
    if (opts.force) this.#authorize(ctx, "volume:force_delete");
    const snaps = [...this.#snapshots.values()].filter((s) => s.volumeId === id && !s.deleted);
    const statusOk = opts.force || VOLUME_DELETABLE.includes(v.status);
    const snapsOk =
      snaps.length === 0 ||
      (opts.cascade && snaps.every((s) => ["available", "error", "deleting"].includes(s.status)));
    const attached = v.attachStatus === "attached";
    const migrating = v.migrationStatus !== null && !["success", "error"].includes(v.migrationStatus);
    if (
      !statusOk ||
      !snapsOk ||
      attached ||
      migrating ||
      v.groupId !== null ||
      v.consistencygroupId !== null
    ) {
      const status = opts.force ? "" : `status must be ${orStr(VOLUME_DELETABLE)} and`;
      throw new InvalidVolume(
        `Volume ${status} must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.`,
      );
    }
    v.terminatedAt = this.#clock.now();
    this.#setVolumeStatus(v, "deleting");
    for (const s of snaps) {
      this.#setSnapshotStatus(s, "deleting");
    }
    this.#scheduleVolumeDelete(v);
  }

  #scheduleVolumeDelete(v: Volume): void {
    this.#schedule(
      "volume.delete",
      this.#target({ volumeId: v.id }),
      this.#delays.volumeDelete,
      async (failure) => {
        if (v.status !== TRANSITIONS["volume.delete"].volume.from || !this.#volumes.has(v.id)) return;
        try {
          if (failure) throw new Error(failure.reason);
          // cascade: the volume's snapshots go first
          for (const snap of this.#snapshots.values()) {
            if (snap.volumeId === v.id) await this.#volumeDriver.deleteSnapshot(v.id, snap.id);
          }
          await this.#volumeDriver.deleteVolume(v);
        } catch (err) {
          this.#setVolumeStatus(v, "error_deleting");
          throw err;
        }
        for (const s of this.#snapshots.values()) {
          if (s.volumeId !== v.id) continue;
          this.#snapshots.delete(s.id);
          this.#accountSnapshot(s);
        }
        for (const a of v.attachments) this.#attachmentVolume.delete(a.id);
        for (const t of this.#transfers.values()) if (t.volumeId === v.id) this.#transfers.delete(t.id);
        this.#volumes.delete(v.id);
        if (this.#volumeOrder) removeSorted(this.#volumeOrder, v, VOLUMES_OLDEST_FIRST);
        this.#accountVolume(v);
        v.deleted = true;
        v.deletedAt = this.#clock.now();
        this.#emit("volume", v.id, "deleting", null);
      },
    );
  }

  forceDeleteVolume(ctx: RequestContext, id: string): void {
    this.#volume(ctx, id);
    this.#authorize(ctx, "volume_extension:volume_admin_actions:force_delete");
    this.deleteVolume(ctx, id, { force: true });
  }

  extendVolume(ctx: RequestContext, id: string, newSize: number, opts: { attached?: boolean } = {}): void {
    const v = this.#volume(ctx, id);
    this.#httpFault("volume.extend", this.#target({ volumeId: id }));
    if (!Number.isInteger(newSize)) {
      throw new InvalidInput(
        `New size for extend must be greater than current size. (current: ${v.size}, extended: ${newSize}).`,
      );
    }
    const increase = newSize - v.size;
    if (increase <= 0) {
      throw new InvalidInput(
        `New size for extend must be greater than current size. (current: ${v.size}, extended: ${newSize}).`,
      );
    }
    const expected = opts.attached ? "in-use" : "available";
    if (v.status !== expected) {
      throw new InvalidVolume(
        `Volume ${v.id} status must be '{'status': '${expected}'}' to extend, currently ${v.status}.`,
      );
    }
    checkExtendQuota(this.#limitsFor(v.projectId), this.#usageFor(v.projectId), increase);
    v.previousStatus = v.status;
    this.#setVolumeStatus(v, "extending");
    this.#schedule(
      "volume.extend",
      this.#target({ volumeId: id }),
      this.#delays.volumeExtend,
      async (failure) => {
        if (v.status !== TRANSITIONS["volume.extend"].volume.from || !this.#volumes.has(v.id)) return;
        try {
          if (failure) throw new Error(failure.reason);
          await this.#volumeDriver.extendVolume(v, newSize);
        } catch (err) {
          this.#setVolumeStatus(v, "error_extending");
          throw err;
        }
        v.size = Math.trunc(newSize);
        this.#accountVolume(v);
        this.#setVolumeStatus(v, (v.previousStatus as Volume["status"]) ?? "available");
      },
    );
  }

  resetVolumeStatus(ctx: RequestContext, id: string, req: ResetVolumeStatusRequest): void {
    const v = this.#volume(ctx, id);
    this.#authorize(ctx, "volume_extension:volume_admin_actions:reset_status");
    const status = req.status ? String(req.status).toLowerCase() : undefined;
    const attachStatus = req.attachStatus ? String(req.attachStatus).toLowerCase() : undefined;
    const migrationStatus = req.migrationStatus ? String(req.migrationStatus).toLowerCase() : undefined;
    if (!status && !attachStatus && !migrationStatus) {
      throw new BadRequest("Must specify 'status', 'attach_status' or 'migration_status' for update.");
    }
    if (status && !(VOLUME_STATUSES as readonly string[]).includes(status)) {
      throw new BadRequest(
        `Volume status: ${req.status} is invalid, valid statuses are: ${pyTuple(VOLUME_STATUSES)}.`,
      );
    }
    if (attachStatus && !["attached", "detached"].includes(attachStatus)) {
      throw new BadRequest(
        `Volume attach status: ${req.attachStatus} is invalid, valid statuses are: ${pyList(["attached", "detached"])}.`,
      );
    }
    // Cinder concatenates 'error_deleting' 'detaching' by mistake, so only deleting is refused
    if (status === "deleting") throw new BadRequest("Cannot reset-state to deleting");
    if (status === "in-use" && v.attachments.length === 0) {
      throw new BadRequest("Cannot reset-state to in-use because volume does not have any attachments.");
    }
    if (status) this.#setVolumeStatus(v, status as Volume["status"]);
    if (attachStatus) {
      v.attachStatus = attachStatus as Volume["attachStatus"];
      if (attachStatus === "detached") {
        for (const a of v.attachments) {
          a.attachStatus = "detached";
          a.detachTime = this.#clock.now();
          this.#attachmentVolume.delete(a.id);
        }
        v.attachments = [];
      }
    }
    if (migrationStatus) v.migrationStatus = migrationStatus === "none" ? null : migrationStatus;
  }

  setBootable(ctx: RequestContext, id: string, bootable: boolean): void {
    const v = this.#volume(ctx, id);
    v.bootable = bootable;
    v.updatedAt = this.#clock.now();
  }

  // ---------------------------------------------------------------- attachments

  #attachment(ctx: RequestContext, attachmentId: string): { volume: Volume; attachment: Attachment } {
    const volumeId = this.#attachmentVolume.get(attachmentId);
    const volume = volumeId ? this.#volumes.get(volumeId) : undefined;
    const attachment = volume?.attachments.find((a) => a.id === attachmentId);
    if (!volume || !attachment || !visible(ctx, volume.projectId)) {
      throw new VolumeAttachmentNotFound(`attachment_id = ${attachmentId}`);
    }
    return { volume, attachment };
  }

  #newAttachment(
    volume: Volume,
    instanceUuid: string | null,
    status: Attachment["attachStatus"],
  ): Attachment {
    const a: Attachment = {
      id: this.#ids(),
      volumeId: volume.id,
      instanceUuid,
      attachedHost: null,
      mountpoint: null,
      attachMode: "rw",
      attachStatus: status,
      attachTime: null,
      detachTime: null,
      connector: null,
      connectionInfo: null,
      createdAt: this.#clock.now(),
      updatedAt: null,
    };
    volume.attachments.push(a);
    this.#attachmentVolume.set(a.id, volume.id);
    return a;
  }

  /** in-use while any attachment is attached, else available (derived like Cinder's detach path) */
  #settleAttachState(volume: Volume): void {
    const attached = volume.attachments.some((a) => a.attachStatus === "attached");
    volume.attachStatus = attached ? "attached" : "detached";
    this.#setVolumeStatus(volume, attached ? "in-use" : "available");
  }

  createAttachment(ctx: RequestContext, req: CreateAttachmentRequest): Attachment {
    const volume = this.#volume(ctx, req.volumeId);
    this.#httpFault("volume.attach", this.#target({ volumeId: volume.id }));
    const allowed = volume.multiattach
      ? ["available", "in-use", "downloading"]
      : ["available", "downloading"];
    const sameInstance =
      req.instanceUuid &&
      ["in-use", "reserved"].includes(volume.status) &&
      volume.attachments.some((a) => a.instanceUuid === req.instanceUuid);
    if (!allowed.includes(volume.status) && !sameInstance) {
      throw new InvalidVolume(
        `Volume ${volume.id} status must be ${orStr(allowed)} to reserve, but the current status is ${volume.status}.`,
      );
    }
    const attachment = this.#newAttachment(volume, req.instanceUuid ?? null, "reserved");
    attachment.attachMode = req.mode ?? "rw";
    this.#setVolumeStatus(volume, "reserved");
    if (req.connector) this.#connectAttachment(volume, attachment, req.connector);
    return attachment;
  }

  #connectAttachment(volume: Volume, attachment: Attachment, connector: Record<string, unknown>): void {
    attachment.connector = { ...connector };
    attachment.attachedHost = typeof connector.host === "string" ? connector.host : null;
    attachment.mountpoint =
      typeof connector.mountpoint === "string" ? connector.mountpoint : attachment.mountpoint;
    attachment.connectionInfo = {
      driver_volume_type: "rbd",
      data: {
        name: `${this.#options.volumePool}/volume-${volume.id}`,
        hosts: ["127.0.0.1"],
        ports: ["6789"],
      },
    };
    attachment.attachStatus = "attaching";
    attachment.updatedAt = this.#clock.now();
    this.#setVolumeStatus(volume, "attaching");
  }

  updateAttachment(
    ctx: RequestContext,
    attachmentId: string,
    connector: Record<string, unknown>,
  ): Attachment {
    const { volume, attachment } = this.#attachment(ctx, attachmentId);
    this.#connectAttachment(volume, attachment, connector);
    return attachment;
  }

  completeAttachment(ctx: RequestContext, attachmentId: string): void {
    const { volume, attachment } = this.#attachment(ctx, attachmentId);
    attachment.attachStatus = "attached";
    attachment.attachTime = this.#clock.now();
    this.#settleAttachState(volume);
  }

  deleteAttachment(ctx: RequestContext, attachmentId: string): void {
    const { volume, attachment } = this.#attachment(ctx, attachmentId);
    attachment.attachStatus = "detached";
    attachment.detachTime = this.#clock.now();
    volume.attachments = volume.attachments.filter((a) => a.id !== attachmentId);
    this.#attachmentVolume.delete(attachmentId);
    this.#settleAttachState(volume);
  }

  getAttachment(ctx: RequestContext, attachmentId: string): Attachment {
    return this.#attachment(ctx, attachmentId).attachment;
  }

  listAttachments(ctx: RequestContext, opts: ListOptions = {}): Attachment[] {
    const all = ctx.isAdmin && opts.allTenants;
    const items: Attachment[] = [];
    for (const v of this.#volumes.values()) {
      if (!all && v.projectId !== ctx.projectId) continue;
      if (opts.filters?.volume_id !== undefined && v.id !== opts.filters.volume_id) continue;
      items.push(...v.attachments);
    }
    return paginate(items, opts, (a, key) =>
      key === "created_at" ? a.createdAt : key === "id" ? a.id : null,
    );
  }

  reserveVolume(ctx: RequestContext, volumeId: string): void {
    const v = this.#volume(ctx, volumeId);
    const allowed = v.multiattach ? ["available", "in-use"] : ["available"];
    if (!allowed.includes(v.status)) {
      throw new InvalidVolume(
        `Volume status must be ${orStr(allowed)} to reserve, but the status is ${v.status}.`,
      );
    }
    this.#setVolumeStatus(v, "attaching");
  }

  unreserveVolume(ctx: RequestContext, volumeId: string): void {
    const v = this.#volume(ctx, volumeId);
    if (v.status !== "attaching") return;
    this.#setVolumeStatus(v, v.attachments.length > 0 ? "in-use" : "available");
  }

  osAttach(ctx: RequestContext, volumeId: string, req: OsAttachRequest): Attachment {
    const v = this.#volume(ctx, volumeId);
    this.#httpFault("volume.attach", this.#target({ volumeId }));
    if (v.status === "maintenance")
      throw new InvalidVolume("The volume cannot be attached in maintenance mode.");
    const mode = req.mode ?? "rw";
    const a = this.#newAttachment(v, req.instanceUuid ?? null, "attached");
    a.attachedHost = req.hostName ?? null;
    a.mountpoint = req.mountpoint;
    a.attachMode = mode;
    a.attachTime = this.#clock.now();
    // volume/api.py attach() adds readonly unless set; the manager records the mode
    v.adminMetadata.readonly ??= "False";
    v.adminMetadata.attached_mode = mode;
    this.#settleAttachState(v);
    return a;
  }

  beginDetaching(ctx: RequestContext, volumeId: string): void {
    const v = this.#volume(ctx, volumeId);
    if (v.status !== "in-use" || v.attachStatus !== "attached") {
      throw new InvalidVolume(
        "Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.",
      );
    }
    this.#setVolumeStatus(v, "detaching");
  }

  rollDetaching(ctx: RequestContext, volumeId: string): void {
    const v = this.#volume(ctx, volumeId);
    if (v.status === "detaching") this.#setVolumeStatus(v, "in-use");
  }

  /** os-force_detach (admin): detaches one attachment, or all of them, whatever the status */
  forceDetach(ctx: RequestContext, volumeId: string, attachmentId?: string | null): void {
    const v = this.#volume(ctx, volumeId);
    this.#authorize(ctx, "volume_extension:volume_admin_actions:force_detach");
    const targets = attachmentId ? v.attachments.filter((a) => a.id === attachmentId) : [...v.attachments];
    if (attachmentId && targets.length === 0)
      throw new VolumeAttachmentNotFound(`attachment_id = ${attachmentId}`);
    for (const a of targets) {
      a.attachStatus = "detached";
      a.detachTime = this.#clock.now();
      this.#attachmentVolume.delete(a.id);
    }
    v.attachments = v.attachments.filter((a) => !targets.includes(a));
    this.#settleAttachState(v);
  }

  osDetach(ctx: RequestContext, volumeId: string, attachmentId?: string | null): void {
    const v = this.#volume(ctx, volumeId);
    if (v.status === "maintenance")
      throw new InvalidVolume("The volume cannot be detached in maintenance mode.");
    const targets = attachmentId ? v.attachments.filter((a) => a.id === attachmentId) : [...v.attachments];
    if (attachmentId && targets.length === 0)
      throw new VolumeAttachmentNotFound(`attachment_id = ${attachmentId}`);
    for (const a of targets) {
      a.attachStatus = "detached";
      a.detachTime = this.#clock.now();
      this.#attachmentVolume.delete(a.id);
    }
    v.attachments = v.attachments.filter((a) => !targets.includes(a));
    this.#settleAttachState(v);
  }

  // ---------------------------------------------------------------- transfers

  createTransfer(
    ctx: RequestContext,
    volumeId: string,
    name?: string | null,
    opts: { noSnapshots?: boolean } = {},
  ): { transfer: Transfer; authKey: string } {
    const v = this.#volume(ctx, volumeId);
    if (v.status !== "available") throw new InvalidVolume("status must be available");
    const salt = randomString(8);
    const authKey = randomString(16);
    const transfer: Transfer = {
      id: this.#ids(),
      volumeId,
      name: name ?? null,
      sourceProjectId: v.projectId,
      destinationProjectId: null,
      salt,
      cryptHash: createHash("sha1").update(`${salt}${authKey}`).digest("hex"),
      noSnapshots: opts.noSnapshots ?? false,
      accepted: false,
      createdAt: this.#clock.now(),
      updatedAt: null,
      deleted: false,
    };
    this.#transfers.set(transfer.id, transfer);
    this.#setVolumeStatus(v, "awaiting-transfer");
    return { transfer, authKey };
  }

  #transfer(ctx: RequestContext, id: string, anyProject = false): Transfer {
    const t = this.#transfers.get(id);
    if (!t || t.deleted || (!anyProject && !visible(ctx, t.sourceProjectId))) throw new TransferNotFound(id);
    return t;
  }

  getTransfer(ctx: RequestContext, id: string): Transfer {
    return this.#transfer(ctx, id);
  }

  listTransfers(ctx: RequestContext, opts: ListOptions = {}): Transfer[] {
    const all = ctx.isAdmin && opts.allTenants;
    const items = [...this.#transfers.values()].filter(
      (t) => !t.deleted && (all || t.sourceProjectId === ctx.projectId),
    );
    return paginate(items, opts, (t, key) =>
      key === "created_at" ? t.createdAt : key === "id" ? t.id : key === "name" ? t.name : null,
    );
  }

  acceptTransfer(ctx: RequestContext, id: string, authKey: string): Transfer {
    // the receiving project cannot see the transfer through the normal scoping
    const t = this.#transfer(ctx, id, true);
    const hash = createHash("sha1").update(`${t.salt}${authKey}`).digest("hex");
    if (hash !== t.cryptHash) throw new InvalidAuthKey(`Attempt to transfer ${id} with invalid auth key.`);
    const v = this.#volumes.get(t.volumeId);
    if (!v) throw new VolumeNotFound(t.volumeId);
    if (v.status === "maintenance")
      throw new InvalidVolume("The volume cannot accept transfer in maintenance mode.");
    checkVolumeQuota(this.#limitsFor(ctx.projectId), this.#usageFor(ctx.projectId), v.size);
    v.projectId = ctx.projectId;
    v.userId = ctx.userId;
    this.#accountVolume(v);
    this.#setVolumeStatus(v, "available");
    t.accepted = true;
    t.destinationProjectId = ctx.projectId;
    t.deleted = true;
    t.updatedAt = this.#clock.now();
    this.#transfers.delete(t.id);
    return t;
  }

  deleteTransfer(ctx: RequestContext, id: string): void {
    const t = this.#transfer(ctx, id);
    const v = this.#volumes.get(t.volumeId);
    if (v && v.status === "awaiting-transfer") this.#setVolumeStatus(v, "available");
    t.deleted = true;
    this.#transfers.delete(id);
  }

  // ---------------------------------------------------------------- snapshots

  createSnapshot(ctx: RequestContext, req: CreateSnapshotRequest): Snapshot {
    const v = this.#volume(ctx, req.volumeId);
    const valid = req.force ? ["available", "in-use"] : ["available"];
    if (!valid.includes(v.status)) {
      throw new InvalidVolume(
        `Volume ${v.id} status must be ${valid.join(", ")}, but current status is: ${v.status}.`,
      );
    }
    checkSnapshotQuota(this.#limitsFor(ctx.projectId), () => this.#usageFor(ctx.projectId), v.size);
    const now = this.#clock.now();
    const s: Snapshot = {
      id: this.#ids(),
      volumeId: v.id,
      projectId: ctx.projectId,
      userId: ctx.userId,
      name: req.name ?? null,
      description: req.description ?? null,
      volumeSize: v.size,
      status: "creating",
      progress: "0%",
      metadata: { ...(req.metadata ?? {}) },
      createdAt: now,
      updatedAt: null,
      deleted: false,
    };
    this.#snapshots.set(s.id, s);
    this.#accountSnapshot(s);
    this.#emit("snapshot", s.id, null, s.status);
    this.#schedule(
      "snapshot.create",
      this.#target({ volumeId: v.id }),
      this.#delays.snapshotCreate,
      async (failure) => {
        if (s.status !== "creating" || s.deleted) return;
        try {
          if (failure) throw new Error(failure.reason);
          await this.#volumeDriver.createSnapshot(v.id, s.id);
        } catch (err) {
          this.#setSnapshotStatus(s, "error");
          throw err;
        }
        s.progress = "100%";
        this.#setSnapshotStatus(s, "available");
      },
    );
    return s;
  }

  getSnapshot(ctx: RequestContext, id: string): Snapshot {
    return this.#snapshot(ctx, id);
  }

  listSnapshots(ctx: RequestContext, opts: ListOptions = {}): Snapshot[] {
    const all = ctx.isAdmin && opts.allTenants;
    const items = [...this.#snapshots.values()].filter(
      (s) =>
        !s.deleted &&
        (all || s.projectId === ctx.projectId) &&
        (opts.filters?.volume_id === undefined || s.volumeId === opts.filters.volume_id),
    );
    return paginate(items, opts, (s, key) =>
      key === "created_at" ? s.createdAt : key === "id" ? s.id : key === "name" ? s.name : null,
    );
  }

  deleteSnapshot(ctx: RequestContext, id: string): void {
    const s = this.#snapshot(ctx, id);
    if (!["available", "error"].includes(s.status)) {
      throw new InvalidSnapshot(
        "Volume Snapshot status must be available or error and must not be part of a group.",
      );
    }
    this.#setSnapshotStatus(s, "deleting");
    this.#scheduleSnapshotDelete(s);
  }

  #scheduleSnapshotDelete(s: Snapshot): void {
    this.#schedule(
      "snapshot.delete",
      this.#target({ volumeId: s.volumeId }),
      this.#delays.snapshotDelete,
      async (failure) => {
        if (s.status !== "deleting" || s.deleted) return;
        try {
          if (failure) throw new Error(failure.reason);
          await this.#volumeDriver.deleteSnapshot(s.volumeId, s.id);
        } catch (err) {
          this.#setSnapshotStatus(s, "error_deleting");
          throw err;
        }
        s.deleted = true;
        this.#snapshots.delete(s.id);
        this.#accountSnapshot(s);
        this.#emit("snapshot", s.id, "deleting", null);
      },
    );
  }

  #setSnapshotStatus(s: Snapshot, status: Snapshot["status"]): void {
    const from = s.status;
    s.status = status;
    s.updatedAt = this.#clock.now();
    this.#accountSnapshot(s);
    this.#emit("snapshot", s.id, from, status);
  }

  // ---------------------------------------------------------------- backups

  createBackup(ctx: RequestContext, req: CreateBackupRequest): Backup {
    const volume = this.#volume(ctx, req.volumeId);
    this.#httpFault("backup.create", this.#target({ volumeId: volume.id }));
    let snapshot: Snapshot | undefined;
    if (req.snapshotId) {
      snapshot = this.#snapshot(ctx, req.snapshotId);
      if (volume.id !== snapshot.volumeId) {
        throw new InvalidVolume(
          `Volume ${volume.id} does not match with snapshot.volume_id ${snapshot.volumeId}.`,
        );
      }
      if (snapshot.status !== "available") {
        throw new InvalidSnapshot(
          `Snapshot to be backed up must be available, but the current status is "${snapshot.status}".`,
        );
      }
    } else if (!VOLUME_BACKUPABLE.includes(volume.status)) {
      throw new InvalidVolume(
        `Volume to be backed up must be available or in-use, but the current status is "${volume.status}".`,
      );
    } else if (volume.status === "in-use" && !req.force) {
      throw new InvalidVolume("Backing up an in-use volume must use the force flag.");
    }
    const previousStatus = volume.status;
    checkBackupQuota(this.#limitsFor(ctx.projectId), () => this.#usageFor(ctx.projectId), volume.size);

    let parent: Backup | undefined;
    if (req.incremental) {
      const candidates = [...this.#backups.values()].filter(
        (b) => !b.deleted && b.volumeId === volume.id && b.projectId === ctx.projectId,
      );
      if (candidates.length === 0)
        throw new InvalidBackup("No backups available to do an incremental backup.");
      const key = (b: Backup): number =>
        b.dataTimestamp !== null && (!snapshot || b.dataTimestamp < snapshot.createdAt)
          ? b.dataTimestamp.getTime()
          : Number.NEGATIVE_INFINITY;
      // Python's max keeps the first of equal keys
      parent = candidates.reduce((best, b) => (key(b) > key(best) ? b : best));
      if (parent.status !== "available") {
        throw new InvalidBackup("The parent backup must be available for incremental backup.");
      }
    }

    const now = this.#clock.now();
    if (snapshot) {
      this.#setSnapshotStatus(snapshot, "backing-up");
    } else {
      volume.previousStatus = previousStatus;
      this.#setVolumeStatus(volume, "backing-up");
    }
    const backup: Backup = {
      id: this.#ids(),
      projectId: ctx.projectId,
      userId: ctx.userId,
      volumeId: volume.id,
      host: null,
      availabilityZone: null,
      container: req.container ?? null,
      parentId: parent?.id ?? null,
      status: "creating",
      failReason: null,
      size: volume.size,
      name: req.name ?? null,
      description: req.description ?? null,
      serviceMetadata: null,
      service: null,
      objectCount: 0,
      tempVolumeId: null,
      tempSnapshotId: null,
      numDependentBackups: 0,
      snapshotId: snapshot?.id ?? null,
      dataTimestamp: snapshot ? snapshot.createdAt : now,
      restoreVolumeId: null,
      metadata: { ...(req.metadata ?? {}) },
      encryptionKeyId: null,
      createdAt: now,
      // the scheduler saves the backup as it hands it on: updated_at is set while creating
      updatedAt: now,
      deletedAt: null,
      deleted: false,
    };
    this.#backups.set(backup.id, backup);
    if (this.#backupOrder) insertSorted(this.#backupOrder, backup, BACKUPS_OLDEST_FIRST);
    this.#accountBackup(backup);
    this.#emit("backup", backup.id, null, "creating");

    const target = this.#target({ volumeId: volume.id, backupId: backup.id });
    const serviceDown = this.#serviceDownFault("backup.create", target) || !this.#backupServiceUp();
    const delay = this.#delay(this.#delays.backupCreate, this.#delays.backupCreatePerGiB, volume.size);
    this.#schedule("backup.create", target, delay, async (failure) => {
      const restoreSource = (outcome: "backing-up" | "error_backing-up"): void => {
        if (snapshot) {
          this.#setSnapshotStatus(snapshot, "available");
        } else if (this.#volumes.has(volume.id)) {
          const prev = (volume.previousStatus ?? "available") as Volume["status"];
          volume.previousStatus = outcome;
          this.#setVolumeStatus(volume, prev);
        }
      };
      if (backup.deleted) return;
      if (serviceDown) {
        // the scheduler finds no backup host: Zed's API does not check, so the backup errors
        // later; the scheduler swaps status and previous_status (previous_status = backing-up)
        restoreSource("backing-up");
        this.#backupError(backup, "Service not found for creating backup.");
        return;
      }
      const host = this.#backupServiceUp()?.host ?? this.#host;
      backup.host = host;
      backup.service = this.#backupDriver.serviceName;
      if (!snapshot && volume.status !== "backing-up") {
        const err = `Create backup aborted, expected volume status backing-up but got ${volume.status}.`;
        this.#backupError(backup, err);
        return;
      }
      if (backup.status !== TRANSITIONS["backup.create"].backup.from) {
        this.#backupError(
          backup,
          `Create backup aborted, expected backup status creating but got ${backup.status}.`,
        );
        return;
      }
      try {
        if (failure) throw new Error(failure.reason);
        const result = await this.#backupDriver.backup(
          backup,
          volume,
          this.#volumeDriver,
          this.#parentOf(backup),
        );
        backup.container = result.container;
        if (result.serviceMetadata !== null) backup.serviceMetadata = result.serviceMetadata;
        if (result.parentId !== undefined) backup.parentId = result.parentId;
      } catch (err) {
        if (backup.container === null) backup.container = this.#backupDriver.defaultContainer;
        restoreSource("error_backing-up");
        this.#backupError(backup, errorText(err));
        return;
      }
      restoreSource("backing-up");
      if (backup.status === "creating") {
        backup.size = volume.size;
        this.#accountBackup(backup);
        this.#setBackupStatus(backup, "available");
        if (backup.parentId) {
          const p = this.#backups.get(backup.parentId);
          if (p) p.numDependentBackups += 1;
        }
      }
    });
    return backup;
  }

  getBackup(ctx: RequestContext, id: string): Backup {
    return this.#backup(ctx, id);
  }

  #backupsOldestFirst(): Backup[] {
    this.#backupOrder ??= [...this.#backups.values()].sort(BACKUPS_OLDEST_FIRST);
    return this.#backupOrder;
  }

  #filterBackups(ctx: RequestContext, opts: ListOptions): Backup[] {
    return this.#backupsOldestFirst().filter(this.#backupFilter(ctx, opts)).reverse();
  }

  #backupFilter(ctx: RequestContext, opts: ListOptions): (b: Backup) => boolean {
    const all = ctx.isAdmin && opts.allTenants;
    const filters = Object.entries(opts.filters ?? {});
    return (b) => {
      if (b.deleted) return false;
      if (!all && b.projectId !== ctx.projectId) return false;
      for (const [key, want] of filters) {
        if (want === undefined) continue;
        if ((key === "name" || key === "display_name") && b.name !== want) return false;
        if (key === "status" && b.status !== want) return false;
        if (key === "volume_id" && b.volumeId !== want) return false;
        if (key === "parent_id" && b.parentId !== want) return false;
        if (key === "project_id" && b.projectId !== want) return false;
      }
      return true;
    };
  }

  listBackups(ctx: RequestContext, opts: ListOptions = {}): Backup[] {
    if (opts.sort === undefined || opts.sort.length === 0) {
      return pageNewestFirst(this.#backupsOldestFirst(), this.#backupFilter(ctx, opts), opts);
    }
    return paginate(this.#filterBackups(ctx, opts), opts, backupSortField, true);
  }

  countBackups(ctx: RequestContext, opts: ListOptions = {}): number {
    return this.#filterBackups(ctx, opts).length;
  }

  updateBackup(ctx: RequestContext, id: string, patch: UpdateBackupRequest): Backup {
    const b = this.#backup(ctx, id);
    if (patch.name !== undefined) b.name = patch.name;
    if (patch.description !== undefined) b.description = patch.description;
    if (patch.metadata !== undefined) b.metadata = { ...patch.metadata };
    b.updatedAt = this.#clock.now();
    return b;
  }

  deleteBackup(ctx: RequestContext, id: string, opts: { force?: boolean } = {}): void {
    const b = this.#backup(ctx, id);
    this.#httpFault("backup.delete", this.#target({ backupId: id, volumeId: b.volumeId }));
    if (opts.force) this.#authorize(ctx, "volume_extension:backup_admin_actions:force_delete");
    if (!opts.force && !BACKUP_DELETABLE.includes(b.status)) {
      throw new InvalidBackup("Backup status must be available or error");
    }
    // the ceph driver sets support_force_delete = False
    if (opts.force) throw new NotSupportedOperation("force delete");
    const children = this.#filterBackups(ctx, { filters: { parent_id: id } });
    if (children.length > 0) throw new InvalidBackup("Incremental backups exist for this backup.");
    const target = this.#target({ backupId: id, volumeId: b.volumeId });
    b.host = this.#requireBackupHost("backup.delete", target);
    this.#setBackupStatus(b, "deleting");
    this.#scheduleBackupDelete(b, target);
  }

  /** the manager's delete_backup, as the API casts it or a restarted service resumes it */
  #scheduleBackupDelete(b: Backup, target: FaultTarget): void {
    this.#schedule("backup.delete", target, this.#delays.backupDelete, async (failure) => {
      if (b.deleted) return;
      if (b.status !== TRANSITIONS["backup.delete"].backup.from) {
        this.#backupError(b, `Delete_backup aborted, expected backup status deleting but got ${b.status}.`);
        return;
      }
      if (
        b.service !== null &&
        b.service !== this.#backupDriver.serviceName &&
        !this.#isOurService(b.service)
      ) {
        this.#backupError(
          b,
          `Delete backup aborted, the backup service currently configured [${this.#backupDriver.serviceName}] is not the backup service that was used to create this backup [${b.service}].`,
        );
        return;
      }
      try {
        if (failure) throw new Error(failure.reason);
        if (b.service !== null) await this.#backupDriver.deleteBackup(b, this.#parentOf(b));
      } catch (err) {
        this.#backupError(b, errorText(err));
        return;
      }
      b.deleted = true;
      b.deletedAt = this.#clock.now();
      this.#accountBackup(b);
      this.#setBackupStatus(b, "deleted");
      this.#emit("backup", b.id, "deleted", null);
      if (b.parentId) {
        const p = this.#backups.get(b.parentId);
        if (p && p.numDependentBackups > 0) p.numDependentBackups -= 1;
      }
    });
  }

  /** backup.parent: the OVO loads it by parent_id, deleted rows included */
  #parentOf(backup: Backup): Backup | undefined {
    return backup.parentId ? this.#backups.get(backup.parentId) : undefined;
  }

  #isOurService(service: string | null): boolean {
    // cinder/backup/manager.py _is_our_backup: prefix match, plus the pre-Rocky module name
    if (!service) return true;
    const mine = this.#backupDriver.serviceName;
    if (mine.startsWith(service)) return true;
    // MAPPING: the module path names the class path driver
    return service === PIKE_CEPH_BACKUP_SERVICE && mine === CEPH_BACKUP_SERVICE;
  }

  restoreBackup(ctx: RequestContext, id: string, req: RestoreBackupRequest = {}): RestoreResult {
    const b = this.#backup(ctx, id);
    const target = this.#target({ backupId: id, volumeId: req.volumeId ?? null });
    this.#httpFault("backup.restore", target);
    if (b.status !== "available") throw new InvalidBackup("Backup status must be available");
    let volume: Volume;
    let createdHere = false;
    if (req.volumeId === undefined || req.volumeId === null) {
      // Cinder creates the volume and polls until it leaves "creating"; the fake creates it
      // available at once (no data yet), which is what the poll ends with.
      try {
        volume = this.#createVolume(
          ctx,
          {
            size: b.size,
            name: req.name ?? `restore_backup_${id}`,
            description: "auto-created_from_restore_from_backup",
          },
          false,
        );
      } catch (err) {
        // the restore controller answers volume quota errors itself, without the class prefix
        if (err instanceof QuotaFault) throw new QuotaFault("", err.plainMessage, false);
        throw err;
      }
      createdHere = true;
      this.#placeByScheduler(volume);
      volume.launchedAt = this.#clock.now();
      this.#markCreatedByVolumeService(volume);
      this.#setVolumeStatus(volume, "available");
    } else {
      volume = this.#volume(ctx, req.volumeId);
    }
    if (volume.status !== "available") throw new InvalidVolume("Volume to be restored to must be available");
    if (b.size > volume.size) {
      throw new InvalidVolume(`volume size ${volume.size} is too small to restore backup of size ${b.size}.`);
    }
    try {
      b.host = this.#requireBackupHost("backup.restore", target);
    } catch (err) {
      // Cinder made the new volume before looking for a backup host; it stays, empty
      if (createdHere) {
        const made = volume;
        this.#schedule("volume.create", this.#target({ volumeId: made.id }), 0, async () => {
          if (this.#volumes.has(made.id)) await this.#volumeDriver.createVolume(made);
        });
      }
      throw err;
    }
    const volumeName = volume.name;
    b.restoreVolumeId = volume.id;
    this.#setBackupStatus(b, "restoring");
    this.#setVolumeStatus(volume, "restoring-backup");
    const delay = this.#delay(this.#delays.backupRestore, this.#delays.backupRestorePerGiB, volume.size);
    this.#schedule("backup.restore", target, delay, async (failure) => {
      const t = TRANSITIONS["backup.restore"];
      if (!this.#volumes.has(volume.id) || volume.status !== t.volume.from) {
        this.#setBackupStatus(b, "available");
        if (this.#volumes.has(volume.id)) this.#setVolumeStatus(volume, "error_restoring");
        return;
      }
      if (b.status !== t.backup.from) {
        this.#backupError(b, `Restore backup aborted: expected backup status restoring but got ${b.status}.`);
        this.#setVolumeStatus(volume, "error");
        return;
      }
      try {
        if (createdHere) await this.#volumeDriver.createVolume(volume);
        if (failure) throw new Error(failure.reason);
        const saved = await this.#backupDriver.restore(b, volume, this.#volumeDriver, this.#parentOf(b));
        this.#applySavedMetadata(volume, saved);
      } catch (err) {
        this.#setVolumeStatus(volume, t.volume.fail);
        this.#setBackupStatus(b, t.backup.fail);
        throw err;
      }
      const oldSrc = volume.metadata.src_backup_id;
      if (b.volumeId !== volume.id || (oldSrc && oldSrc !== b.id)) volume.metadata.src_backup_id = b.id;
      this.#setVolumeStatus(volume, "available");
      this.#setBackupStatus(b, "available");
    });
    return { backupId: id, volumeId: volume.id, volumeName };
  }

  /**
   * BackupMetadataAPI.put_metadata (version 2): base metadata gives name/description only when
   * the target is unnamed or auto-named, user metadata replaces the target's, glance metadata
   * replaces and sets bootable.
   */
  #applySavedMetadata(volume: Volume, saved: SavedVolumeMetadata | undefined): void {
    if (!saved) return;
    const base = saved["volume-base-metadata"];
    if (base) {
      // _restore_vol_base_meta: the name (and description) only travel when the source had a
      // name and the target is unnamed or auto-named; encryption_key_id always does
      const sourceName = base.display_name;
      const keepTarget =
        !sourceName ||
        (volume.name !== null && volume.name !== "" && !volume.name.startsWith("restore_backup_"));
      if (!keepTarget) {
        volume.name = String(sourceName);
        if ("display_description" in base)
          volume.description = (base.display_description as string | null) ?? null;
      }
      if ("encryption_key_id" in base)
        volume.encryptionKeyId = (base.encryption_key_id as string | null) ?? null;
    }
    if (saved["volume-metadata"]) volume.metadata = { ...saved["volume-metadata"] };
    if (saved["volume-glance-metadata"]) {
      volume.glanceMetadata = { ...saved["volume-glance-metadata"] };
      volume.bootable = true;
    }
  }

  exportRecord(ctx: RequestContext, id: string): BackupRecord {
    const b = this.#backup(ctx, id);
    this.#authorize(ctx, "backup:export-import");
    const target = this.#target({ backupId: id, volumeId: b.volumeId });
    this.#httpFault("backup.export", target);
    if (b.status !== "available")
      throw new InvalidBackup(`Backup status must be available and not ${b.status}.`);
    b.host = this.#requireBackupHost("backup.export", target);
    const failure = this.#faults.take("backup.export", target, ["fail"]);
    if (failure) throw new InvalidBackup(failure.failReason);
    if (!this.#isOurService(b.service)) {
      throw new InvalidBackup(
        `Export record aborted, the backup service currently configured [${this.#backupDriver.serviceName}] is not the backup service that was used to create this backup [${b.service}].`,
      );
    }
    const driverInfo = this.#backupDriver.exportRecord(b);
    return {
      backupService: b.service ?? this.#backupDriver.serviceName,
      backupUrl: encodeRecord(b, driverInfo, this.#release),
    };
  }

  importRecord(ctx: RequestContext, backupService: string, backupUrl: string): Backup {
    this.#authorize(ctx, "backup:backup-import");
    const target = this.#target();
    this.#httpFault("backup.import", target);
    const up = !this.#serviceDownFault("backup.import", target) && this.#backupServiceUp();
    if (!up) throw new ServiceUnavailable(`Service ${backupService} could not be found.`);
    const record = decodeRecord(backupUrl);
    const fields = (
      record !== null && typeof record === "object" && !Array.isArray(record) ? record : {}
    ) as Record<string, unknown>;
    if (!("id" in fields)) throw new InvalidInput("Provided backup record is missing an id");
    if (!("size" in fields)) throw new InvalidInput("Provided backup record is missing size attribute");
    const recordId = String(fields.id);
    const existing = this.#backups.get(recordId);
    if (existing && existing.status !== "deleted")
      throw new InvalidBackup("Backup already exists in database.");
    const recordSize = Number(fields.size ?? 0) || 0;
    checkBackupQuota(this.#limitsFor(ctx.projectId), () => this.#usageFor(ctx.projectId), recordSize);

    const now = this.#clock.now();
    const backup: Backup = existing ?? {
      id: recordId,
      projectId: ctx.projectId,
      userId: ctx.userId,
      volumeId: IMPORT_VOLUME_ID,
      host: null,
      availabilityZone: null,
      container: null,
      parentId: null,
      status: "creating",
      failReason: null,
      size: 0,
      name: null,
      description: null,
      serviceMetadata: null,
      service: null,
      objectCount: 0,
      tempVolumeId: null,
      tempSnapshotId: null,
      numDependentBackups: 0,
      snapshotId: null,
      // recorded: a failed import shows data_timestamp null; the record sets it on success
      dataTimestamp: null,
      restoreVolumeId: null,
      metadata: {},
      encryptionKeyId: null,
      createdAt: now,
      updatedAt: null,
      deletedAt: null,
      deleted: false,
    };
    // a soft-deleted row with this id is revived and reused
    Object.assign(backup, {
      projectId: ctx.projectId,
      userId: ctx.userId,
      volumeId: IMPORT_VOLUME_ID,
      status: "creating",
      deleted: false,
      deletedAt: null,
      metadata: {},
      updatedAt: existing ? now : null,
    } satisfies Partial<Backup>);
    this.#backups.set(backup.id, backup);
    // a revived row keeps its place only if its created_at stays: rebuild the order lazily
    this.#backupOrder = undefined;
    this.#accountBackup(backup);
    this.#emit("backup", backup.id, null, "creating");

    this.#schedule(
      "backup.import",
      this.#target({ backupId: backup.id }),
      this.#delays.backupImport,
      async (failure) => {
        if (backup.status !== TRANSITIONS["backup.import"].backup.from) return;
        if (!this.#isOurService(backupService)) {
          this.#backupError(
            backup,
            `Import record failed, cannot find backup service to perform the import. Request service ${backupService}.`,
          );
          return;
        }
        try {
          if (failure) throw new Error(failure.reason);
          const options = { ...(decodeRecord(backupUrl) as Record<string, unknown>) };
          const driverInfo = options.driver_info ?? {};
          delete options.driver_info;
          await this.#backupDriver.importRecord(backup, driverInfo);
          const missing = [
            "display_name",
            "display_description",
            "container",
            "size",
            "service_metadata",
            "object_count",
            "id",
          ].filter((k) => !(k in options));
          if (missing.length > 0) {
            this.#backupError(
              backup,
              `Driver successfully decoded imported backup data, but there are missing fields (${missing.join(", ")}).`,
            );
            return;
          }
          if (options.id !== backup.id) {
            this.#backupError(
              backup,
              `Trying to import backup metadata from id ${String(options.id)} into backup ${backup.id}.`,
            );
            return;
          }
          applyRecord(backup, options);
          this.#backupOrder = undefined;
          this.#accountBackup(backup);
          backup.service = this.#backupDriver.serviceName;
          backup.availabilityZone = this.#azs[0] ?? "nova";
          backup.host = this.#backupServiceUp()?.host ?? this.#host;
          this.#setBackupStatus(backup, "available");
        } catch (err) {
          this.#backupError(backup, errorText(err));
        }
      },
    );
    return backup;
  }

  resetBackupStatus(ctx: RequestContext, id: string, status: string): void {
    const b = this.#backup(ctx, id);
    this.#authorize(ctx, "volume_extension:backup_admin_actions:reset_status");
    const wanted = String(status ?? "").toLowerCase();
    if (!status || !["available", "error"].includes(wanted)) {
      throw new BadRequest(
        `Backup status: ${status} is invalid, valid statuses are: ${pyList(["available", "error"])}.`,
      );
    }
    const target = this.#target({ backupId: id, volumeId: b.volumeId });
    this.#httpFault("backup.reset_status", target);
    b.host = this.#requireBackupHost("backup.reset_status", target);
    this.#schedule("backup.reset_status", target, this.#delays.backupResetStatus, async () => {
      if (b.deleted) return;
      // the manager only touches backups that have a service (a failed import has none)
      if (b.service !== null) this.#setBackupStatus(b, wanted as BackupStatus);
    });
  }

  // ---------------------------------------------------------------- services, quotas, types

  listServices(ctx: RequestContext, filter: { binary?: string; host?: string } = {}): Service[] {
    this.#authorize(ctx, "volume_extension:services:index");
    return this.#services.filter(
      (s) => (!filter.binary || s.binary === filter.binary) && (!filter.host || s.host === filter.host),
    );
  }

  setServiceState(
    binary: ServiceBinary,
    host: string | undefined,
    state: { up?: boolean; enabled?: boolean; disabledReason?: string | null },
  ): void {
    for (const s of this.#services) {
      if (s.binary !== binary || (host !== undefined && s.host !== host)) continue;
      const from = `${s.status}/${s.state}`;
      if (state.up !== undefined) s.state = state.up ? "up" : "down";
      if (state.enabled !== undefined) s.status = state.enabled ? "enabled" : "disabled";
      if (state.disabledReason !== undefined) s.disabledReason = state.disabledReason;
      s.updatedAt = this.#clock.now();
      this.#emit("service", `${s.binary}@${s.host}`, from, `${s.status}/${s.state}`);
    }
  }

  /**
   * Restarts cinder-backup on its host (or every host): the pending backup work there dies with
   * the old process, and the new one runs the startup cleanup of cinder/backup/manager.py
   * (init_host -> _cleanup_incomplete_backup_operations) over the backups of that host. Returns
   * what the cleanup did to each backup, in the order it went through them.
   */
  restartService(binary: "cinder-backup", host?: string): BackupCleanup[] {
    const services = this.#services.filter(
      (s) => s.binary === binary && (host === undefined || s.host === host),
    );
    if (services.length === 0) throw new ServiceNotFound(`${binary} on host ${host}`);
    for (const [task, op] of this.#taskOps) {
      if (!op.startsWith("backup.")) continue;
      task.cancel();
      this.#tasks.delete(task);
      this.#taskOps.delete(task);
    }
    const cleaned: BackupCleanup[] = [];
    for (const s of services) {
      const from = `${s.status}/${s.state}`;
      s.state = "up";
      s.updatedAt = this.#clock.now();
      this.#emit("service", `${s.binary}@${s.host}`, from, `${s.status}/${s.state}`);
      // get_all_by_host: MAPPING: a backup the fake stalled before the manager took it has no
      // host yet (on Cinder the scheduler has set it), so it counts as this host's
      const mine = [...this.#backups.values()].filter(
        (b) => !b.deleted && (b.host === s.host || (b.host === null && s === services[0])),
      );
      for (const b of mine) {
        const from = b.status;
        const problem = this.#cleanupOneBackup(b);
        if (from !== b.status || problem) cleaned.push({ backupId: b.id, from, to: b.status, problem });
      }
    }
    this.#notifyIdle();
    return cleaned;
  }

  /** _cleanup_one_backup; a missing volume raises there, which the caller only logs */
  #cleanupOneBackup(b: Backup): string | null {
    if (b.status === "creating") {
      const volume = this.#volumes.get(b.volumeId);
      if (!volume) return `Volume ${b.volumeId} could not be found.`;
      this.#cleanupOneVolume(volume);
      this.#backupError(b, "incomplete backup reset on manager restart");
    } else if (b.status === "restoring") {
      const volume = b.restoreVolumeId ? this.#volumes.get(b.restoreVolumeId) : undefined;
      if (!volume) return `Volume ${b.restoreVolumeId} could not be found.`;
      this.#cleanupOneVolume(volume);
      this.#setBackupStatus(b, "available");
    } else if (b.status === "deleting") {
      // an encrypted volume's backup is not resumed: the admin context cannot delete its key copy
      if (b.encryptionKeyId === null)
        this.#scheduleBackupDelete(b, this.#target({ backupId: b.id, volumeId: b.volumeId }));
      else this.#setBackupStatus(b, "error_deleting");
    }
    return null;
  }

  /** _cleanup_one_volume: previous_status itself is left as it was */
  #cleanupOneVolume(volume: Volume): void {
    if (volume.status === "backing-up") {
      this.#setVolumeStatus(volume, (volume.previousStatus ?? "available") as Volume["status"]);
    } else if (volume.status === "restoring-backup") {
      this.#setVolumeStatus(volume, "error_restoring");
    }
  }

  quotaUsage(
    ctx: RequestContext,
    projectId: string = ctx.projectId,
  ): { limits: QuotaSet; usage: QuotaUsage } {
    if (projectId !== ctx.projectId) this.#authorize(ctx, "volume_extension:quotas:show");
    return { limits: this.#limitsFor(projectId), usage: this.#usageFor(projectId) };
  }

  setQuotas(ctx: RequestContext, projectId: string, quotas: Partial<QuotaSet>): QuotaSet {
    this.#authorize(ctx, "volume_extension:quotas:update");
    this.#projectQuotas.set(projectId, { ...this.#projectQuotas.get(projectId), ...quotas });
    return this.#limitsFor(projectId);
  }

  limits(ctx: RequestContext): AbsoluteLimits {
    const l = this.#limitsFor(ctx.projectId);
    const u = this.#usageFor(ctx.projectId);
    return {
      maxTotalVolumes: l.volumes,
      maxTotalSnapshots: l.snapshots,
      maxTotalVolumeGigabytes: l.gigabytes,
      maxTotalBackups: l.backups,
      maxTotalBackupGigabytes: l.backupGigabytes,
      totalVolumesUsed: u.volumes,
      totalSnapshotsUsed: u.snapshots,
      totalGigabytesUsed: u.gigabytes,
      totalBackupsUsed: u.backups,
      totalBackupGigabytesUsed: u.backupGigabytes,
    };
  }

  listVolumeTypes(_ctx: RequestContext): VolumeType[] {
    return this.#volumeTypes;
  }

  getVolumeType(_ctx: RequestContext, idOrName: string): VolumeType {
    return this.#volumeType(idOrName);
  }

  listAvailabilityZones(_ctx: RequestContext): AvailabilityZone[] {
    return this.#azs.map((name) => ({ name, available: true }));
  }
}

/** a UUIDv4-shaped id derived from a name, so services keep their uuid across reset() */
function stableUuid(name: string): string {
  const h = createHash("sha1").update(name).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function parseMetadataFilter(value: unknown): Record<string, unknown> | undefined {
  if (value !== null && typeof value === "object" && !Array.isArray(value))
    return value as Record<string, unknown>;
  if (typeof value !== "string") return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** the text Cinder stores as fail_reason: str(exc) */
function errorText(err: unknown): string {
  if (err instanceof CinderFault) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** backup.update(backup_options) in the import manager: every record key but the dropped ones */
function applyRecord(backup: Backup, options: Record<string, unknown>): void {
  const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
  const int = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v) || 0);
  const set: Record<string, (v: unknown) => void> = {
    volume_id: (v) => {
      backup.volumeId = String(v);
    },
    host: (v) => {
      backup.host = str(v);
    },
    container: (v) => {
      backup.container = str(v);
    },
    parent_id: (v) => {
      backup.parentId = str(v);
    },
    size: (v) => {
      backup.size = int(v);
    },
    display_name: (v) => {
      backup.name = str(v);
    },
    display_description: (v) => {
      backup.description = str(v);
    },
    service_metadata: (v) => {
      backup.serviceMetadata = str(v);
    },
    object_count: (v) => {
      backup.objectCount = int(v);
    },
    temp_volume_id: (v) => {
      backup.tempVolumeId = str(v);
    },
    temp_snapshot_id: (v) => {
      backup.tempSnapshotId = str(v);
    },
    num_dependent_backups: (v) => {
      backup.numDependentBackups = int(v);
    },
    snapshot_id: (v) => {
      backup.snapshotId = str(v);
    },
    data_timestamp: (v) => {
      backup.dataTimestamp = parseRecordTime(v) ?? backup.dataTimestamp;
    },
    restore_volume_id: (v) => {
      backup.restoreVolumeId = str(v);
    },
    metadata: (v) => {
      backup.metadata = v && typeof v === "object" ? { ...(v as Record<string, string>) } : {};
    },
    encryption_key_id: (v) => {
      backup.encryptionKeyId = str(v);
    },
    created_at: (v) => {
      backup.createdAt = parseRecordTime(v) ?? backup.createdAt;
    },
    updated_at: (v) => {
      backup.updatedAt = parseRecordTime(v);
    },
  };
  for (const [key, value] of Object.entries(options)) {
    if (["name", "user_id", "project_id", "deleted_at", "deleted", "fail_reason", "status"].includes(key))
      continue;
    set[key]?.(value);
  }
}

const VOLUMES_OLDEST_FIRST = oldestFirst(volumeSortField);
const BACKUPS_OLDEST_FIRST = oldestFirst(backupSortField);

function volumeSortField(v: Volume, key: string): string | number | boolean | Date | null {
  switch (key) {
    case "created_at":
      return v.createdAt;
    case "updated_at":
      return v.updatedAt;
    case "id":
      return v.id;
    case "name":
    case "display_name":
      return v.name;
    case "size":
      return v.size;
    case "status":
      return v.status;
    case "availability_zone":
      return v.availabilityZone;
    case "bootable":
      return v.bootable;
    default:
      return null;
  }
}

function backupSortField(b: Backup, key: string): string | number | Date | null {
  switch (key) {
    case "created_at":
      return b.createdAt;
    case "updated_at":
      return b.updatedAt;
    case "id":
      return b.id;
    case "name":
    case "display_name":
      return b.name;
    case "size":
      return b.size;
    case "status":
      return b.status;
    case "data_timestamp":
      return b.dataTimestamp;
    case "volume_id":
      return b.volumeId;
    default:
      return null;
  }
}

/**
 * With a ManualClock shared by several clouds: advance to each next due step and await the
 * driver work of every cloud, until nothing is scheduled or in flight.
 */
export async function runUntilIdle(clouds: CinderCloud[], maxSteps = 10_000): Promise<void> {
  const clock = clouds[0]?.clock;
  if (!(clock instanceof ManualClock)) {
    throw new Error("runUntilIdle needs a ManualClock; with a RealClock await settled() after the delays");
  }
  for (let i = 0; i < maxSteps; i++) {
    for (const c of clouds) await c.settled();
    const due = clock.nextDueIn();
    if (due === undefined) return;
    clock.advance(due);
  }
  throw new Error(`runUntilIdle: still busy after ${maxSteps} steps`);
}

/** bytes of a GiB, as Cinder's units.Gi */
export const GIB = GiB;
