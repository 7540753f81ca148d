// Normalising a recording so two targets can be compared: what must differ (ids, times,
// hosts, ports, project, request ids) becomes a placeholder; ids become numbered
// placeholders so "the same id twice" stays visible.
import type { Deployment, Exchange } from "./types.js";

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const REQUEST_ID = /req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const ISO_TIME = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?/g;
// Cinder's Ceph driver names backup snapshots backup.<id>.snap.<unix time with fraction>
const SNAP_TIME = /\.snap\.\d+(\.\d+)?/g;

export interface NormaliseContext {
  projectId: string;
  deployments: Deployment[];
}

/** base64 text that decodes to a JSON object (backup_url is one) */
function decodeBase64Json(text: string): unknown {
  if (text.length < 16 || !/^[A-Za-z0-9+/]+=*$/.test(text)) return undefined;
  try {
    const decoded = JSON.parse(Buffer.from(text, "base64").toString("utf8")) as unknown;
    return decoded !== null && typeof decoded === "object" ? decoded : undefined;
  } catch {
    return undefined;
  }
}

/** a JSON string holding a JSON object (backup_url's service_metadata is one) */
function parseJsonText(text: string): unknown {
  if (!text.startsWith("{")) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export class Normaliser {
  readonly #ids: Map<string, string>;
  readonly #replacements: Array<[RegExp, string]>;
  /** placeholder prefix for ids first seen here: "" for the main numbering */
  readonly #scope: string;
  #numbered = 0;
  readonly #context: NormaliseContext;

  constructor(context: NormaliseContext, inherited?: { ids: Map<string, string>; scope: string }) {
    this.#ids = new Map(inherited?.ids);
    this.#scope = inherited?.scope ?? "";
    this.#context = context;
    this.#replacements = [];
    for (const d of context.deployments) {
      const origin = new URL(d.url).origin;
      this.#replacements.push([new RegExp(escapeRegExp(origin), "g"), `<cinder-${d.name}>`]);
      for (const host of d.hosts) {
        this.#replacements.push([new RegExp(`\\b${escapeRegExp(host)}\\b`, "g"), `<host-${d.name}>`]);
      }
    }
    this.#replacements.push([new RegExp(escapeRegExp(context.projectId), "g"), "<project>"]);
  }

  /** the placeholder an id gets (numbered in order of first sight) */
  id(raw: string): string {
    const known = this.#ids.get(raw);
    if (known) return known;
    this.#numbered += 1;
    const placeholder = `<id:${this.#scope}${this.#numbered}>`;
    this.#ids.set(raw, placeholder);
    return placeholder;
  }

  /**
   * A normaliser for one observation at a race point: it knows every id numbered so far, but
   * numbers the ids it sees first as `<id:~N>` and keeps them to itself, so whether a race
   * went one way or the other never shifts the numbering of the steps after it.
   */
  fork(): Normaliser {
    return new Normaliser(this.#context, { ids: this.#ids, scope: "~" });
  }

  string(text: string): unknown {
    const decoded = decodeBase64Json(text);
    if (decoded !== undefined) return { "<base64-json>": this.value(decoded) };
    const nested = parseJsonText(text);
    if (nested !== undefined && typeof nested === "object" && nested !== null)
      return { "<json>": this.value(nested) };
    let out = text.replace(REQUEST_ID, "<request-id>");
    for (const [pattern, placeholder] of this.#replacements) out = out.replace(pattern, placeholder);
    out = out.replace(ISO_TIME, "<timestamp>").replace(SNAP_TIME, ".snap.<timestamp>");
    return out.replace(UUID, (m) => this.id(m));
  }

  /** keys are visited sorted, so the numbering does not depend on a server's key order */
  value(v: unknown): unknown {
    if (typeof v === "string") return this.string(v);
    if (Array.isArray(v)) return v.map((x) => this.value(x));
    if (v !== null && typeof v === "object") {
      const entries = Object.entries(v as Record<string, unknown>);
      const out: Record<string, unknown> = {};
      for (const [k, x] of [...entries].sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0)))
        out[k] = this.value(x);
      // the original key order is kept in the output for readability
      return Object.fromEntries(entries.map(([k]) => [k, out[k]]));
    }
    return v;
  }

  exchange(e: Exchange): Exchange {
    return this.value(e) as Exchange;
  }
}
