// The wire contract between the fake-rbd server and RemoteRbd: URL layout, the zod schemas
// of every JSON body, and how an RbdError travels (its toJSON form under "error"). Both
// sides import this file, so the two adapters cannot drift apart.
import { z } from "zod";
import { ERRNO, type ErrnoCode } from "../model/errors.js";

export const API_PREFIX = "/v1";

const enc = encodeURIComponent;

export function clusterPath(cluster: string): string {
  return `${API_PREFIX}/clusters/${enc(cluster)}`;
}

export function poolPath(cluster: string, pool: string): string {
  return `${clusterPath(cluster)}/pools/${enc(pool)}`;
}

export function imagePath(cluster: string, pool: string, image: string): string {
  return `${poolPath(cluster, pool)}/images/${enc(image)}`;
}

export const errnoCode = z.enum(Object.keys(ERRNO) as [ErrnoCode, ...ErrnoCode[]]);

export const rbdErrorJson = z.object({
  name: z.literal("RbdError"),
  code: errnoCode,
  errno: z.number().int(),
  message: z.string(),
  rbdMessage: z.string(),
  exitStatus: z.number().int(),
  detail: z.string().optional(),
  // the model may add context fields; they travel untouched
  context: z
    .looseObject({
      cluster: z.string().optional(),
      pool: z.string().optional(),
      image: z.string().optional(),
      snap: z.string().optional(),
      op: z.string().optional(),
      offset: z.number().optional(),
    })
    .default({}),
});

/** Trailer carrying a base64 RbdError JSON when a download fails after its first byte. */
export const ERROR_TRAILER = "x-fake-rbd-error";

/**
 * How much of a data stream may wait in memory at each hop (undici body, download
 * transform, upload pipe): one socket read. Measured on the loaded 2-core machine with the
 * export-diff | import-diff relay, alternating runs: 64 KiB ~133 MiB/s, 1 MiB ~85, 8 MiB
 * ~62; bigger buffers keep more chunks alive and the collector costs more than the
 * scheduling waits they save.
 */
export const STREAM_BUFFER = 64 * 1024;

export const errorBody = z.object({ error: rbdErrorJson, warnings: z.array(z.string()).optional() });

/** HTTP statuses for errnos; the body carries the exact errno either way. */
export function httpStatusFor(code: ErrnoCode): number {
  switch (code) {
    case "ENOENT":
      return 404;
    case "EEXIST":
    case "EBUSY":
    case "ENOTEMPTY":
    case "EROFS":
      return 409;
    case "EINVAL":
    case "EBADMSG":
    case "ERANGE":
    case "EDOM":
    case "EFBIG":
      return 400;
    case "EOPNOTSUPP":
      return 501;
    default:
      return 500;
  }
}

// ---- request bodies and query strings ----

export const namespaceQuery = z.object({ namespace: z.string().optional() });

export const snapQuery = namespaceQuery.extend({ snap: z.string().optional() });

const boolFlag = z
  .enum(["true", "false", "1", "0"])
  .optional()
  .transform((v) => v === "true" || v === "1");

export const diffQuery = snapQuery.extend({
  fromSnap: z.string().optional(),
  wholeObject: boolFlag,
});

const byteCount = z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const readQuery = snapQuery.extend({ offset: byteCount, length: byteCount });

export const writeQuery = namespaceQuery.extend({ offset: byteCount });

export const createPoolBody = z.object({ pool: z.string().min(1) });

export const createImageBody = z.object({
  image: z.string().min(1),
  namespace: z.string().optional(),
  size: byteCount,
  order: z.number().int().optional(),
  features: z.array(z.string()).optional(),
  stripeUnit: z.number().int().optional(),
  stripeCount: z.number().int().optional(),
});

export const importDiffQuery = namespaceQuery.extend({
  sparseSize: byteCount.optional(),
  unknownV1Tags: z.enum(["error", "skip"]).optional(),
});

/** import-diff answers with the lines rbd would print while carrying on (also beside an error). */
export const warningsJson = z.object({ warnings: z.array(z.string()).default([]) });

const exportFormat = z.coerce
  .number()
  .int()
  .refine((n) => n === 1 || n === 2, "export format is 1 or 2")
  .transform((n) => n as 1 | 2)
  .optional();

export const exportQuery = snapQuery.extend({ exportFormat });

export const importQuery = namespaceQuery.extend({
  exportFormat,
  sparseSize: byteCount.optional(),
  size: byteCount.optional(),
  order: z.coerce.number().int().optional(),
  features: z.string().optional(),
  stripeUnit: z.coerce.number().int().optional(),
  stripeCount: z.coerce.number().int().optional(),
});

export const resizeBody = z.object({ size: byteCount, allowShrink: z.boolean().optional() });
export const renameBody = z.object({ newName: z.string().min(1) });
export const discardBody = z.object({ offset: byteCount, length: byteCount });
export const snapBody = z.object({ snap: z.string().min(1) });

// ---- response bodies ----

const isoDate = z.iso.datetime().transform((s) => new Date(s));

export const imageInfoJson = z.object({
  name: z.string(),
  id: z.string(),
  size: z.number(),
  order: z.number(),
  objectSize: z.number(),
  snapshotCount: z.number(),
  blockNamePrefix: z.string(),
  format: z.literal(2),
  objectCount: z.number().optional(),
  features: z.array(z.string()),
  opFeatures: z.array(z.string()),
  flags: z.array(z.string()),
  createTimestamp: isoDate,
  accessTimestamp: isoDate,
  modifyTimestamp: isoDate,
  stripeUnit: z.number().optional(),
  stripeCount: z.number().optional(),
  protected: z.boolean().optional(),
});

export const snapInfoJson = z.object({
  id: z.number(),
  name: z.string(),
  size: z.number(),
  protected: z.boolean(),
  timestamp: isoDate,
});

export const diffExtentJson = z.object({ offset: z.number(), length: z.number(), exists: z.boolean() });

export const diskUsageJson = z.object({
  name: z.string(),
  imageId: z.string().optional(),
  snapshot: z.string().optional(),
  id: z.number().optional(),
  provisionedSize: z.number(),
  usedSize: z.number(),
});

export const namesJson = z.array(z.string());
