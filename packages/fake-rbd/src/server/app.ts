import { Readable } from "node:stream";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { ZodError } from "zod";
import type { ImageRef, RbdBackend, SnapRef } from "../backend.js";
import { isRbdError, RbdError } from "../model/errors.js";
import {
  API_PREFIX,
  createImageBody,
  createPoolBody,
  diffQuery,
  discardBody,
  ERROR_TRAILER,
  exportQuery,
  httpStatusFor,
  importDiffQuery,
  importQuery,
  namespaceQuery,
  readQuery,
  renameBody,
  resizeBody,
  STREAM_BUFFER,
  snapBody,
  snapQuery,
  writeQuery,
} from "./protocol.js";
import { stateSummary } from "./state.js";

export interface RbdServerOptions {
  backend: RbdBackend;
  /** clusters listed by GET /_fake/state (the backend has no cluster listing of its own) */
  clusters?: readonly string[] | (() => readonly string[]);
  /** called by POST /_fake/reset; defaults to `backend.reset()` when the backend has one */
  reset?: () => void | Promise<void>;
  logger?: boolean;
}

type Params = { cluster: string; pool: string; image: string; snap: string };

/** Warnings a request's import-diff printed, for the error handler to send along. */
const warningsOf = new WeakMap<FastifyRequest, string[]>();

/**
 * The fake-rbd HTTP server as a Fastify factory: every RbdBackend method under /v1, plus the
 * /_fake control plane. It only parses (zod), calls the backend and renders; data streams
 * (export, export-diff, import, import-diff) are piped through, never buffered whole.
 */
export function buildRbdServer(options: RbdServerOptions): FastifyInstance {
  const { backend } = options;
  const clusterList = options.clusters ?? ["ceph"];
  const clusters = () => (typeof clusterList === "function" ? clusterList() : clusterList);
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 64 * 1024 * 1024,
    // close() must not wait for clients that keep idle connections open (RemoteRbd pools them)
    forceCloseConnections: true,
  });

  // Raw bodies arrive as the request stream itself, so uploads flow into the backend as they come.
  app.addContentTypeParser("application/octet-stream", (_request, payload, done) => done(null, payload));

  app.setErrorHandler(async (error, request, reply) => {
    // An upload the backend refused may still be arriving: let it finish (it is dropped)
    // before answering, or the client could see a broken pipe instead of this error.
    await uploadDone(request);
    const rbd = toRbdError(error);
    const warnings = warningsOf.get(request);
    reply
      .status(httpStatusFor(rbd.code))
      .send({ error: rbd.toJSON(), ...(warnings?.length && { warnings }) });
  });

  const image = (p: Params, q: { namespace?: string | undefined }): ImageRef => ({
    cluster: p.cluster,
    pool: p.pool,
    image: p.image,
    ...(q.namespace !== undefined && { namespace: q.namespace }),
  });
  const atSnap = (p: Params, q: { namespace?: string | undefined; snap?: string | undefined }): SnapRef => ({
    ...image(p, q),
    ...(q.snap !== undefined && { snap: q.snap }),
  });
  type Req = FastifyRequest<{ Params: Params }>;
  const P = `${API_PREFIX}/clusters/:cluster/pools`;
  const I = `${P}/:pool/images/:image`;

  // control plane
  app.get("/_fake/health", async () => ({ status: "ok" }));
  app.post("/_fake/reset", async (_request, reply) => {
    const reset = options.reset ?? (hasReset(backend) ? () => backend.reset() : undefined);
    if (!reset) throw new RbdError("EOPNOTSUPP", "this backend cannot be reset");
    await reset();
    reply.status(204).send();
  });
  app.get("/_fake/state", async () => stateSummary(backend, clusters()));

  // pools
  app.get(P, async (r: Req) => backend.listPools(r.params.cluster));
  app.post(P, async (r: Req, reply) => {
    await backend.createPool(createPoolBody.parse(r.body).pool, r.params.cluster);
    reply.status(201).send();
  });
  app.post(`${P}/:pool/init`, async (r: Req, reply) => {
    await backend.initPool(r.params.pool, r.params.cluster);
    reply.status(204).send();
  });
  app.delete(`${P}/:pool`, async (r: Req, reply) => {
    await backend.removePool(r.params.pool, r.params.cluster);
    reply.status(204).send();
  });
  app.get(`${P}/:pool/du`, async (r: Req) => backend.du({ cluster: r.params.cluster, pool: r.params.pool }));

  // images
  app.get(`${P}/:pool/images`, async (r: Req) => backend.listImages(r.params.pool, r.params.cluster));
  app.post(`${P}/:pool/images`, async (r: Req, reply) => {
    const { image: name, namespace, ...create } = createImageBody.parse(r.body);
    await backend.createImage(image({ ...r.params, image: name }, { namespace }), create);
    reply.status(201).send();
  });
  app.get(I, async (r: Req) => backend.imageInfo(atSnap(r.params, snapQuery.parse(r.query))));
  app.delete(I, async (r: Req, reply) => {
    await backend.removeImage(image(r.params, namespaceQuery.parse(r.query)));
    reply.status(204).send();
  });
  app.post(`${I}/resize`, async (r: Req, reply) => {
    const { size, allowShrink } = resizeBody.parse(r.body);
    await backend.resizeImage(image(r.params, namespaceQuery.parse(r.query)), size, {
      allowShrink: allowShrink === true,
    });
    reply.status(204).send();
  });
  app.post(`${I}/rename`, async (r: Req, reply) => {
    await backend.renameImage(
      image(r.params, namespaceQuery.parse(r.query)),
      renameBody.parse(r.body).newName,
    );
    reply.status(204).send();
  });
  app.put(`${I}/data`, async (r: Req, reply) => {
    const q = writeQuery.parse(r.query);
    const data = await collect(r.body as Readable);
    await backend.writeImage(image(r.params, q), q.offset, data);
    reply.status(204).send();
  });
  app.get(`${I}/data`, async (r: Req, reply) => {
    const q = readQuery.parse(r.query);
    const data = await backend.readImage(atSnap(r.params, q), q.offset, q.length);
    reply.type("application/octet-stream").send(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });
  app.post(`${I}/discard`, async (r: Req, reply) => {
    const { offset, length } = discardBody.parse(r.body);
    await backend.discardImage(image(r.params, namespaceQuery.parse(r.query)), offset, length);
    reply.status(204).send();
  });

  // snapshots
  app.get(`${I}/snaps`, async (r: Req) => backend.listSnaps(image(r.params, namespaceQuery.parse(r.query))));
  app.post(`${I}/snaps`, async (r: Req, reply) => {
    await backend.createSnap(image(r.params, namespaceQuery.parse(r.query)), snapBody.parse(r.body).snap);
    reply.status(201).send();
  });
  app.delete(`${I}/snaps`, async (r: Req, reply) => {
    await backend.purgeSnaps(image(r.params, namespaceQuery.parse(r.query)));
    reply.status(204).send();
  });
  app.delete(`${I}/snaps/:snap`, async (r: Req, reply) => {
    await backend.removeSnap(image(r.params, namespaceQuery.parse(r.query)), r.params.snap);
    reply.status(204).send();
  });
  const snapAction = (action: "protectSnap" | "unprotectSnap" | "rollbackSnap", path: string) =>
    app.post(`${I}/snaps/:snap/${path}`, async (r: Req, reply) => {
      await backend[action](image(r.params, namespaceQuery.parse(r.query)), r.params.snap);
      reply.status(204).send();
    });
  snapAction("protectSnap", "protect");
  snapAction("unprotectSnap", "unprotect");
  snapAction("rollbackSnap", "rollback");
  app.post(`${I}/snaps/:snap/rename`, async (r: Req, reply) => {
    const { newName } = renameBody.parse(r.body);
    await backend.renameSnap(image(r.params, namespaceQuery.parse(r.query)), r.params.snap, newName);
    reply.status(204).send();
  });

  // diffs and data streams
  const diffOptions = (q: ReturnType<typeof diffQuery.parse>) => ({
    ...(q.fromSnap !== undefined && { fromSnap: q.fromSnap }),
    wholeObject: q.wholeObject,
  });
  app.get(`${I}/diff`, async (r: Req) => {
    const q = diffQuery.parse(r.query);
    return backend.diff(atSnap(r.params, q), diffOptions(q));
  });
  app.get(`${I}/du`, async (r: Req) => backend.du(atSnap(r.params, snapQuery.parse(r.query))));
  app.get(`${I}/export-diff`, async (r: Req, reply: FastifyReply) => {
    const q = diffQuery.parse(r.query);
    streamOut(reply, await backend.exportDiff(atSnap(r.params, q), diffOptions(q)));
  });
  app.get(`${I}/export`, async (r: Req, reply: FastifyReply) => {
    const { exportFormat, ...q } = exportQuery.parse(r.query);
    streamOut(reply, await backend.exportImage(atSnap(r.params, q), exportFormat ? { exportFormat } : {}));
  });
  app.post(`${I}/import-diff`, async (r: Req, reply) => {
    const { sparseSize, unknownV1Tags, ...q } = importDiffQuery.parse(r.query);
    const warnings: string[] = [];
    warningsOf.set(r, warnings);
    await backend.importDiff(image(r.params, q), uploadOf(r), {
      ...(sparseSize !== undefined && { sparseSize }),
      ...(unknownV1Tags !== undefined && { unknownV1Tags }),
      onWarning: (line) => warnings.push(line),
    });
    reply.status(200).send({ warnings });
  });
  app.post(`${I}/import`, async (r: Req, reply) => {
    const { namespace, features, ...rest } = importQuery.parse(r.query);
    const createOptions = {
      ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
      ...(features !== undefined && { features: features === "" ? [] : features.split(",") }),
    };
    await backend.importImage(image(r.params, { namespace }), uploadOf(r), createOptions);
    reply.status(201).send();
  });

  return app;
}

/**
 * Pipes a backend stream straight into the socket (Fastify steps aside): this is the hot path
 * of every backup. Failures before the first byte are ordinary error responses. A failure
 * mid-stream (rbd has already written part of its output by then, too) ends the body with
 * the RbdError in an HTTP trailer, so the client re-throws the same error after the bytes.
 */
function streamOut(reply: FastifyReply, stream: Readable): void {
  const res = reply.raw;
  reply.hijack();
  res.writeHead(200, { "content-type": "application/octet-stream", trailer: ERROR_TRAILER });
  stream.pipe(res, { end: false });
  stream.once("end", () => res.end());
  stream.once("error", (error) => {
    stream.unpipe(res);
    const json = JSON.stringify(toRbdError(error).toJSON());
    res.addTrailers({ [ERROR_TRAILER]: Buffer.from(json).toString("base64") });
    res.end();
  });
  res.once("close", () => {
    if (!stream.readableEnded) stream.destroy();
  });
}

/**
 * The upload as a stream the backend may consume or abandon. The backend gets its own
 * stream end: when it stops early (a refused stream) it destroys that, not the connection,
 * so the error handler can still read the rest and answer on the same socket. The request's
 * chunks are pushed straight into it (no Transform hop: every hop costs per chunk, and an
 * upload is tens of thousands of chunks).
 */
function uploadOf(request: FastifyRequest): Readable {
  const raw = request.raw;
  const upload = new Readable({
    highWaterMark: STREAM_BUFFER,
    read: () => {
      raw.resume();
    },
  });
  raw.on("data", (chunk: Buffer) => {
    // once the backend has let go, the rest is read and dropped (see the error handler)
    if (!upload.destroyed && !upload.push(chunk)) raw.pause();
  });
  upload.on("close", () => raw.resume());
  raw.on("end", () => {
    if (!upload.destroyed) upload.push(null);
  });
  raw.on("error", (error) => upload.destroy(error));
  return upload;
}

/** Waits until the client has sent its whole upload, so the answer never races it. */
async function uploadDone(request: FastifyRequest): Promise<void> {
  const raw = request.raw;
  if (raw.complete || raw.destroyed || raw.readableEnded) return;
  await new Promise<void>((resolve) => {
    raw.once("end", resolve);
    raw.once("close", resolve);
    raw.resume();
  });
}

function hasReset(backend: RbdBackend): backend is RbdBackend & { reset(): void | Promise<void> } {
  return typeof (backend as { reset?: unknown }).reset === "function";
}

async function collect(stream: Readable | undefined): Promise<Uint8Array> {
  if (!stream) return new Uint8Array(0);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function toRbdError(error: unknown): RbdError {
  if (isRbdError(error)) return error;
  if (error instanceof ZodError) {
    const why = error.issues.map((i) => `${i.path.join(".") || "request"}: ${i.message}`).join("; ");
    return new RbdError("EINVAL", `bad request to fake-rbd server: ${why}`);
  }
  const status = (error as { statusCode?: number }).statusCode;
  const message = error instanceof Error ? error.message : String(error);
  if (status !== undefined && status >= 400 && status < 500) {
    return new RbdError(status === 404 ? "ENOENT" : "EINVAL", `fake-rbd server: ${message}`);
  }
  return new RbdError("EIO", `fake-rbd server internal error: ${message}`);
}
