// Request-body schemas, shaped after cinder/api/schemas/*.py and
// cinder/api/validation/parameter_types.py (Zed). Custom checks carry jsonschema's own
// wording in `params.cinderMessage`, which validation.ts reports as is.
import { z } from "zod";
import { pyRepr } from "../validation.js";

const custom = (message: string) => ({
  code: "custom" as const,
  message,
  params: { cinderMessage: message },
});

const UUID_LIKE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** parameter_types.uuid: oslo's is_uuid_like (hyphens optional, any case). */
export const uuid = z.unknown().superRefine((value, ctx) => {
  if (value === undefined) ctx.addIssue({ code: "custom", message: "required", params: { missing: true } });
  else if (typeof value !== "string") ctx.addIssue(custom(`${pyRepr(value)} is not of type 'string'`));
  else if (!UUID_LIKE.test(value)) ctx.addIssue(custom(`${pyRepr(value)} is not a 'uuid'`));
}) as unknown as z.ZodType<string>;

/** parameter_types.optional_uuid */
export const optionalUuid = z
  .unknown()
  .superRefine((value, ctx) => {
    if (value === null || value === undefined) return;
    if (typeof value !== "string") ctx.addIssue(custom(`${pyRepr(value)} is not of type 'string', 'null'`));
    else if (!UUID_LIKE.test(value)) ctx.addIssue(custom(`${pyRepr(value)} is not a 'uuid'`));
  })
  .optional() as unknown as z.ZodType<string | null | undefined>;

/** name_allow_zero_min_length / description / container: string or null, at most 255. */
export const nullableText = (max = 255) =>
  z
    .unknown()
    .superRefine((value, ctx) => {
      if (value === null || value === undefined) return;
      if (typeof value !== "string") ctx.addIssue(custom(`${pyRepr(value)} is not of type 'string', 'null'`));
      else if (value.length > max) ctx.addIssue(custom(`${pyRepr(value)} is too long`));
    })
    .optional() as unknown as z.ZodType<string | null | undefined>;

const TRUE_STRINGS = ["True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes", "y", "t"];
const FALSE_STRINGS = ["False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no", "n", "f"];
const BOOLEAN_ENUM = `[True, ${TRUE_STRINGS.map((s) => `'${s}'`).join(", ")}, False, ${FALSE_STRINGS.map((s) => `'${s}'`).join(", ")}]`;

/** parameter_types.boolean: a bool or one of oslo's bool strings. */
export const booleanish = z
  .unknown()
  .superRefine((value, ctx) => {
    if (typeof value === "boolean") return;
    if (typeof value === "string" && (TRUE_STRINGS.includes(value) || FALSE_STRINGS.includes(value))) return;
    ctx.addIssue(custom(`${pyRepr(value)} is not one of ${BOOLEAN_ENUM}`));
  })
  .transform((value) => value === true || (typeof value === "string" && TRUE_STRINGS.includes(value)));

/** parameter_types.optional_boolean: booleanish or null. */
export const optionalBooleanish = z
  .unknown()
  .superRefine((value, ctx) => {
    if (value === null || value === undefined || typeof value === "boolean") return;
    if (typeof value === "string" && (TRUE_STRINGS.includes(value) || FALSE_STRINGS.includes(value))) return;
    ctx.addIssue(custom(`${pyRepr(value)} is not one of ${BOOLEAN_ENUM.replace("[", "[None, ")}`));
  })
  .transform((value) => value === true || (typeof value === "string" && TRUE_STRINGS.includes(value)));

const METADATA_KEY = /^[a-zA-Z0-9-_:. /]{1,255}$/;

/** parameter_types.metadata_allows_null: string values, keys of a restricted alphabet. */
export const metadata = z
  .unknown()
  .superRefine((value, ctx) => {
    if (value === null || value === undefined) return;
    if (typeof value !== "object" || Array.isArray(value)) {
      ctx.addIssue(custom(`${pyRepr(value)} is not of type 'object', 'null'`));
      return;
    }
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (!METADATA_KEY.test(key)) {
        ctx.addIssue(custom(`Additional properties are not allowed (${pyRepr(key)} was unexpected)`));
        return;
      }
      if (typeof v !== "string") {
        ctx.addIssue({ ...custom(`${pyRepr(v)} is not of type 'string'`), path: [key] });
        return;
      }
      if (v.length > 255) {
        ctx.addIssue({ ...custom(`${pyRepr(v)} is too long`), path: [key] });
        return;
      }
    }
  })
  .optional() as unknown as z.ZodType<Record<string, string> | null | undefined>;

/** A positive integer given as a number or a digit string (volume size, new_size). */
export const positiveSize = (allowNull: boolean) =>
  z
    .unknown()
    .superRefine((value, ctx) => {
      if (value === null || value === undefined) {
        if (!allowNull) ctx.addIssue(custom(`${pyRepr(value)} is not of type 'integer', 'string'`));
        return;
      }
      const types = allowNull ? "'integer', 'string', 'null'" : "'integer', 'string'";
      if (typeof value === "number") {
        if (!Number.isInteger(value)) ctx.addIssue(custom(`${pyRepr(value)} is not of type ${types}`));
        else if (value < 1) ctx.addIssue(custom(`${pyRepr(value)} is less than the minimum of 1`));
        else if (value > 2147483647)
          ctx.addIssue(custom(`${pyRepr(value)} is greater than the maximum of 2147483647`));
        return;
      }
      if (typeof value !== "string") {
        ctx.addIssue(custom(`${pyRepr(value)} is not of type ${types}`));
        return;
      }
      if (!/^[0-9]+$/.test(value)) ctx.addIssue(custom(`${pyRepr(value)} does not match '^[0-9]+$'`));
      else if (Number(value) < 1) ctx.addIssue(custom(`${pyRepr(value)} is less than the minimum of 1`));
    })
    .transform((value) => (value === null || value === undefined ? null : Number(value)));

/** jsonschema's "object" check for the body and its top-level element. */
export const objectOrNull = z.record(z.string(), z.unknown()).nullable();

/** Python base64.decodebytes acceptance (non-strict: junk characters are skipped, padding checked). */
export function isPythonBase64(text: string): boolean {
  const data = text.replace(/[^A-Za-z0-9+/=]/g, "");
  const firstPad = data.indexOf("=");
  const chars = firstPad === -1 ? data : data.slice(0, firstPad);
  const padding = firstPad === -1 ? 0 : data.length - firstPad;
  const rem = chars.length % 4;
  if (rem === 0) return true;
  if (rem === 1) return false;
  return padding >= 4 - rem;
}

export const base64Text = z.unknown().superRefine((value, ctx) => {
  if (value === undefined) ctx.addIssue({ code: "custom", message: "required", params: { missing: true } });
  else if (typeof value !== "string") ctx.addIssue(custom(`${pyRepr(value)} is not of type 'string'`));
  else if (!isPythonBase64(value)) ctx.addIssue(custom(`${pyRepr(value)} is not a 'base64'`));
}) as unknown as z.ZodType<string>;

// ---- volumes ----------------------------------------------------------------------------------

const volumeCreateFields = {
  name: nullableText(),
  description: nullableText(),
  display_name: nullableText(),
  display_description: nullableText(),
  size: positiveSize(true).optional(),
  availability_zone: nullableText(),
  volume_type: nullableText(),
  metadata,
  snapshot_id: optionalUuid,
  source_volid: optionalUuid,
  consistencygroup_id: optionalUuid,
  group_id: optionalUuid,
  backup_id: optionalUuid,
  imageRef: nullableText(),
  image_id: nullableText(),
  multiattach: optionalBooleanish.optional(),
};

export const volumeCreateBody = (strict: boolean) =>
  z
    .object({
      volume: strict ? z.object(volumeCreateFields).strict() : z.object(volumeCreateFields).loose(),
      "OS-SCH-HNT:scheduler_hints": z.unknown().optional(),
    })
    .strict();

const volumeUpdateFields = {
  name: nullableText(),
  description: nullableText(),
  display_name: nullableText(),
  display_description: nullableText(),
  metadata,
};

export const volumeUpdateBody = (strict: boolean) =>
  z
    .object({
      volume: (strict ? z.object(volumeUpdateFields).strict() : z.object(volumeUpdateFields).loose()).refine(
        (v) => !strict || Object.keys(v).length > 0,
        { params: { cinderMessage: "{} does not have enough properties" } },
      ),
    })
    .strict();

// ---- backups ----------------------------------------------------------------------------------

export const backupCreateBody = (withMetadata: boolean, withAz: boolean) =>
  z
    .object({
      backup: z
        .object({
          volume_id: uuid,
          container: nullableText(),
          description: nullableText(),
          incremental: optionalBooleanish.optional(),
          force: optionalBooleanish.optional(),
          name: nullableText(),
          snapshot_id: optionalUuid,
          ...(withMetadata ? { metadata } : {}),
          ...(withAz ? { availability_zone: nullableText() } : {}),
        })
        .strict(),
    })
    .strict();

export const backupUpdateBody = (withMetadata: boolean) =>
  z
    .object({
      backup: z
        .object({
          name: nullableText(),
          description: nullableText(),
          ...(withMetadata ? { metadata } : {}),
        })
        .strict(),
    })
    .strict();

export const backupRestoreBody = z
  .object({
    restore: z.object({ volume_id: optionalUuid, name: nullableText() }).strict().nullable(),
  })
  .strict();

export const backupImportBody = z
  .object({
    "backup-record": z
      .object({
        backup_service: z.string().max(255),
        backup_url: base64Text,
      })
      .strict(),
  })
  .strict();
