// Cinder v3 over HTTP, implementing the engine's BlockStorage port. Every response the
// migrator relies on is parsed with zod, so a surprise from the server is a clear error
// here rather than an undefined somewhere in a step.
import { z } from "zod";
import type {
  BackupRecord,
  BackupView,
  BlockStorage,
  Limits,
  NewVolume,
  ServiceView,
  VolumeView,
} from "../engine/ports.js";
import { CinderHttpError, MigratorError } from "../errors.js";
import type { OpenStackSession } from "./session.js";

/** The newest microversion this client knows (Zed). */
export const CLIENT_MAX_MICROVERSION = "3.70";

const volumeSchema = z.object({
  id: z.string(),
  name: z.string().nullish(),
  description: z.string().nullish(),
  size: z.number(),
  status: z.string(),
  volume_type: z.string().nullish(),
  availability_zone: z.string().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  bootable: z.union([z.string(), z.boolean()]).nullish(),
  attachments: z.array(z.unknown()).nullish(),
  "os-vol-tenant-attr:tenant_id": z.string().nullish(),
});

const backupSchema = z.object({
  id: z.string(),
  name: z.string().nullish(),
  description: z.string().nullish(),
  status: z.string(),
  volume_id: z.string(),
  size: z.number().nullish(),
  is_incremental: z.boolean().nullish(),
  fail_reason: z.string().nullish(),
  container: z.string().nullish(),
  created_at: z.string().nullish(),
});

const versionsSchema = z.object({
  versions: z.array(
    z.object({ id: z.string(), version: z.string().nullish(), min_version: z.string().nullish() }),
  ),
});

const recordSchema = z.object({
  "backup-record": z.object({ backup_service: z.string(), backup_url: z.string() }),
});

const limitsSchema = z.object({
  limits: z.object({
    absolute: z.object({
      maxTotalVolumes: z.number(),
      maxTotalVolumeGigabytes: z.number(),
      maxTotalBackups: z.number(),
      maxTotalBackupGigabytes: z.number(),
      totalVolumesUsed: z.number(),
      totalGigabytesUsed: z.number(),
      totalBackupsUsed: z.number(),
      totalBackupGigabytesUsed: z.number(),
    }),
  }),
});

const servicesSchema = z.object({
  services: z.array(
    z.object({
      binary: z.string(),
      host: z.string(),
      status: z.string(),
      state: z.string(),
      zone: z.string(),
    }),
  ),
});

export function toVolumeView(v: z.infer<typeof volumeSchema>): VolumeView {
  return {
    id: v.id,
    name: v.name ?? null,
    description: v.description ?? null,
    size: v.size,
    status: v.status,
    volumeType: v.volume_type ?? null,
    availabilityZone: v.availability_zone ?? null,
    metadata: v.metadata ?? {},
    bootable: v.bootable === true || v.bootable === "true",
    attachments: v.attachments?.length ?? 0,
    projectId: v["os-vol-tenant-attr:tenant_id"] ?? undefined,
  };
}

function toBackupView(b: z.infer<typeof backupSchema>): BackupView {
  return {
    id: b.id,
    name: b.name ?? null,
    description: b.description ?? null,
    status: b.status,
    volumeId: b.volume_id,
    size: b.size ?? 0,
    isIncremental: b.is_incremental ?? false,
    failReason: b.fail_reason ?? null,
    container: b.container ?? null,
    createdAt: b.created_at ?? "",
  };
}

function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const r = schema.safeParse(body);
  if (!r.success) {
    throw new MigratorError(
      "HTTP",
      `unexpected ${what} response: ${r.error.issues[0]?.message ?? "invalid"}`,
      {
        exitCode: 3,
      },
    );
  }
  return r.data;
}

export class CinderClient implements BlockStorage {
  microversion = "3.0";

  constructor(readonly session: OpenStackSession) {}

  get label(): string {
    return this.session.label;
  }
  get projectId(): string {
    return this.session.projectId;
  }
  get isAdmin(): boolean {
    return this.session.isAdmin;
  }

  /** cinderclient's negotiation: GET the unversioned root, take min(ours, server max). */
  async negotiate(): Promise<string> {
    const root = /(.+)\/v[1-3].*/.exec(this.session.cinderEndpoint)?.[1] ?? this.session.cinderEndpoint;
    let body: unknown;
    try {
      body = (await this.session.request("GET", `${root}/`)).body;
    } catch (error) {
      // Real Cinder answers 300 Multiple Choices; undici does not treat 3xx as an error.
      if (!(error instanceof CinderHttpError)) throw error;
      body = undefined;
    }
    const v3 = versionsSchema.safeParse(body).data?.versions.find((v) => v.version?.startsWith("3."));
    this.microversion = v3?.version ? minVersion(v3.version, CLIENT_MAX_MICROVERSION) : "3.0";
    return this.microversion;
  }

  private url(path: string): string {
    return `${this.session.cinderEndpoint}${path}`;
  }

  private async call(
    method: "GET" | "POST" | "PUT" | "DELETE",
    path: string,
    body?: unknown,
  ): Promise<unknown> {
    const headers: Record<string, string> = {};
    if (this.microversion !== "3.0") headers["openstack-api-version"] = `volume ${this.microversion}`;
    const res = await this.session.request(method, this.url(path), { headers, body });
    return res.body;
  }

  private async getOrUndefined<T>(path: string, schema: z.ZodType<T>, what: string): Promise<T | undefined> {
    try {
      return parse(schema, await this.call("GET", path), what);
    } catch (error) {
      if (error instanceof CinderHttpError && error.status === 404) return undefined;
      throw error;
    }
  }

  async getVolume(id: string): Promise<VolumeView | undefined> {
    const r = await this.getOrUndefined(`/volumes/${enc(id)}`, z.object({ volume: volumeSchema }), "volume");
    return r && toVolumeView(r.volume);
  }

  async findVolumes(filter: { name?: string; allProjects?: boolean }): Promise<VolumeView[]> {
    const q = new URLSearchParams();
    if (filter.allProjects) q.set("all_tenants", "1");
    if (filter.name !== undefined) q.set("name", filter.name);
    const body = await this.call("GET", `/volumes/detail${q.size ? `?${q}` : ""}`);
    const volumes = parse(z.object({ volumes: z.array(volumeSchema) }), body, "volume list").volumes.map(
      toVolumeView,
    );
    // Some deployments ignore unknown filters; match the name here too.
    return filter.name === undefined ? volumes : volumes.filter((v) => v.name === filter.name);
  }

  async createVolume(spec: NewVolume): Promise<VolumeView> {
    const body = await this.call("POST", "/volumes", {
      volume: {
        size: spec.size,
        name: spec.name,
        description: spec.description,
        volume_type: spec.volumeType,
        availability_zone: spec.availabilityZone,
        metadata: spec.metadata,
      },
    });
    return toVolumeView(parse(z.object({ volume: volumeSchema }), body, "volume create").volume);
  }

  async updateVolume(
    id: string,
    patch: { name?: string; description?: string | null; metadata?: Record<string, string> },
  ): Promise<void> {
    await this.call("PUT", `/volumes/${enc(id)}`, { volume: patch });
  }

  async setBootable(id: string, bootable: boolean): Promise<void> {
    await this.call("POST", `/volumes/${enc(id)}/action`, { "os-set_bootable": { bootable } });
  }

  async getBackup(id: string): Promise<BackupView | undefined> {
    const r = await this.getOrUndefined(`/backups/${enc(id)}`, z.object({ backup: backupSchema }), "backup");
    return r && toBackupView(r.backup);
  }

  async findBackups(filter: { name?: string; volumeId?: string }): Promise<BackupView[]> {
    const q = new URLSearchParams();
    if (filter.name !== undefined) q.set("name", filter.name);
    if (filter.volumeId !== undefined) q.set("volume_id", filter.volumeId);
    const body = await this.call("GET", `/backups/detail${q.size ? `?${q}` : ""}`);
    return parse(z.object({ backups: z.array(backupSchema) }), body, "backup list")
      .backups.map(toBackupView)
      .filter(
        (b) =>
          (filter.name === undefined || b.name === filter.name) &&
          (filter.volumeId === undefined || b.volumeId === filter.volumeId),
      );
  }

  async createBackup(spec: {
    volumeId: string;
    name: string;
    description: string;
    incremental: boolean;
    force: boolean;
  }): Promise<{ id: string }> {
    const body = await this.call("POST", "/backups", {
      backup: {
        volume_id: spec.volumeId,
        container: null,
        name: spec.name,
        description: spec.description,
        incremental: spec.incremental,
        force: spec.force,
        snapshot_id: null,
      },
    });
    return parse(z.object({ backup: z.object({ id: z.string() }) }), body, "backup create").backup;
  }

  async deleteBackup(id: string): Promise<void> {
    try {
      await this.call("DELETE", `/backups/${enc(id)}`);
    } catch (error) {
      if (error instanceof CinderHttpError && error.status === 404) return;
      throw error;
    }
  }

  async exportRecord(backupId: string): Promise<BackupRecord> {
    const body = await this.call("GET", `/backups/${enc(backupId)}/export_record`);
    const r = parse(recordSchema, body, "export_record")["backup-record"];
    return { backupService: r.backup_service, backupUrl: r.backup_url };
  }

  async sampleBackupDriver(): Promise<string | undefined> {
    // Only the export record names the driver; a few candidates, because an export is refused
    // when the backup was made by a driver that is no longer configured.
    const q = new URLSearchParams({ all_tenants: "1", status: "available", limit: "3" });
    const body = await this.call("GET", `/backups/detail?${q}`);
    for (const b of parse(z.object({ backups: z.array(backupSchema) }), body, "backup list").backups) {
      try {
        return (await this.exportRecord(b.id)).backupService;
      } catch (error) {
        if (!(error instanceof CinderHttpError) || error.status >= 500) throw error;
      }
    }
    return undefined;
  }

  async importRecord(record: BackupRecord): Promise<{ id: string }> {
    const body = await this.call("POST", "/backups/import_record", {
      "backup-record": { backup_service: record.backupService, backup_url: record.backupUrl },
    });
    return parse(z.object({ backup: z.object({ id: z.string() }) }), body, "import_record").backup;
  }

  async restoreBackup(backupId: string, volumeId: string): Promise<void> {
    await this.call("POST", `/backups/${enc(backupId)}/restore`, {
      restore: { volume_id: volumeId, name: null },
    });
  }

  async createTransfer(volumeId: string, name: string): Promise<{ id: string; authKey: string }> {
    const body = await this.call("POST", this.transfersPath(), { transfer: { volume_id: volumeId, name } });
    const t = parse(
      z.object({ transfer: z.object({ id: z.string(), auth_key: z.string() }) }),
      body,
      "transfer",
    ).transfer;
    return { id: t.id, authKey: t.auth_key };
  }

  async acceptTransfer(transferId: string, authKey: string): Promise<void> {
    await this.call("POST", `${this.transfersPath()}/${enc(transferId)}/accept`, {
      accept: { auth_key: authKey },
    });
  }

  async listTransfers(volumeId: string): Promise<{ id: string; volumeId: string }[]> {
    const body = await this.call("GET", `${this.transfersPath()}/detail`);
    return parse(
      z.object({ transfers: z.array(z.object({ id: z.string(), volume_id: z.string() })) }),
      body,
      "transfer list",
    )
      .transfers.filter((t) => t.volume_id === volumeId)
      .map((t) => ({ id: t.id, volumeId: t.volume_id }));
  }

  async deleteTransfer(transferId: string): Promise<void> {
    await this.call("DELETE", `${this.transfersPath()}/${enc(transferId)}`);
  }

  /** 3.55 renamed os-volume-transfer to volume-transfers */
  private transfersPath(): string {
    return compare(this.microversion, "3.55") >= 0 ? "/volume-transfers" : "/os-volume-transfer";
  }

  async limits(): Promise<Limits> {
    return parse(limitsSchema, await this.call("GET", "/limits"), "limits").limits.absolute;
  }

  async listServices(binary?: string): Promise<ServiceView[]> {
    const q = binary ? `?binary=${enc(binary)}` : "";
    return parse(servicesSchema, await this.call("GET", `/os-services${q}`), "os-services").services;
  }

  async volumeTypes(): Promise<string[]> {
    const body = await this.call("GET", "/types");
    return parse(
      z.object({ volume_types: z.array(z.object({ name: z.string() })) }),
      body,
      "types",
    ).volume_types.map((t) => t.name);
  }

  async availabilityZones(): Promise<string[]> {
    const body = await this.call("GET", "/os-availability-zone");
    return parse(
      z.object({ availabilityZoneInfo: z.array(z.object({ zoneName: z.string() })) }),
      body,
      "availability zones",
    ).availabilityZoneInfo.map((z) => z.zoneName);
  }
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

export function compare(a: string, b: string): number {
  const [am = 0, an = 0] = a.split(".").map(Number);
  const [bm = 0, bn = 0] = b.split(".").map(Number);
  return am - bm || an - bn;
}

function minVersion(a: string, b: string): string {
  return compare(a, b) <= 0 ? a : b;
}
