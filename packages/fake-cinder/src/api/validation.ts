// Request-body validation with zod, reported the way Cinder reports jsonschema failures
// (cinder/api/validation/validators.py): a failure inside a field reads
// "Invalid input for field/attribute <field>. Value: <value>. <jsonschema message>",
// a failure at the top level reads just the jsonschema message. The values and the
// messages are Python renderings (str() and repr()), e.g. "'abc' is not of type 'integer'".
import type { z } from "zod";
import { ApiFault } from "./faults.js";

/** Python's repr() of a JSON value. */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : pyFloat(value);
  if (typeof value === "string") return pyStringRepr(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => `${pyStringRepr(k)}: ${pyRepr(v)}`,
    );
    return `{${entries.join(", ")}}`;
  }
  return String(value);
}

/** Python's str() of a JSON value: strings bare, containers as repr. */
export function pyStr(value: unknown): string {
  return typeof value === "string" ? value : pyRepr(value);
}

function pyFloat(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? "inf" : value < 0 ? "-inf" : "nan";
  return String(value);
}

function pyStringRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = "";
  for (const ch of s) {
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else out += ch;
  }
  return `${quote}${out}${quote}`;
}

const JSON_TYPE_NAMES: Record<string, string> = {
  string: "string",
  number: "number",
  int: "integer",
  boolean: "boolean",
  object: "object",
  array: "array",
  null: "null",
  record: "object",
};

/** jsonschema's "is not of type" text for a value (types joined like jsonschema does). */
function typeMessage(value: unknown, types: string[]): string {
  return `${pyRepr(value)} is not of type ${types.map((t) => `'${t}'`).join(", ")}`;
}

function getAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

interface Located {
  path: PropertyKey[];
  instance: unknown;
  message: string;
}

/** Turns one zod issue into jsonschema's (path, instance, message). */
function locate(issue: z.core.$ZodIssue, root: unknown): Located {
  const path = [...issue.path];
  const instance = getAt(root, path);
  const params = (issue as { params?: { cinderMessage?: string; missing?: boolean } }).params;
  if (params?.cinderMessage) return { path, instance, message: params.cinderMessage };
  switch (issue.code) {
    case "custom":
    case "invalid_type": {
      if (instance === undefined && path.length > 0 && (issue.code === "invalid_type" || params?.missing)) {
        // A missing key: jsonschema reports it on the parent object.
        const key = String(path[path.length - 1]);
        const parentPath = path.slice(0, -1);
        return {
          path: parentPath,
          instance: getAt(root, parentPath),
          message: `${pyStringRepr(key)} is a required property`,
        };
      }
      if (issue.code === "custom") return { path, instance, message: issue.message };
      const expected = JSON_TYPE_NAMES[issue.expected] ?? issue.expected;
      return { path, instance, message: typeMessage(instance, [expected]) };
    }
    case "unrecognized_keys": {
      const keys = issue.keys.map(pyStringRepr).join(", ");
      const verb = issue.keys.length === 1 ? "was" : "were";
      return {
        path,
        instance,
        message: `Additional properties are not allowed (${keys} ${verb} unexpected)`,
      };
    }
    case "too_big":
      if (issue.origin === "string") return { path, instance, message: `${pyRepr(instance)} is too long` };
      if (issue.origin === "number")
        return {
          path,
          instance,
          message: `${pyRepr(instance)} is greater than the maximum of ${String(issue.maximum)}`,
        };
      return { path, instance, message: `${pyRepr(instance)} is too long` };
    case "too_small":
      if (issue.origin === "string") return { path, instance, message: `${pyRepr(instance)} is too short` };
      if (issue.origin === "number")
        return {
          path,
          instance,
          message: `${pyRepr(instance)} is less than the minimum of ${String(issue.minimum)}`,
        };
      return { path, instance, message: `${pyRepr(instance)} is too short` };
    case "invalid_format":
      if (issue.format === "regex")
        return {
          path,
          instance,
          message: `${pyRepr(instance)} does not match ${pyStringRepr(String(issue.pattern ?? ""))}`,
        };
      return { path, instance, message: `${pyRepr(instance)} is not a ${pyStringRepr(issue.format)}` };
    case "invalid_union":
    case "invalid_value":
      return { path, instance, message: `${pyRepr(instance)} is not valid under any of the given schemas` };
    default:
      return { path, instance, message: issue.message };
  }
}

/** Cinder's ValidationError text for the first failing rule. */
export function validationMessage(issue: z.core.$ZodIssue, root: unknown): string {
  const { path, instance, message } = locate(issue, root);
  if (path.length === 0) return message;
  const field = String(path[path.length - 1]);
  return `Invalid input for field/attribute ${field}. Value: ${pyStr(instance)}. ${message}`;
}

/** Parses a request body; a failure is Cinder's 400 with the jsonschema-style text. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new ApiFault(400, issue ? validationMessage(issue, body) : "Invalid input");
}
