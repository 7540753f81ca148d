// The JSON text of a model row's view, kept per view variant and reused while the row is
// unchanged. A hot read (backup show, a detail list) then costs a comparison per row
// instead of building the view and stringifying it.
//
// The model changes rows in place from many places (status steps, metadata, attachments,
// driver callbacks), so there is no version number kept by hand that a forgotten bump
// could make stale. Instead a row counts as unchanged while it still equals a snapshot of
// its own data taken when its texts were made: primitives by value, Dates by time, nested
// records and arrays deeply, key order included (key order is part of the text). Anything
// the snapshot cannot represent (a Map, a class instance) makes the row uncacheable: it
// is rendered afresh on every read.
//
// A variant names everything else the view depends on (microversion, admin or not, the
// link base); `extra` carries a per-row input that lives outside the row (a volume type's
// name), compared by identity.

/** How many variants one row keeps; more (many hosts or versions at once) start afresh. */
const MAX_VARIANTS_PER_ROW = 8;

class DateSnap {
  constructor(readonly time: number) {}
}

class RecordSnap {
  constructor(
    readonly keys: string[],
    readonly values: Snap[],
  ) {}
}

class ArraySnap {
  constructor(readonly items: Snap[]) {}
}

/** never equal to anything: a value the snapshot cannot stand for */
class Opaque {}
const OPAQUE = new Opaque();

type Snap = string | number | boolean | null | undefined | DateSnap | RecordSnap | ArraySnap | Opaque;

function snapshotOf(value: unknown): Snap {
  if (value === null || typeof value !== "object") {
    return typeof value === "function" || typeof value === "symbol" || typeof value === "bigint"
      ? OPAQUE
      : (value as Snap);
  }
  if (value instanceof Date) return new DateSnap(value.getTime());
  if (Array.isArray(value)) return new ArraySnap(value.map(snapshotOf));
  if (Object.getPrototypeOf(value) !== Object.prototype) return OPAQUE;
  const keys: string[] = [];
  const values: Snap[] = [];
  for (const key in value) {
    keys.push(key);
    values.push(snapshotOf((value as Record<string, unknown>)[key]));
  }
  return new RecordSnap(keys, values);
}

/** True when `value` still equals what `snap` was taken from. */
function unchanged(value: unknown, snap: Snap): boolean {
  if (snap instanceof RecordSnap) {
    if (value === null || typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype)
      return false;
    const { keys, values } = snap;
    let i = 0;
    for (const key in value) {
      if (key !== keys[i]) return false;
      const current = (value as Record<string, unknown>)[key];
      // most fields are primitives kept as they are: settle those without a call
      if (current !== values[i] && !unchanged(current, values[i])) return false;
      i++;
    }
    return i === keys.length;
  }
  if (snap instanceof DateSnap) return value instanceof Date && value.getTime() === snap.time;
  if (snap instanceof ArraySnap) {
    if (!Array.isArray(value) || value.length !== snap.items.length) return false;
    for (let i = 0; i < value.length; i++) {
      if (value[i] !== snap.items[i] && !unchanged(value[i], snap.items[i])) return false;
    }
    return true;
  }
  if (snap instanceof Opaque) return false;
  return value === snap;
}

interface Rendered {
  extra: unknown;
  text: string | Buffer;
}

interface Entry {
  snap: Snap;
  texts: Map<string, Rendered>;
}

export class RowTextCache {
  readonly #entries = new WeakMap<object, Entry>();

  /**
   * The text `render(row, extra)` gives in `variant`: the one made last time when the row
   * and `extra` are unchanged since, else a fresh one. `render` must read nothing but the
   * row, the variant's inputs and `extra` (a list passes one render for all its rows, so
   * no closure is made per row). A variant always renders to one type (the JSON text, or
   * its UTF-8 bytes for a whole document sent as it is).
   */
  text<R extends object, E, T extends string | Buffer>(
    row: R,
    variant: string,
    extra: E,
    render: (row: R, extra: E) => T,
  ): T {
    let entry = this.#entries.get(row);
    if (entry === undefined || !unchanged(row, entry.snap)) {
      entry = { snap: snapshotOf(row), texts: new Map() };
      this.#entries.set(row, entry);
    }
    const found = entry.texts.get(variant);
    if (found !== undefined && found.extra === extra) return found.text as T;
    const text = render(row, extra);
    if (found === undefined && entry.texts.size >= MAX_VARIANTS_PER_ROW) entry.texts.clear();
    entry.texts.set(variant, { extra, text });
    return text;
  }
}

/** How many list documents are kept (one per route, variant and query string). */
const MAX_LIST_DOCUMENTS = 16;

interface ListDocument {
  head: string;
  items: string[];
  tail: string;
  body: Buffer;
}

/**
 * The last bytes sent for each list request, reused while its items and tail are the same
 * texts. A detail list of 100 volumes is ~110 KB: joining it and encoding it to UTF-8 on
 * every request cost more than the rest of the request. The key only says where to look:
 * a document is reused only when everything it was made from is equal.
 */
export class ListDocumentCache {
  readonly #documents = new Map<string, ListDocument>();

  /** `${head}${items joined with ","}${tail}` as UTF-8. */
  body(key: string, head: string, items: string[], tail: string): Buffer {
    const last = this.#documents.get(key);
    if (last !== undefined && last.head === head && last.tail === tail && sameItems(last.items, items)) {
      return last.body;
    }
    const body = Buffer.from(`${head}${items.join(",")}${tail}`);
    if (last === undefined && this.#documents.size >= MAX_LIST_DOCUMENTS) {
      // the oldest entry goes (Map keeps insertion order)
      const oldest = this.#documents.keys().next().value;
      if (oldest !== undefined) this.#documents.delete(oldest);
    }
    this.#documents.set(key, { head, items, tail, body });
    return body;
  }
}

function sameItems(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
