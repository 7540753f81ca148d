// RemoteRbd: the RbdBackend contract over the fake-rbd HTTP server, so several processes
// (two fake Cinder clusters, the CLI, tests) share one fake Ceph. Errors come back as the
// same RbdError the server's backend threw; data streams flow both ways without buffering.
import { Readable } from "node:stream";
import type { Dispatcher } from "undici";
import type { z } from "zod";
import type {
  CreateImageOptions,
  DiffExtent,
  DiffReadOptions,
  DiskUsage,
  ExportDiffOptions,
  ExportFormatOptions,
  ImageInfo,
  ImageRef,
  ImportDiffOptions,
  RbdBackend,
  SnapInfo,
  SnapRef,
} from "./backend.js";
import { Agent, request } from "./http-client.js";
import { RbdError } from "./model/errors.js";
import {
  clusterPath,
  diffExtentJson,
  diskUsageJson,
  ERROR_TRAILER,
  errorBody,
  imageInfoJson,
  imagePath,
  namesJson,
  poolPath,
  rbdErrorJson,
  STREAM_BUFFER,
  snapInfoJson,
  warningsJson,
} from "./server/protocol.js";

export interface RemoteRbdOptions {
  /** base URL of a fake-rbd server, e.g. http://127.0.0.1:6800 */
  url: string;
  /** cluster used when a ref names none (rbd's --cluster default) */
  defaultCluster?: string;
}

type Query = Record<string, string | number | boolean | undefined>;

const OCTETS = { "content-type": "application/octet-stream" };

export class RemoteRbd implements RbdBackend {
  readonly url: string;
  readonly #origin: string;
  readonly #defaultCluster: string;
  readonly #agent: InstanceType<typeof Agent>;
  /** lines the server sent beside an error (import-diff's warnings) */
  readonly #warnings = new WeakMap<RbdError, string[]>();

  constructor(options: RemoteRbdOptions) {
    this.url = options.url.replace(/\/+$/, "");
    this.#origin = this.url;
    this.#defaultCluster = options.defaultCluster ?? "ceph";
    // Streams of a whole image may be long: no idle timeouts between chunks.
    this.#agent = new Agent({ bodyTimeout: 0, headersTimeout: 0, keepAliveTimeout: 10_000 });
  }

  /** Closes the connection pool, abandoning any response body nobody read to the end. */
  async close(): Promise<void> {
    await this.#agent.destroy();
  }

  // ---- clusters and pools ----

  async listPools(cluster?: string): Promise<string[]> {
    return this.#json("GET", `${clusterPath(this.#c(cluster))}/pools`, namesJson);
  }

  async createPool(pool: string, cluster?: string): Promise<void> {
    await this.#call("POST", `${clusterPath(this.#c(cluster))}/pools`, { body: { pool } });
  }

  async initPool(pool: string, cluster?: string): Promise<void> {
    await this.#call("POST", `${poolPath(this.#c(cluster), pool)}/init`);
  }

  async removePool(pool: string, cluster?: string): Promise<void> {
    await this.#call("DELETE", poolPath(this.#c(cluster), pool));
  }

  // ---- images ----

  async listImages(pool: string, cluster?: string): Promise<string[]> {
    return this.#json("GET", `${poolPath(this.#c(cluster), pool)}/images`, namesJson);
  }

  async createImage(ref: ImageRef, options: CreateImageOptions): Promise<void> {
    await this.#call("POST", `${poolPath(this.#c(ref.cluster), ref.pool)}/images`, {
      body: {
        image: ref.image,
        ...(ref.namespace !== undefined && { namespace: ref.namespace }),
        ...options,
      },
    });
  }

  async imageInfo(ref: SnapRef): Promise<ImageInfo> {
    const info = await this.#json("GET", this.#image(ref), imageInfoJson, this.#snapQuery(ref));
    const { stripeUnit, stripeCount, objectCount, protected: isProtected, ...rest } = info;
    return {
      ...rest,
      ...(objectCount !== undefined && { objectCount }),
      ...(stripeUnit !== undefined && { stripeUnit }),
      ...(stripeCount !== undefined && { stripeCount }),
      ...(isProtected !== undefined && { protected: isProtected }),
    };
  }

  async resizeImage(ref: ImageRef, size: number, options?: { allowShrink?: boolean }): Promise<void> {
    await this.#call("POST", `${this.#image(ref)}/resize`, {
      body: { size, allowShrink: options?.allowShrink === true },
      query: this.#ns(ref),
    });
  }

  async removeImage(ref: ImageRef): Promise<void> {
    await this.#call("DELETE", this.#image(ref), { query: this.#ns(ref) });
  }

  async renameImage(ref: ImageRef, newName: string): Promise<void> {
    await this.#call("POST", `${this.#image(ref)}/rename`, { body: { newName }, query: this.#ns(ref) });
  }

  async writeImage(ref: ImageRef, offset: number, data: Uint8Array): Promise<void> {
    await this.#call("PUT", `${this.#image(ref)}/data`, {
      raw: data,
      query: { ...this.#ns(ref), offset },
    });
  }

  async readImage(ref: SnapRef, offset: number, length: number): Promise<Uint8Array> {
    const response = await this.#send("GET", `${this.#image(ref)}/data`, {
      query: { ...this.#snapQuery(ref), offset, length },
    });
    return new Uint8Array(await response.body.arrayBuffer());
  }

  async discardImage(ref: ImageRef, offset: number, length: number): Promise<void> {
    await this.#call("POST", `${this.#image(ref)}/discard`, {
      body: { offset, length },
      query: this.#ns(ref),
    });
  }

  // ---- snapshots ----

  async listSnaps(ref: ImageRef): Promise<SnapInfo[]> {
    return this.#json("GET", `${this.#image(ref)}/snaps`, snapInfoJson.array(), this.#ns(ref));
  }

  async createSnap(ref: ImageRef, snap: string): Promise<void> {
    await this.#call("POST", `${this.#image(ref)}/snaps`, { body: { snap }, query: this.#ns(ref) });
  }

  async removeSnap(ref: ImageRef, snap: string): Promise<void> {
    await this.#call("DELETE", this.#snap(ref, snap), { query: this.#ns(ref) });
  }

  async purgeSnaps(ref: ImageRef): Promise<void> {
    await this.#call("DELETE", `${this.#image(ref)}/snaps`, { query: this.#ns(ref) });
  }

  async protectSnap(ref: ImageRef, snap: string): Promise<void> {
    await this.#call("POST", `${this.#snap(ref, snap)}/protect`, { query: this.#ns(ref) });
  }

  async unprotectSnap(ref: ImageRef, snap: string): Promise<void> {
    await this.#call("POST", `${this.#snap(ref, snap)}/unprotect`, { query: this.#ns(ref) });
  }

  async rollbackSnap(ref: ImageRef, snap: string): Promise<void> {
    await this.#call("POST", `${this.#snap(ref, snap)}/rollback`, { query: this.#ns(ref) });
  }

  async renameSnap(ref: ImageRef, snap: string, newName: string): Promise<void> {
    await this.#call("POST", `${this.#snap(ref, snap)}/rename`, { body: { newName }, query: this.#ns(ref) });
  }

  // ---- diffs and data streams ----

  async diff(ref: SnapRef, options?: ExportDiffOptions): Promise<DiffExtent[]> {
    return this.#json("GET", `${this.#image(ref)}/diff`, diffExtentJson.array(), {
      ...this.#snapQuery(ref),
      ...this.#diffQuery(options),
    });
  }

  async du(ref: SnapRef | { pool: string; cluster?: string }): Promise<DiskUsage[]> {
    const rows =
      "image" in ref
        ? await this.#json("GET", `${this.#image(ref)}/du`, diskUsageJson.array(), this.#snapQuery(ref))
        : await this.#json("GET", `${poolPath(this.#c(ref.cluster), ref.pool)}/du`, diskUsageJson.array());
    return rows.map(({ snapshot, id, imageId, ...rest }) => ({
      ...rest,
      ...(imageId !== undefined && { imageId }),
      ...(snapshot !== undefined && { snapshot }),
      ...(id !== undefined && { id }),
    }));
  }

  async exportDiff(ref: SnapRef, options?: ExportDiffOptions): Promise<Readable> {
    const response = await this.#send("GET", `${this.#image(ref)}/export-diff`, {
      query: { ...this.#snapQuery(ref), ...this.#diffQuery(options) },
    });
    return this.#download(response, `export-diff of ${describe(ref)}`);
  }

  async importDiff(
    ref: ImageRef,
    stream: Readable,
    options?: ImportDiffOptions & DiffReadOptions,
  ): Promise<void> {
    const warn = options?.onWarning;
    let response: Dispatcher.ResponseData;
    try {
      response = await this.#send("POST", `${this.#image(ref)}/import-diff`, {
        stream,
        query: {
          ...this.#ns(ref),
          ...(options?.sparseSize !== undefined && { sparseSize: options.sparseSize }),
          ...(options?.unknownV1Tags !== undefined && { unknownV1Tags: options.unknownV1Tags }),
        },
      });
    } catch (error) {
      // the lines rbd prints while it reads come first, as they would from a local rbd
      if (error instanceof RbdError) for (const line of this.#warnings.get(error) ?? []) warn?.(line);
      throw error;
    }
    const parsed = warningsJson.safeParse(await response.body.json().catch(() => ({})));
    for (const line of parsed.success ? parsed.data.warnings : []) warn?.(line);
  }

  async exportImage(ref: SnapRef, options?: ExportFormatOptions): Promise<Readable> {
    const response = await this.#send("GET", `${this.#image(ref)}/export`, {
      query: { ...this.#snapQuery(ref), exportFormat: options?.exportFormat },
    });
    return this.#download(response, `export of ${describe(ref)}`);
  }

  async importImage(
    ref: ImageRef,
    stream: Readable,
    options?: Partial<CreateImageOptions> & ImportDiffOptions & ExportFormatOptions,
  ): Promise<void> {
    const { features, size, order, stripeUnit, stripeCount, sparseSize, exportFormat } = options ?? {};
    await this.#call("POST", `${this.#image(ref)}/import`, {
      stream,
      query: {
        ...this.#ns(ref),
        size,
        order,
        stripeUnit,
        stripeCount,
        sparseSize,
        exportFormat,
        ...(features !== undefined && { features: features.join(",") }),
      },
    });
  }

  // ---- plumbing ----

  #c(cluster: string | undefined): string {
    return cluster ?? this.#defaultCluster;
  }

  #image(ref: ImageRef): string {
    return imagePath(this.#c(ref.cluster), ref.pool, ref.image);
  }

  #snap(ref: ImageRef, snap: string): string {
    return `${this.#image(ref)}/snaps/${encodeURIComponent(snap)}`;
  }

  #ns(ref: ImageRef): Query {
    return ref.namespace === undefined ? {} : { namespace: ref.namespace };
  }

  #snapQuery(ref: SnapRef): Query {
    return { ...this.#ns(ref), ...(ref.snap !== undefined && { snap: ref.snap }) };
  }

  #diffQuery(options: ExportDiffOptions | undefined): Query {
    return {
      ...(options?.fromSnap !== undefined && { fromSnap: options.fromSnap }),
      ...(options?.wholeObject && { wholeObject: true }),
    };
  }

  async #json<S extends z.ZodType>(method: Dispatcher.HttpMethod, path: string, schema: S, query?: Query) {
    const response = await this.#send(method, path, { ...(query && { query }) });
    const parsed = schema.safeParse(await response.body.json());
    if (!parsed.success) {
      throw new RbdError(
        "EIO",
        `fake-rbd server ${this.url} sent an unexpected ${method} ${path} body: ${parsed.error.message}`,
      );
    }
    return parsed.data as z.output<S>;
  }

  async #call(
    method: Dispatcher.HttpMethod,
    path: string,
    options: { body?: unknown; raw?: Uint8Array; stream?: Readable; query?: Query } = {},
  ): Promise<void> {
    const response = await this.#send(method, path, options);
    await response.body.dump();
  }

  async #send(
    method: Dispatcher.HttpMethod,
    path: string,
    options: { body?: unknown; raw?: Uint8Array; stream?: Readable; query?: Query },
  ): Promise<Dispatcher.ResponseData> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) search.set(key, String(value));
    }
    const qs = search.size > 0 ? `?${search}` : "";
    let body: Dispatcher.DispatchOptions["body"];
    let headers: Record<string, string> | undefined;
    if (options.stream) {
      body = options.stream;
      headers = OCTETS;
    } else if (options.raw) {
      body = options.raw;
      headers = OCTETS;
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers = { "content-type": "application/json" };
    }
    let response: Dispatcher.ResponseData;
    try {
      response = await request(this.#agent, `${this.#origin}${path}${qs}`, {
        method,
        highWaterMark: STREAM_BUFFER,
        ...(body !== undefined && { body }),
        ...(headers && { headers }),
      });
    } catch (error) {
      if (error instanceof RbdError) throw error;
      // The upload's own source may have failed (e.g. a decoder error in a piped stream).
      if (options.stream?.errored) throw options.stream.errored;
      const reason = error instanceof Error ? error.message : String(error);
      throw new RbdError("EIO", `cannot reach fake-rbd server ${this.url} (${method} ${path}): ${reason}`);
    }
    if (response.statusCode >= 400) throw await this.#error(response, method, path);
    return response;
  }

  async #error(response: Dispatcher.ResponseData, method: string, path: string): Promise<RbdError> {
    const text = await response.body.text();
    try {
      const parsed = errorBody.safeParse(JSON.parse(text));
      if (parsed.success) {
        const error = RbdError.fromJSON(parsed.data.error);
        if (parsed.data.warnings) this.#warnings.set(error, parsed.data.warnings);
        return error;
      }
    } catch {
      // not JSON: fall through to a transport error naming the status
    }
    return new RbdError(
      "EIO",
      `fake-rbd server ${this.url} answered ${method} ${path} with HTTP ${response.statusCode}: ${text.slice(0, 200)}`,
    );
  }

  /**
   * The response body's chunks, pushed straight into the stream handed out (no Transform
   * hop: this is the hot path). After the last byte, a failure that struck mid-stream
   * arrives in a trailer and becomes the stream's error; a transfer the server cuts
   * surfaces as an error named after what broke. A consumer that lets go early ends the
   * request.
   */
  #download(response: Dispatcher.ResponseData, what: string): Readable {
    const body = response.body as unknown as Readable;
    const url = this.url;
    let ended = false;
    const out = new Readable({
      highWaterMark: STREAM_BUFFER,
      read: () => {
        body.resume();
      },
    });
    body.on("data", (chunk: Buffer) => {
      if (!out.push(chunk)) body.pause();
    });
    body.once("end", () => {
      ended = true;
      const encoded = response.trailers[ERROR_TRAILER];
      if (typeof encoded !== "string") {
        out.push(null);
        return;
      }
      const parsed = rbdErrorJson.safeParse(JSON.parse(Buffer.from(encoded, "base64").toString("utf8")));
      out.destroy(
        parsed.success
          ? RbdError.fromJSON(parsed.data)
          : new RbdError("EIO", `${what} from fake-rbd server ${url} failed: ${encoded}`),
      );
    });
    body.once("error", (error: Error) => {
      out.destroy(new RbdError("EIO", `${what} from fake-rbd server ${url} broke off: ${error.message}`));
    });
    out.once("close", () => {
      if (!ended && !body.destroyed) body.destroy();
    });
    return out;
  }
}

function describe(ref: SnapRef): string {
  return `${ref.cluster ?? "ceph"}:${ref.pool}/${ref.image}${ref.snap ? `@${ref.snap}` : ""}`;
}
