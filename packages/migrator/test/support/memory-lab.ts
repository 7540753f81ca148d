// In-memory stand-ins for the engine's ports: two Cinder deployments sharing one backup
// "Ceph", with Cinder's statuses moving on a virtual clock, the imported backup keeping
// A's id, and faults to inject. Bytes are real (small buffers), so checksums mean something.
import { createHash, randomUUID } from "node:crypto";
import type {
  BackupRecord,
  BackupView,
  BlockStorage,
  CephCluster,
  Clock,
  Digest,
  Limits,
  NewVolume,
  RbdLocation,
  ServiceView,
  VolumeView,
} from "../../src/engine/ports.js";
import { CinderHttpError } from "../../src/errors.js";

export class VirtualClock implements Clock {
  t = Date.parse("2026-01-01T00:00:00Z");
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.t += ms;
    await new Promise((r) => setImmediate(r));
  }
}

interface Image {
  data: Buffer;
  snaps: Map<string, Buffer>;
}

export class MemoryCeph implements CephCluster {
  readonly pools = new Map<string, Map<string, Image>>();
  constructor(readonly label: string) {}
  pool(name: string): Map<string, Image> {
    const p = this.pools.get(name) ?? new Map<string, Image>();
    this.pools.set(name, p);
    return p;
  }
  async listImages(pool: string): Promise<string[]> {
    return [...this.pool(pool).keys()];
  }
  async listSnapshots(pool: string, image: string): Promise<string[]> {
    return [...(this.pool(pool).get(image)?.snaps.keys() ?? [])];
  }
  async digest(location: RbdLocation, size: number): Promise<Digest> {
    const img = this.pool(location.pool).get(location.image);
    const data = location.snap ? img?.snaps.get(location.snap) : img?.data;
    if (!data) throw new Error(`rbd: ${location.pool}/${location.image}@${location.snap} not found`);
    return {
      sha256: createHash("sha256").update(data).digest("hex"),
      method: "full",
      bytes: size,
      allocatedBytes: data.length,
    };
  }
}

type Fault =
  | { op: "backup" | "import" | "restore"; kind: "error"; reason?: string }
  | { op: "backup" | "import" | "restore" | "volume"; kind: "stall" }
  | { op: string; kind: "http"; status: number; count: number; message?: string };

interface Vol extends VolumeView {
  data: Buffer;
}
interface Bak extends BackupView {
  base?: string;
  snap?: string;
}

const DELAY = { volume: 200, backup: 2000, import: 500, restore: 2000, delete: 300 };

export class MemoryCinder implements BlockStorage {
  readonly volumes = new Map<string, Vol>();
  readonly backups = new Map<string, Bak>();
  readonly faults: Fault[] = [];
  readonly calls: string[] = [];
  private readonly timers: { at: number; fn: () => void }[] = [];
  volumeQuota = 100;
  isAdmin = true;
  backupDriver = "cinder.backup.drivers.ceph.CephBackupDriver";
  readonly projectId = `p-${Math.random().toString(16).slice(2, 8)}`;

  constructor(
    readonly label: string,
    readonly lab: MemoryLab,
  ) {}

  private tick(): void {
    const now = this.lab.clock.now();
    this.timers.sort((x, y) => x.at - y.at);
    while (this.timers[0] && this.timers[0].at <= now) this.timers.shift()?.fn();
  }
  private later(ms: number, fn: () => void): void {
    this.timers.push({ at: this.lab.clock.now() + ms, fn });
  }
  private enter(op: string): void {
    this.calls.push(op);
    this.tick();
    const f = this.faults.find((x) => x.kind === "http" && (x.op === op || x.op === "*"));
    if (f && f.kind === "http") {
      f.count--;
      if (f.count <= 0) this.faults.splice(this.faults.indexOf(f), 1);
      throw new CinderHttpError(
        "X",
        `memory://${this.label}/${op}`,
        f.status,
        "fault",
        f.message ?? "injected",
      );
    }
  }
  private takeFault(op: string): Fault | undefined {
    const i = this.faults.findIndex((x) => x.op === op && x.kind !== "http");
    return i >= 0 ? this.faults.splice(i, 1)[0] : undefined;
  }

  addVolume(spec: Partial<VolumeView> & { size: number }, data: Buffer): Vol {
    const v: Vol = {
      id: spec.id ?? randomUUID(),
      name: spec.name ?? null,
      description: spec.description ?? null,
      size: spec.size,
      status: spec.status ?? "available",
      volumeType: spec.volumeType ?? "__DEFAULT__",
      availabilityZone: spec.availabilityZone ?? "nova",
      metadata: spec.metadata ?? {},
      bootable: spec.bootable ?? false,
      attachments: spec.status === "in-use" ? 1 : 0,
      projectId: this.projectId,
      data,
    };
    this.volumes.set(v.id, v);
    this.lab.ceph(this).pool("volumes").set(`volume-${v.id}`, { data, snaps: new Map() });
    return v;
  }

  writeVolume(id: string, data: Buffer): void {
    const v = this.volumes.get(id);
    if (!v) throw new Error("no volume");
    v.data = data;
    const img = this.lab.ceph(this).pool("volumes").get(`volume-${id}`);
    if (img) img.data = data;
  }

  private view(v: Vol): VolumeView {
    const { data: _d, ...rest } = v;
    return structuredClone(rest);
  }

  async getVolume(id: string) {
    this.enter("get-volume");
    const v = this.volumes.get(id);
    return v && this.view(v);
  }
  async findVolumes(filter: { name?: string }) {
    this.enter("list-volumes");
    return [...this.volumes.values()]
      .filter((v) => filter.name === undefined || v.name === filter.name)
      .map((v) => this.view(v));
  }
  async createVolume(spec: NewVolume) {
    this.enter("create-volume");
    if (this.volumes.size >= this.volumeQuota) {
      throw new CinderHttpError(
        "POST",
        "memory://volumes",
        413,
        "overLimit",
        `VolumeLimitExceeded: Maximum number of volumes allowed (${this.volumeQuota}) exceeded for quota 'volumes'.`,
      );
    }
    const v = this.addVolume({ ...spec, status: "creating" }, Buffer.alloc(0));
    const stall = this.takeFault("volume");
    if (!stall) this.later(DELAY.volume, () => (v.status = "available"));
    return this.view(v);
  }
  async updateVolume(
    id: string,
    patch: { name?: string; description?: string | null; metadata?: Record<string, string> },
  ) {
    this.enter("update-volume");
    const v = this.volumes.get(id);
    if (!v) throw new CinderHttpError("PUT", "x", 404, "itemNotFound", `Volume ${id} could not be found.`);
    if (patch.name !== undefined) v.name = patch.name;
    if (patch.description !== undefined) v.description = patch.description;
    if (patch.metadata !== undefined) v.metadata = { ...patch.metadata };
  }
  async setBootable(id: string, bootable: boolean) {
    this.enter("set-bootable");
    const v = this.volumes.get(id);
    if (v) v.bootable = bootable;
  }
  async getBackup(id: string) {
    this.enter("get-backup");
    const b = this.backups.get(id);
    if (!b) return undefined;
    const { base: _b, snap: _s, ...view } = b;
    return structuredClone(view);
  }
  async findBackups(filter: { name?: string; volumeId?: string }) {
    this.enter("list-backups");
    return [...this.backups.values()]
      .filter(
        (b) =>
          (filter.name === undefined || b.name === filter.name) &&
          (filter.volumeId === undefined || b.volumeId === filter.volumeId),
      )
      .map(({ base: _b, snap: _s, ...v }) => structuredClone(v));
  }
  async createBackup(spec: {
    volumeId: string;
    name: string;
    description: string;
    incremental: boolean;
    force: boolean;
  }) {
    this.enter("create-backup");
    const v = this.volumes.get(spec.volumeId);
    if (!v)
      throw new CinderHttpError(
        "POST",
        "x",
        404,
        "itemNotFound",
        `Volume ${spec.volumeId} could not be found.`,
      );
    if (v.status === "in-use" && !spec.force)
      throw new CinderHttpError(
        "POST",
        "x",
        400,
        "badRequest",
        "Invalid volume: Backing up an in-use volume must use the force flag.",
      );
    if (v.status !== "available" && v.status !== "in-use")
      throw new CinderHttpError(
        "POST",
        "x",
        400,
        "badRequest",
        `Invalid volume: Volume to be backed up must be available or in-use, but the current status is "${v.status}".`,
      );
    const id = randomUUID();
    let parent: Bak | undefined;
    if (spec.incremental) {
      parent = [...this.backups.values()]
        .filter((b) => b.volumeId === v.id && b.status === "available")
        .sort((x, y) => y.createdAt.localeCompare(x.createdAt))[0];
      if (!parent)
        throw new CinderHttpError(
          "POST",
          "x",
          400,
          "badRequest",
          "Invalid backup: No backups available to do an incremental backup.",
        );
    }
    const b: Bak = {
      id,
      name: spec.name,
      description: spec.description,
      status: "creating",
      volumeId: v.id,
      size: v.size,
      isIncremental: !!parent,
      failReason: null,
      container: "backups",
      createdAt: new Date(this.lab.clock.now()).toISOString(),
    };
    this.backups.set(id, b);
    const before = v.status;
    v.status = "backing-up";
    const fault = this.takeFault("backup");
    if (fault?.kind === "stall") return { id };
    const snapshotData = Buffer.from(v.data);
    this.later(DELAY.backup, () => {
      v.status = before;
      if (fault?.kind === "error") {
        b.status = "error";
        b.failReason = fault.reason ?? "An unknown exception occurred.";
        return;
      }
      const base = parent?.base ?? `volume-${v.id}.backup.${id}`;
      const snap = `backup.${id}.snap.${(this.lab.clock.now() / 1000).toFixed(6)}`;
      const pool = this.lab.backupCeph.pool("backups");
      const img = pool.get(base) ?? { data: Buffer.alloc(0), snaps: new Map() };
      img.data = snapshotData;
      img.snaps.set(snap, snapshotData);
      pool.set(base, img);
      b.base = base;
      b.snap = snap;
      b.status = "available";
    });
    return { id };
  }
  async deleteBackup(id: string) {
    this.enter("delete-backup");
    const b = this.backups.get(id);
    if (!b) return;
    b.status = "deleting";
    this.later(DELAY.delete, () => {
      this.backups.delete(id);
      // like the real driver: the base image goes when its last backup snapshot goes
      const pool = this.lab.backupCeph.pool("backups");
      const img = b.base ? pool.get(b.base) : undefined;
      if (img && b.snap) {
        img.snaps.delete(b.snap);
        if (img.snaps.size === 0) pool.delete(b.base as string);
      }
    });
  }
  async sampleBackupDriver() {
    this.enter("list-backups");
    const first = [...this.backups.values()].find((b) => b.status === "available");
    return first && (await this.exportRecord(first.id)).backupService;
  }
  async exportRecord(id: string): Promise<BackupRecord> {
    this.enter("export");
    const b = this.backups.get(id);
    if (!b) throw new CinderHttpError("GET", "x", 404, "itemNotFound", `Backup ${id} could not be found.`);
    if (!this.isAdmin)
      throw new CinderHttpError(
        "GET",
        "x",
        403,
        "forbidden",
        "Policy doesn't allow backup:export-import to be performed.",
      );
    const rec = {
      id: b.id,
      size: b.size,
      volume_id: b.volumeId,
      display_name: b.name,
      service_metadata: JSON.stringify({ base: b.base }),
      snap: b.snap,
      created_at: b.createdAt,
    };
    return {
      backupService: this.backupDriver,
      backupUrl: Buffer.from(JSON.stringify(rec)).toString("base64"),
    };
  }
  async importRecord(record: BackupRecord) {
    this.enter("import");
    let rec: {
      id: string;
      size: number;
      volume_id: string;
      display_name: string | null;
      service_metadata: string;
      snap: string;
      created_at: string;
    };
    try {
      rec = JSON.parse(Buffer.from(record.backupUrl, "base64").toString());
    } catch {
      throw new CinderHttpError(
        "POST",
        "x",
        400,
        "badRequest",
        "Invalid input received: Can't parse backup record.",
      );
    }
    if (this.backups.has(rec.id))
      throw new CinderHttpError(
        "POST",
        "x",
        400,
        "badRequest",
        "Invalid backup: Backup already exists in database.",
      );
    const b: Bak = {
      id: rec.id,
      name: null,
      description: null,
      status: "creating",
      volumeId: "00000000-0000-0000-0000-000000000000",
      size: rec.size,
      isIncremental: false,
      failReason: null,
      container: "backups",
      createdAt: rec.created_at,
    };
    this.backups.set(rec.id, b);
    const fault = this.takeFault("import");
    if (fault?.kind === "stall") return { id: rec.id };
    this.later(DELAY.import, () => {
      if (fault?.kind === "error") {
        b.status = "error";
        b.failReason =
          fault.reason ??
          `Import record failed, cannot find backup service to perform the import. Request service ${record.backupService}.`;
        return;
      }
      Object.assign(b, {
        status: "available",
        volumeId: rec.volume_id,
        name: rec.display_name,
        base: JSON.parse(rec.service_metadata).base,
        snap: rec.snap,
      });
    });
    return { id: rec.id };
  }
  async restoreBackup(backupId: string, volumeId: string) {
    this.enter("restore");
    const b = this.backups.get(backupId);
    const v = this.volumes.get(volumeId);
    if (!b || !v) throw new CinderHttpError("POST", "x", 404, "itemNotFound", "not found");
    if (v.status !== "available")
      throw new CinderHttpError(
        "POST",
        "x",
        400,
        "badRequest",
        "Invalid volume: Volume to be restored to must be available",
      );
    if (b.status !== "available")
      throw new CinderHttpError(
        "POST",
        "x",
        400,
        "badRequest",
        "Invalid backup: Backup status must be available",
      );
    b.status = "restoring";
    v.status = "restoring-backup";
    const fault = this.takeFault("restore");
    if (fault?.kind === "stall") return;
    this.later(DELAY.restore, () => {
      b.status = "available";
      if (fault?.kind === "error") {
        v.status = "error_restoring";
        return;
      }
      const data = this.lab.backupCeph
        .pool("backups")
        .get(b.base ?? "")
        ?.snaps.get(b.snap ?? "");
      if (!data) {
        v.status = "error_restoring";
        return;
      }
      this.writeVolume(v.id, Buffer.from(data));
      v.metadata = { src_backup_id: b.id };
      v.status = "available";
    });
  }
  readonly transfers = new Map<string, { volumeId: string; authKey: string }>();
  async createTransfer(volumeId: string): Promise<{ id: string; authKey: string }> {
    this.enter("create-transfer");
    const v = this.volumes.get(volumeId);
    if (v?.status !== "available")
      throw new CinderHttpError("POST", "x", 400, "badRequest", "Invalid volume: status must be available");
    v.status = "awaiting-transfer";
    const id = randomUUID();
    const authKey = randomUUID().slice(0, 16);
    this.transfers.set(id, { volumeId, authKey });
    return { id, authKey };
  }
  async acceptTransfer(transferId: string, authKey: string): Promise<void> {
    this.enter("accept-transfer");
    const t = this.transfers.get(transferId);
    if (!t)
      throw new CinderHttpError(
        "POST",
        "x",
        404,
        "itemNotFound",
        `Transfer ${transferId} could not be found.`,
      );
    if (t.authKey !== authKey)
      throw new CinderHttpError(
        "POST",
        "x",
        400,
        "badRequest",
        "Invalid auth key: Attempt to transfer with incorrect auth key.",
      );
    const v = this.volumes.get(t.volumeId);
    if (v) Object.assign(v, { projectId: this.projectId, status: "available" });
    this.transfers.delete(transferId);
  }
  async listTransfers(volumeId: string) {
    this.enter("list-transfers");
    return [...this.transfers]
      .filter(([, t]) => t.volumeId === volumeId)
      .map(([id, t]) => ({ id, volumeId: t.volumeId }));
  }
  async deleteTransfer(transferId: string): Promise<void> {
    this.enter("delete-transfer");
    const t = this.transfers.get(transferId);
    const v = t && this.volumes.get(t.volumeId);
    if (v) v.status = "available";
    this.transfers.delete(transferId);
  }
  /** The same cloud seen by a user of another project (shares every table with this one). */
  asProject(projectId: string): MemoryCinder {
    return Object.create(this, { projectId: { value: projectId } }) as MemoryCinder;
  }
  async limits(): Promise<Limits> {
    this.enter("limits");
    const vols = [...this.volumes.values()];
    return {
      maxTotalVolumes: this.volumeQuota,
      maxTotalVolumeGigabytes: 1000,
      maxTotalBackups: 100,
      maxTotalBackupGigabytes: 1000,
      totalVolumesUsed: vols.length,
      totalGigabytesUsed: vols.reduce((s, v) => s + v.size, 0),
      totalBackupsUsed: this.backups.size,
      totalBackupGigabytesUsed: [...this.backups.values()].reduce((s, b) => s + b.size, 0),
    };
  }
  async listServices(): Promise<ServiceView[]> {
    this.enter("services");
    return [
      { binary: "cinder-backup", host: `${this.label}@ceph`, status: "enabled", state: "up", zone: "nova" },
    ];
  }
  async volumeTypes() {
    return ["__DEFAULT__", "ssd"];
  }
  async availabilityZones() {
    return ["nova"];
  }
}

export class MemoryLab {
  readonly clock = new VirtualClock();
  readonly backupCeph = new MemoryCeph("backup");
  readonly cephA = new MemoryCeph("A");
  readonly cephB = new MemoryCeph("B");
  readonly a = new MemoryCinder("A", this);
  readonly b = new MemoryCinder("B", this);
  ceph(side: MemoryCinder): MemoryCeph {
    return side === this.a ? this.cephA : this.cephB;
  }
  access() {
    return {
      backup: { cluster: this.backupCeph, pool: "backups" },
      target: { cluster: this.cephB, pool: "volumes" },
    };
  }
}

export function pattern(seed: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (seed * 31 + i * 7) & 0xff;
  return b;
}
