// The live view's timeline, as pure functions of what the lab saw: API calls (method,
// path, action, HTTP status) and the model's status changes. No HTTP, no timers: the
// adapter (recorder.ts) feeds calls and events in, this turns them into entries.
//
// The "cause" of a status change is the API call it happened in; an asynchronous step
// (creating → available long after the 202) inherits the cause of the last call that
// touched the same resource, so the trainee sees `cinder backup-create` next to both.
import type { Command, TimelineEntry } from "./schemas.js";

type Method = string;

interface Verb {
  method: Method;
  /** segments after /v3[/<project>]; "{id}" matches one id */
  path: string;
  /** the key of the action body (`{"os-extend": {...}}`) for POST .../action */
  action?: string;
  cli: string;
}

/** method + path (+ action) → the cinder CLI verb that sends it (python-cinderclient v3 shell) */
const VERBS: Verb[] = [
  { method: "POST", path: "volumes", cli: "cinder create" },
  { method: "DELETE", path: "volumes/{id}", cli: "cinder delete" },
  { method: "PUT", path: "volumes/{id}", cli: "cinder rename" },
  { method: "POST", path: "volumes/{id}/metadata", cli: "cinder metadata" },
  { method: "POST", path: "volumes/{id}/action", action: "os-extend", cli: "cinder extend" },
  { method: "POST", path: "volumes/{id}/action", action: "os-reset_status", cli: "cinder reset-state" },
  { method: "POST", path: "volumes/{id}/action", action: "os-force_delete", cli: "cinder force-delete" },
  { method: "POST", path: "volumes/{id}/action", action: "os-set_bootable", cli: "cinder set-bootable" },
  {
    method: "POST",
    path: "volumes/{id}/action",
    action: "os-update_readonly_flag",
    cli: "cinder readonly-mode-update",
  },
  { method: "POST", path: "volumes/{id}/action", action: "os-retype", cli: "cinder retype" },
  { method: "POST", path: "volumes/{id}/action", action: "os-migrate_volume", cli: "cinder migrate" },
  {
    method: "POST",
    path: "volumes/{id}/action",
    action: "os-volume_upload_image",
    cli: "cinder upload-to-image",
  },
  { method: "POST", path: "backups", cli: "cinder backup-create" },
  { method: "DELETE", path: "backups/{id}", cli: "cinder backup-delete" },
  { method: "PUT", path: "backups/{id}", cli: "cinder backup-update" },
  { method: "POST", path: "backups/{id}/restore", cli: "cinder backup-restore" },
  { method: "GET", path: "backups/{id}/export_record", cli: "cinder backup-export" },
  { method: "POST", path: "backups/import_record", cli: "cinder backup-import" },
  {
    method: "POST",
    path: "backups/{id}/action",
    action: "os-reset_status",
    cli: "cinder backup-reset-state",
  },
  {
    method: "POST",
    path: "backups/{id}/action",
    action: "os-force_delete",
    cli: "cinder backup-delete --force",
  },
  { method: "POST", path: "snapshots", cli: "cinder snapshot-create" },
  { method: "DELETE", path: "snapshots/{id}", cli: "cinder snapshot-delete" },
  { method: "PUT", path: "snapshots/{id}", cli: "cinder snapshot-rename" },
  {
    method: "POST",
    path: "snapshots/{id}/action",
    action: "os-reset_status",
    cli: "cinder snapshot-reset-state",
  },
  { method: "POST", path: "attachments", cli: "cinder attachment-create" },
  { method: "PUT", path: "attachments/{id}", cli: "cinder attachment-update" },
  {
    method: "POST",
    path: "attachments/{id}/action",
    action: "os-complete",
    cli: "cinder attachment-complete",
  },
  { method: "DELETE", path: "attachments/{id}", cli: "cinder attachment-delete" },
  { method: "POST", path: "os-volume-transfer", cli: "cinder transfer-create" },
  { method: "POST", path: "volume-transfers", cli: "cinder transfer-create" },
  { method: "POST", path: "os-volume-transfer/{id}/accept", cli: "cinder transfer-accept" },
  { method: "POST", path: "volume-transfers/{id}/accept", cli: "cinder transfer-accept" },
  { method: "DELETE", path: "os-volume-transfer/{id}", cli: "cinder transfer-delete" },
  { method: "DELETE", path: "volume-transfers/{id}", cli: "cinder transfer-delete" },
  { method: "PUT", path: "os-quota-sets/{id}", cli: "cinder quota-update" },
  { method: "DELETE", path: "os-quota-sets/{id}", cli: "cinder quota-delete" },
  { method: "PUT", path: "os-services/enable", cli: "cinder service-enable" },
  { method: "PUT", path: "os-services/disable", cli: "cinder service-disable" },
];

/** the lab's own control plane (/_fake/*): not Cinder, said so in the timeline */
const CONTROL_VERBS: Array<{ method: Method; path: string; cli: string }> = [
  { method: "POST", path: "/_fake/clock/advance", cli: "lab: advance the clock" },
  { method: "POST", path: "/_fake/services", cli: "lab: set a service's state" },
  { method: "POST", path: "/_fake/services/restart", cli: "lab: restart a service (systemctl restart)" },
  { method: "POST", path: "/_fake/faults", cli: "lab: plant a fault" },
  { method: "DELETE", path: "/_fake/faults", cli: "lab: clear the faults" },
  { method: "DELETE", path: "/_fake/faults/{id}", cli: "lab: clear a fault" },
  { method: "POST", path: "/_fake/reset", cli: "lab: reset the cluster" },
];

/** first path segments of Cinder v3 resources; anything else after /v3/ is a project id */
const COLLECTIONS = new Set([
  ...VERBS.map((v) => v.path.split("/")[0]),
  "limits",
  "types",
  "extensions",
  "messages",
  "os-availability-zone",
  "scheduler-stats",
  "capabilities",
  "groups",
  "group_types",
]);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX_ID = /^[0-9a-f]{32}$/i;
const isId = (segment: string): boolean =>
  UUID.test(segment) || HEX_ID.test(segment) || /^\d+$/.test(segment);

/** a shortened id as the page prints it: the first 8 characters */
export const shortId = (id: string): string => (id.length > 8 ? id.slice(0, 8) : id);

interface ParsedPath {
  /** e.g. "/v3/<p>/backups/1b2c3d4e/restore" */
  display: string;
  /** e.g. "backups/{id}/restore" (Cinder), or the control path with {id} */
  pattern: string;
  control: boolean;
  /** ids named in the path, full length */
  ids: string[];
}

export function parsePath(url: string): ParsedPath {
  const path = url.split("?")[0] ?? "";
  const segments = path.split("/").filter((s) => s !== "");
  if (segments[0] === "_fake") {
    const pattern = `/${segments.map((s) => (isId(s) ? "{id}" : s)).join("/")}`;
    return { display: path, pattern, control: true, ids: [] };
  }
  const ids: string[] = [];
  const shown: string[] = [];
  const pattern: string[] = [];
  let rest = segments;
  if (rest[0] === "v3") {
    shown.push("v3");
    rest = rest.slice(1);
    const first = rest[0];
    if (first !== undefined && !COLLECTIONS.has(first)) {
      shown.push("<p>");
      rest = rest.slice(1);
    }
  }
  for (const s of rest) {
    if (isId(s)) {
      ids.push(s);
      shown.push(shortId(s));
      pattern.push("{id}");
    } else {
      shown.push(s);
      pattern.push(s);
    }
  }
  return { display: `/${shown.join("/")}`, pattern: pattern.join("/"), control: false, ids };
}

export interface ApiCall {
  cluster: string;
  method: string;
  /** the request URL as received (path and query) */
  url: string;
  /** the first key of a JSON object body: the action of POST .../action */
  action?: string | undefined;
}

/** The command an API call stands for: what it sent and the cinder CLI verb, if any. */
export function describeCall(call: ApiCall): Command & { path: string; control: boolean; shown: boolean } {
  const method = call.method.toUpperCase();
  const parsed = parsePath(call.url);
  const path = `${parsed.display}${call.action && parsed.pattern.endsWith("/action") ? ` ${call.action}` : ""}`;
  const request = `${method} ${path}`;
  if (parsed.control) {
    const verb = CONTROL_VERBS.find((v) => v.method === method && v.path === parsed.pattern);
    return { request, path, cli: verb?.cli ?? null, control: true, shown: method !== "GET" };
  }
  const verb = VERBS.find(
    (v) =>
      v.method === method &&
      v.path === parsed.pattern &&
      (v.action === undefined || v.action === call.action),
  );
  // reads are the polling noise of every client; only the ones a procedure step is (export) show
  return {
    request,
    path,
    cli: verb?.cli ?? null,
    control: false,
    shown: method !== "GET" || verb !== undefined,
  };
}

/**
 * The message of an error body, for the timeline: Cinder's fault wrapper
 * (`{"badRequest": {"message": ...}}`), webob's (`{"message": "...<br />"}`) or Keystone's
 * (`{"error": {"message": ...}}`). Null when the text carries none.
 */
export function faultMessage(text: string): string | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  if (body === null || typeof body !== "object") return null;
  const record = body as Record<string, unknown>;
  const candidates = [
    record.message,
    ...Object.values(record).map((v) => (v as { message?: unknown })?.message),
  ];
  const found = candidates.find((m): m is string => typeof m === "string" && m.trim() !== "");
  if (found === undefined) return null;
  const clean = found.split("<br />")[0]?.trim() ?? "";
  return clean.length > 240 ? `${clean.slice(0, 239)}…` : clean;
}

export interface StatusChange {
  cluster: string;
  kind: "volume" | "backup" | "snapshot" | "service";
  id: string;
  from: string | null;
  to: string | null;
  at: Date;
}

const MAX_OPEN_CALLS = 1000;

interface OpenCall {
  call: ApiCall;
  /** status changes seen while the call ran: shown after the call's own entry */
  held: StatusChange[];
  /** when the handler started: the call's time on the timeline, before the changes it made */
  startedAt: Date | undefined;
}

/**
 * Turns calls and status changes into timeline entries, oldest first, keeping the last
 * `limit` for a page that connects late.
 */
export class Timeline {
  readonly #limit: number;
  #seq = 0;
  #entries: TimelineEntry[] = [];
  #open = new Map<number, OpenCall>();
  /** per cluster/resource id: the last Cinder call that changed it */
  #causes = new Map<string, Command>();

  constructor(limit = 300) {
    this.#limit = limit;
  }

  get entries(): TimelineEntry[] {
    return [...this.#entries];
  }

  /** A call reached its handler; status changes tagged with `key` are held until it ends. */
  begin(key: number, call: ApiCall, startedAt?: Date): void {
    this.#open.set(key, { call, held: [], startedAt });
    // a call whose client went away may never end; the oldest such are let go
    if (this.#open.size > MAX_OPEN_CALLS) {
      const oldest = this.#open.keys().next().value;
      if (oldest !== undefined) this.#open.delete(oldest);
    }
  }

  /** Whether a call is still running (its changes are held, not yet shown). */
  isOpen(key: number): boolean {
    return this.#open.has(key);
  }

  /**
   * A status change. `during` is the call it happened in, if any; a change outside any
   * running call (a delayed step) takes the last cause recorded for the resource.
   */
  change(event: StatusChange, during?: number): TimelineEntry[] {
    const open = during === undefined ? undefined : this.#open.get(during);
    if (open) {
      open.held.push(event);
      return [];
    }
    return [this.#statusEntry(event, this.#causes.get(this.#key(event)) ?? null)];
  }

  /**
   * A call answered. Returns its entry (unless it is a plain read) and the changes it held.
   * `fallback` is the call itself when it was refused before its handler (never begun).
   */
  end(
    key: number,
    status: number,
    at: Date,
    extra: { fallback?: ApiCall | undefined; message?: string | null | undefined } = {},
  ): TimelineEntry[] {
    const { fallback } = extra;
    const open = this.#open.get(key) ?? (fallback ? { call: fallback, held: [], startedAt: at } : undefined);
    this.#open.delete(key);
    if (!open) return [];
    const described = describeCall(open.call);
    const command: Command = { request: described.request, cli: described.cli };
    const out: TimelineEntry[] = [];
    if (described.shown) {
      out.push(
        this.#push({
          seq: 0,
          kind: "api",
          at: (open.startedAt ?? at).toISOString(),
          cluster: open.call.cluster,
          method: open.call.method.toUpperCase(),
          path: described.path,
          status,
          command,
          message: status >= 400 ? (extra.message ?? null) : null,
        }),
      );
    }
    for (const event of open.held) {
      const key2 = this.#key(event);
      // a control call (advancing the clock) moves statuses, but the Cinder call that
      // started the step is the cause worth showing
      const cause = described.control ? (this.#causes.get(key2) ?? command) : command;
      if (!described.control) this.#causes.set(key2, command);
      out.push(this.#statusEntry(event, cause));
    }
    return out;
  }

  #key(event: StatusChange): string {
    return `${event.cluster}/${event.kind}/${event.id}`;
  }

  #statusEntry(event: StatusChange, cause: Command | null): TimelineEntry {
    // a resource that is gone can never be the subject of a later delayed step
    if (event.to === null) this.#causes.delete(this.#key(event));
    return this.#push({
      seq: 0,
      kind: "status",
      at: event.at.toISOString(),
      cluster: event.cluster,
      resource: event.kind,
      id: event.id,
      from: event.from,
      to: event.to,
      cause,
    });
  }

  #push(entry: TimelineEntry): TimelineEntry {
    const numbered = { ...entry, seq: ++this.#seq };
    this.#entries.push(numbered);
    if (this.#entries.length > this.#limit) this.#entries.splice(0, this.#entries.length - this.#limit);
    return numbered;
  }
}
